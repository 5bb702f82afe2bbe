// Routes beyond SPEC's endpoint list that the workspace's screens need (named in the README): 人员 — the
// staff list, adding a member, setting a password — and 登记's preview of what a report would join. Like
// every route, they only translate HTTP to the application layer's calls (usecases/), which hold the rules:
// who may list or add staff and set whose password, and repeat matching.
#include <httplib.h>

#include <nlohmann/json.hpp>

#include "engine/names.h"
#include "engine/text.h"
#include "server/api.h"
#include "server/api_support.h"
#include "usecases/signin.h"
#include "usecases/staff.h"
#include "usecases/station.h"

namespace minsheng::server {

using nlohmann::json;

namespace {

json staff_json(const StaffRow& s) {
    return {{"name", s.name},
            {"role", std::string(role_name(s.role))},
            {"department", s.department},
            {"has_password", s.has_password}};
}

}  // namespace

void install_workspace_api(httplib::Server& svr, const ServeOptions& o) {
    // 人员: every staff member with role, department and whether they can sign in (supervisors only).
    svr.Get("/api/staff", [&o](const httplib::Request& req, httplib::Response& res) {
        handle_api(o, req, res, [&](const ApiCall& call) {
            json a = json::array();
            for (const auto& s : list_staff(call.station, call.who.name))
                a.push_back(staff_json(s));
            send_api_json(res, 200, a);
        });
    });

    // Adds a member, as `staff add` (supervisors only): {"name", "role", "department"} → 201, the member.
    svr.Post("/api/staff", [&o](const httplib::Request& req, httplib::Response& res) {
        handle_api(o, req, res, [&](const ApiCall& call) {
            const json b = api_body(req);
            const std::string role = api_text(b, "role");
            if (trim(role).empty()) throw usage_error("请选择角色：协调员或督办");
            const StaffMember m{api_text(b, "name"), resolve_role(trim(role)), api_text(b, "department")};
            call.station.add_staff(call.who.name, m, call.now);
            for (const auto& s : list_staff(call.station, call.who.name))
                if (s.name == trim(m.name)) return send_api_json(res, 201, staff_json(s));
            throw storage_error("登记后读不到工作人员 " + m.name);
        });
    });

    // Sets a password, as `staff passwd` (supervisors for anyone, anyone for themselves): {"password"} → 204.
    // The password is in the body only, never in the address or the access log.
    svr.Post(R"(/api/staff/([^/]+)/password)", [&o](const httplib::Request& req, httplib::Response& res) {
        handle_api(o, req, res, [&](const ApiCall& call) {
            const json b = api_body(req);
            set_password(call.station, call.who.name, req.matches[1].str(), api_text(b, "password"),
                         call.now);
            res.status = 204;
        });
    });

    // 登记's preview as the address is typed: the open case the report would join and the similar cases
    // `case open` would warn about, by the same code, nothing written.
    // → {"repeat_of": id | null, "similar": [{"id", "category", "address", "phase"}]}
    svr.Get("/api/cases/preview", [&o](const httplib::Request& req, httplib::Response& res) {
        handle_api(o, req, res, [&](const ApiCall& call) {
            auto param = [&](const char* k) { return req.has_param(k) ? req.get_param_value(k) : ""; };
            Station& st = call.station;
            const OpenCaseResult p =
                st.preview_report(param("category"), param("address"), call.today, call.who.name);
            json similar = json::array();
            for (const auto& id : p.similar) {
                const CaseState c = st.get_case(id);
                similar.push_back({{"id", c.id},
                                   {"category", c.category},
                                   {"address", c.address},
                                   {"phase", std::string(phase_name(c.phase))}});
            }
            send_api_json(res, 200,
                          {{"repeat_of", p.repeat ? json(p.id) : json(nullptr)}, {"similar", similar}});
        });
    });
}

}  // namespace minsheng::server
