// The web workspace's built files (web/dist), compiled into the binary (embed_web.cmake).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace minsheng::server {

struct Asset {
    std::string path;  // "/index.html", "/assets/index-1a2b.js"
    std::string_view bytes;
};

const std::vector<Asset>& web_assets();

}  // namespace minsheng::server
