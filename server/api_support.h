// What a handler written outside api.cpp (api_staff.cpp …) needs from it: the same session, CSRF, clock,
// station and error handling as every other /api/ route. Kept small so the route files stay apart.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "server/serve.h"
#include "usecases/signin.h"

namespace httplib {
struct Request;
struct Response;
}  // namespace httplib

namespace minsheng::server {

// One signed-in request as a handler sees it.
struct ApiCall {
    const SignedIn& who;
    Station& station;
    Date today;       // the reference date (--today when the server was given one)
    std::string now;  // the wall clock recorded with each event
};

// Runs `body` as api.cpp runs its handlers: 401 without a valid session, 403 for a write without the
// session's CSRF token, the application's errors as SPEC's statuses with their sentence.
void handle_api(const ServeOptions& o, const httplib::Request& req, httplib::Response& res,
                const std::function<void(const ApiCall&)>& body);

void send_api_json(httplib::Response& res, int status, const nlohmann::json& body);
// The request's JSON object (400 when it is not one) and one of its text fields ("" when absent).
nlohmann::json api_body(const httplib::Request& req);
std::string api_text(const nlohmann::json& body, const char* key);

}  // namespace minsheng::server
