// The JSON API's routes (SPEC Part 2 "Endpoints"), installed on the server by serve.cpp.
#pragma once

#include <string>

#include "server/serve.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace minsheng::server {

// Adds every /api/ route to `svr`. Each request opens (once per worker thread) its own Station on
// `o.db_path`.
void install_api(httplib::Server& svr, const ServeOptions& o);

// Adds the routes the workspace's screens need beyond SPEC's list (api_workspace.cpp: staff, the intake
// preview). Installed before install_api, whose /api/cases/{id} and catch-all would otherwise take them.
void install_workspace_api(httplib::Server& svr, const ServeOptions& o);

// The signed-in name of the request being handled on this thread, for the access log ("" when none).
const std::string& request_user();
void reset_request_user();

}  // namespace minsheng::server
