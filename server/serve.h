// `minsheng serve` (SPEC Part 2 "The web workspace and its API"): the web workspace at / and the JSON API at
// /api/, over the application layer (usecases/). Handlers only translate HTTP to its calls and its results
// and errors to JSON, so every rule is the command line's by construction.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <ostream>
#include <string>

#include "engine/calendar.h"
#include "usecases/station.h"

namespace minsheng::server {

// The files the command line reads and writes (cli/: Word through pandoc, the ledger's CSV and xlsx), given
// to the server by `minsheng serve`, so a download from the web is the very file the command line writes and
// the server library does not depend on the command line. Unset: those formats answer 500.
struct Documents {
    std::function<std::string(const std::string& markdown)> docx;
    // Writes every case as the ledger in `format` (csv, xlsx, json) to the file `path`.
    std::function<void(Station&, Date today, const std::string& format, const std::string& path)>
        export_ledger;
    struct Import {
        std::string path;    // the uploaded CSV, saved to a temporary file
        std::string source;  // how messages name it
        std::string actor, now, latest_at;
        bool dry_run = false;
        bool ignore_unknown = false;
    };
    std::function<ImportResult(Station&, const Import&, const std::function<void(const ImportPlan&)>& plan)>
        import_ledger;
};

struct ServeOptions {
    std::string db_path;
    std::string host = "127.0.0.1";
    int port = 8311;
    bool behind_tls = false;    // the session cookie gets `Secure`
    std::optional<Date> today;  // --today / MINSHENG_TODAY: the reference date of every request
    std::int64_t session_idle_seconds = 2 * 3600;
    std::ostream* log = nullptr;  // the access log: one line per request
    Documents documents;
};

// "ADDR:PORT" (or ":PORT", or "[v6]:PORT") into host and port; Usage error when malformed.
void parse_listen(const std::string& text, ServeOptions& o);

// Serves until SIGINT or SIGTERM; requests in flight finish. Returns the exit code.
int serve(const ServeOptions& o);

}  // namespace minsheng::server
