// `minsheng serve` (SPEC Part 2 "The web workspace and its API"): the web workspace at / and the JSON API at
// /api/, over the application layer (usecases/). Handlers only translate HTTP to its calls and its results
// and errors to JSON, so every rule is the command line's by construction.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

#include "engine/calendar.h"

namespace minsheng::server {

struct ServeOptions {
    std::string db_path;
    std::string host = "127.0.0.1";
    int port = 8311;
    bool behind_tls = false;    // the session cookie gets `Secure`
    std::optional<Date> today;  // --today / MINSHENG_TODAY: the reference date of every request
    std::int64_t session_idle_seconds = 2 * 3600;
    std::ostream* log = nullptr;  // the access log: one line per request
};

// "ADDR:PORT" (or ":PORT", or "[v6]:PORT") into host and port; Usage error when malformed.
void parse_listen(const std::string& text, ServeOptions& o);

// Serves until SIGINT or SIGTERM; requests in flight finish. Returns the exit code.
int serve(const ServeOptions& o);

}  // namespace minsheng::server
