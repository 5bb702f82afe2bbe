// The JSON API: each handler reads the request, calls the application layer (usecases/) as the signed-in
// staff member, and answers with SPEC's objects (usecases/views.h) or {"error": "…"} and SPEC's status.
#include "server/api.h"
#include "server/api_support.h"

#include <httplib.h>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>

#include "engine/error.h"
#include "engine/names.h"
#include "engine/report.h"
#include "engine/text.h"
#include "usecases/desk.h"
#include "usecases/reports.h"
#include "usecases/signin.h"
#include "usecases/staff.h"
#include "usecases/station.h"
#include "usecases/views.h"

namespace minsheng::server {

using nlohmann::json;

namespace {

// The web's words for fixing an import problem (the command line names its flags instead): what a browser
// user does on the 台账 screen.
std::string web_import_hint(ImportHint hint) {
    switch (hint) {
        case ImportHint::NotUtf8:
            return "（文件不是 UTF-8 编码：请在 Excel 或 WPS 中另存为“CSV UTF-8”后重新选择）";
        case ImportHint::UnknownColumns:
            return "，或勾选“忽略不认识的列”后重新试导入";
        case ImportHint::None:
            break;
    }
    return "";
}

thread_local std::string current_user;

// A failure with its HTTP status (401, 403, 429) that the application layer's ErrorKind cannot say.
struct HttpError {
    int status;
    std::string message;
};

// The status SPEC gives each kind of application error.
int status_of(ErrorKind k) {
    switch (k) {
        case ErrorKind::Usage:
            return 400;
        case ErrorKind::NotAllowed:
            return 403;
        case ErrorKind::NotFound:
            return 404;
        case ErrorKind::Refused:
            return 409;
        case ErrorKind::Storage:
            return 500;
    }
    return 500;
}

void send_json(httplib::Response& res, int status, const json& body) {
    res.status = status;
    res.set_content(body.dump(), "application/json; charset=utf-8");
}

void send_error(httplib::Response& res, int status, std::string message) {
    std::replace(message.begin(), message.end(), '\n', ' ');
    send_json(res, status, json{{"error", message}});
}

// The clock of one request: the wall clock, and the reference date (--today when the server was given one).
struct Clock {
    std::int64_t epoch = 0;
    std::string now;  // Asia/Shanghai, recorded with each event
    Date today;
    std::string default_at;  // "now" as seen from today
    std::string latest_at;
};

Clock request_clock(const ServeOptions& o) {
    Clock c;
    c.epoch = static_cast<std::int64_t>(std::time(nullptr));
    const std::time_t t = static_cast<std::time_t>(c.epoch) + 8 * 3600;  // China keeps no daylight saving
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    c.now = buf;
    if (o.today) {
        c.today = *o.today;
        c.default_at = format_date(c.today) + c.now.substr(10);
        c.latest_at = latest_allowed_at(c.now, c.today);
    } else {
        c.today = parse_date(c.now.substr(0, 10));
        c.default_at = c.now;
        c.latest_at = latest_allowed_at(c.now, std::nullopt);
    }
    return c;
}

// The stations the worker threads share. cpp-httplib keeps a worker thread per keep-alive connection, so
// there are many more threads than requests running at once; a Station (one database connection with its
// parsed workflows and calendar) is taken from here when a request first needs one and given back when the
// request ends (guarded). At most kStations are open, so memory does not grow with the connections, and a
// request waits for one when all are busy. Their caches revalidate on the store's data_version when another
// connection or process writes.
constexpr std::size_t kStations = 4;
// How long a request's write waits for another writer (the command line, an import, another request)
// before answering 503: well inside the browser's patience and the server's own 10 s write timeout.
constexpr std::chrono::milliseconds kLockWait{5000};

class StationPool {
public:
    std::unique_ptr<Station> take(const std::string& path) {
        std::unique_lock<std::mutex> lock(mutex_);
        free_.wait(lock, [&] { return !idle_.empty() || open_ < kStations; });
        if (!idle_.empty()) {
            auto s = std::move(idle_.back());
            idle_.pop_back();
            return s;
        }
        ++open_;
        lock.unlock();
        try {
            auto s = std::make_unique<Station>(path);
            s->set_lock_wait(kLockWait);
            return s;
        } catch (...) {
            give(nullptr);
            throw;
        }
    }
    // Gives a station back (null: one that could not be opened, whose place is free again).
    void give(std::unique_ptr<Station> s) {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            if (s)
                idle_.push_back(std::move(s));
            else
                --open_;
        }
        free_.notify_one();
    }

private:
    std::mutex mutex_;
    std::condition_variable free_;
    std::vector<std::unique_ptr<Station>> idle_;
    std::size_t open_ = 0;
};

StationPool& station_pool() {
    static StationPool pool;
    return pool;
}

thread_local std::unique_ptr<Station> request_station;  // the station this request holds, if any

Station& station(const ServeOptions& o) {
    if (!request_station) request_station = station_pool().take(o.db_path);
    return *request_station;
}

void end_request() {
    if (request_station) station_pool().give(std::move(request_station));
}

std::string cookie_token(const httplib::Request& req) {
    const std::string cookies = req.get_header_value("Cookie");
    const std::string name = "minsheng_session=";
    size_t pos = 0;
    while (pos < cookies.size()) {
        while (pos < cookies.size() && (cookies[pos] == ' ' || cookies[pos] == ';'))
            ++pos;
        size_t end = cookies.find(';', pos);
        if (end == std::string::npos) end = cookies.size();
        if (cookies.compare(pos, name.size(), name) == 0)
            return cookies.substr(pos + name.size(), end - pos - name.size());
        pos = end;
    }
    return "";
}

// Compares without stopping at the first difference (the CSRF token must not leak by timing).
bool same_secret(const std::string& a, const std::string& b) {
    if (a.size() != b.size()) return false;
    unsigned char d = 0;
    for (size_t i = 0; i < a.size(); ++i)
        d |= static_cast<unsigned char>(a[i] ^ b[i]);
    return d == 0;
}

SignInPolicy policy_of(const ServeOptions& o) {
    SignInPolicy p;
    p.idle_seconds = o.session_idle_seconds;
    return p;
}

// The signed-in member behind the request: 401 without a valid session, 403 when a request that may write
// lacks the session's CSRF token.
SignedIn require_session(const ServeOptions& o, const httplib::Request& req, const Clock& clock) {
    const auto who = session_for(station(o), cookie_token(req), clock.epoch, policy_of(o));
    if (!who) throw HttpError{401, "未登录或登录已过期，请重新登录"};
    current_user = who->name;
    if (req.method != "GET" && req.method != "HEAD" &&
        !same_secret(req.get_header_value("X-CSRF-Token"), who->csrf_token))
        throw HttpError{403, "请求缺少有效的 X-CSRF-Token，请刷新页面后重试"};
    return *who;
}

json body_json(const httplib::Request& req) {
    if (req.body.empty()) return json::object();
    json j = json::parse(req.body, nullptr, false);
    if (j.is_discarded() || !j.is_object()) throw usage_error("请求内容不是有效的 JSON 对象");
    return j;
}

std::string text_of(const json& j, const char* key) {
    if (!j.contains(key) || j[key].is_null()) return "";
    if (!j[key].is_string()) throw usage_error(std::string("字段 ") + key + " 应为文本");
    return j[key].get<std::string>();
}

int int_param(const httplib::Request& req, const char* key, int fallback, int lo, int hi) {
    if (!req.has_param(key) || req.get_param_value(key).empty()) return fallback;
    const std::string v = req.get_param_value(key);
    try {
        size_t used = 0;
        const int n = std::stoi(v, &used);
        if (used == v.size() && n >= lo && n <= hi) return n;
    } catch (const std::exception&) {
    }
    throw usage_error(std::string("参数 ") + key + " 应为 " + std::to_string(lo) + " 到 " +
                      std::to_string(hi) + " 之间的整数");
}

bool flag_param(const httplib::Request& req, const char* key) {
    if (!req.has_param(key)) return false;
    const std::string v = req.get_param_value(key);
    return v == "1" || v == "true" || v == "yes";
}

// Runs a handler: the application's errors become SPEC's statuses with their Chinese line.
template <class F>
void guarded(httplib::Response& res, F&& body) {
    struct Release {
        ~Release() { end_request(); }
    } release;
    try {
        body();
    } catch (const HttpError& e) {
        send_error(res, e.status, e.message);
    } catch (const Error& e) {
        send_error(res, status_of(e.kind()), e.message());  // the rule's sentence, without the CLI's flags
    } catch (const Busy& e) {
        // Another writer held the database longer than a request waits (kLockWait): not a fault, and
        // nothing was written. 503 with Retry-After, so the workspace and a proxy know to try again.
        res.set_header("Retry-After", "1");
        send_error(res, 503, e.what());
    } catch (const std::exception& e) {
        send_error(res, 500, std::string("服务器内部错误：") + e.what());
    }
}

// The `case show --json` object with its rounds and, for the signed-in person, `next_actions` (SPEC Part 2
// "Next steps": what `case do ID` lists).
json case_json(Station& st, const std::string& id, const Clock& clock, const std::string& who) {
    const CaseState c = st.get_case(id);
    const Calendar& cal = st.calendar();
    const ClockView v = clock_at(c, clock.today, cal);
    const auto h = st.history(id);
    json j = case_object(c, v, st.workflow_label(c), &h);
    j["rounds"] = rounds_json(clock_rounds(c, cal));
    j["next_actions"] = next_actions_json(st.next_actions(id, who, clock.today));
    return j;
}

std::string param(const httplib::Request& req, const char* key) {
    return req.has_param(key) ? req.get_param_value(key) : "";
}

std::optional<Date> date_param(const httplib::Request& req, const char* key) {
    const std::string v = trim(param(req, key));
    if (v.empty()) return std::nullopt;
    return parse_date(v);
}

// GET /api/cases's filters, as `case list` takes them (Chinese names as on the command line).
CaseFilter case_filter(const httplib::Request& req, const SignedIn& who) {
    CaseFilter f;
    if (!param(req, "phase").empty()) f.phase = resolve_phase(param(req, "phase"));
    if (!param(req, "category").empty()) f.category = param(req, "category");
    if (!param(req, "department").empty()) f.department = trim(param(req, "department"));
    f.overdue_only = flag_param(req, "overdue");
    // An empty box in the search form is no filter (the command line refuses an empty --search).
    const std::pair<const char*, std::optional<std::string>*> texts[] = {
        {"search", &f.search}, {"reporter", &f.reporter}, {"phone", &f.phone}};
    for (const auto& [key, slot] : texts)
        if (!trim(param(req, key)).empty()) *slot = param(req, key);
    if (flag_param(req, "mine")) f.actor = who.name;  // the cases the signed-in person has acted on
    f.typical_only = flag_param(req, "typical");
    f.received_from = date_param(req, "from");
    f.received_to = date_param(req, "to");
    return f;
}

// A temporary file removed when it goes out of scope (uploads and downloads go through one, so memory stays
// flat and a refusal is known before the answer's status is sent).
struct TempFile {
    std::string path;
    TempFile() {
        path = (std::filesystem::temp_directory_path() / "minsheng-web-XXXXXX").string();
        const int fd = ::mkstemp(path.data());
        if (fd < 0) throw storage_error("无法创建临时文件");
        ::close(fd);
    }
    ~TempFile() { ::unlink(path.c_str()); }
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;
};

// A download: Content-Disposition with the Chinese name (RFC 6266/5987 filename*) and an ASCII fallback.
void attach(httplib::Response& res, const std::string& ascii_name, const std::string& name) {
    std::string encoded;
    static const char* hex = "0123456789ABCDEF";
    for (unsigned char ch : name) {
        const bool plain = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
                           ch == '.' || ch == '-' || ch == '_';
        if (plain) {
            encoded += static_cast<char>(ch);
        } else {
            encoded += '%';
            encoded += hex[ch >> 4];
            encoded += hex[ch & 15];
        }
    }
    res.set_header("Content-Disposition",
                   "attachment; filename=\"" + ascii_name + "\"; filename*=UTF-8''" + encoded);
}

// Sends a finished file, read as it is sent (the file is kept open by the provider, so it may be unlinked).
void send_file(httplib::Response& res, const std::string& path, const std::string& type) {
    std::shared_ptr<std::FILE> f(std::fopen(path.c_str(), "rb"), [](std::FILE* x) {
        if (x) std::fclose(x);
    });
    if (!f) throw storage_error("无法读回导出文件");
    std::fseek(f.get(), 0, SEEK_END);
    const long size = std::ftell(f.get());
    std::fseek(f.get(), 0, SEEK_SET);
    res.set_content_provider(static_cast<size_t>(size), type.c_str(),
                             [f](size_t offset, size_t length, httplib::DataSink& sink) {
                                 char buf[1 << 14];
                                 std::fseek(f.get(), static_cast<long>(offset), SEEK_SET);
                                 const size_t n = std::fread(buf, 1, std::min(length, sizeof buf), f.get());
                                 if (n == 0) return false;
                                 sink.write(buf, n);
                                 return true;
                             });
}

std::string content_type_of(const std::string& format) {
    if (format == "html") return "text/html; charset=utf-8";
    if (format == "md") return "text/markdown; charset=utf-8";
    if (format == "json") return "application/json; charset=utf-8";
    if (format == "csv") return "text/csv; charset=utf-8";
    if (format == "docx") return "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
    if (format == "xlsx") return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    return "application/octet-stream";
}

std::string format_param(const httplib::Request& req, const std::string& fallback,
                         std::initializer_list<const char*> allowed) {
    std::string f = param(req, "format");
    if (f.empty()) f = fallback;
    std::string names;
    for (const char* a : allowed) {
        if (f == a) return f;
        names += (names.empty() ? "" : "、") + std::string(a);
    }
    throw usage_error("未知的格式 " + f + "：可用 " + names);
}

json rate(const std::optional<double>& r) {
    return r ? json(*r) : json(nullptr);
}

json cases_array(Station& st, const std::vector<std::pair<CaseState, ClockView>>& rows) {
    json a = json::array();
    for (const auto& [c, v] : rows)
        a.push_back(case_object(c, v, st.workflow_label(c), nullptr));
    return a;
}

// A workflow as the workspace builds its forms from it: each action's label, required inputs and choices.
json workflow_json(const Workflow& w) {
    json actions = json::array();
    for (const auto& a : w.actions) {
        json roles = json::array();
        for (Role r : a.roles)
            roles.push_back(std::string(role_name(r)));
        json from = json::array();
        if (a.from_kind == Action::From::AnyOpen)
            from = "any_open";
        else if (a.from_kind == Action::From::Any)
            from = "any";
        else
            for (const auto& s : a.from)
                from.push_back(s);
        actions.push_back({{"action", a.id},
                           {"label", a.label},
                           {"requires", a.requires_},
                           {"choices", a.choices},
                           {"fields", a.fields},
                           {"roles", roles},
                           {"from", from}});
    }
    json steps = json::array();
    for (const auto& s : w.steps)
        steps.push_back({{"step", s.id}, {"label", s.label}, {"phase", std::string(phase_name(s.phase))}});
    return {{"category", w.category},
            {"name", w.name},
            {"version", w.version},
            {"deadline_days", w.deadline_days},
            {"departments", w.departments},
            {"steps", steps},
            {"actions", actions}};
}

}  // namespace

const std::string& request_user() {
    return current_user;
}

void reset_request_user() {
    current_user.clear();
}

void handle_api(const ServeOptions& o, const httplib::Request& req, httplib::Response& res,
                const std::function<void(const ApiCall&)>& body) {
    guarded(res, [&] {
        const Clock clock = request_clock(o);
        const SignedIn who = require_session(o, req, clock);
        body(ApiCall{who, station(o), clock.today, clock.now});
    });
}

void send_api_json(httplib::Response& res, int status, const nlohmann::json& body) {
    send_json(res, status, body);
}

json api_body(const httplib::Request& req) {
    return body_json(req);
}

std::string api_text(const json& body, const char* key) {
    return text_of(body, key);
}

void install_api(httplib::Server& svr, const ServeOptions& o) {
    const std::string secure = o.behind_tls ? "; Secure" : "";

    svr.Post("/api/session", [&o, secure](const httplib::Request& req, httplib::Response& res) {
        guarded(res, [&] {
            const Clock clock = request_clock(o);
            const json b = body_json(req);
            const std::string name = text_of(b, "name"), password = text_of(b, "password");
            const SignInResult r = sign_in(station(o), name, password, clock.epoch, policy_of(o));
            if (r.outcome == SignInResult::Outcome::Throttled)
                throw HttpError{429, "登录失败次数过多，请 15 分钟后再试"};
            if (r.outcome != SignInResult::Outcome::Ok) throw HttpError{401, "姓名或密码不正确"};
            current_user = r.who.name;
            res.set_header("Set-Cookie",
                           "minsheng_session=" + r.token + "; Path=/; HttpOnly; SameSite=Strict" + secure);
            send_json(
                res, 200,
                {{"name", r.who.name}, {"role", role_name(r.who.role)}, {"csrf_token", r.who.csrf_token}});
        });
    });

    svr.Delete("/api/session", [&o, secure](const httplib::Request& req, httplib::Response& res) {
        guarded(res, [&] {
            const SignedIn who = require_session(o, req, request_clock(o));
            sign_out(station(o), who);
            res.set_header("Set-Cookie",
                           "minsheng_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict" + secure);
            res.status = 204;
        });
    });

    svr.Get("/api/me", [&o](const httplib::Request& req, httplib::Response& res) {
        guarded(res, [&] {
            const SignedIn who = require_session(o, req, request_clock(o));
            // The CSRF token too: the page reads it again after a reload (same origin only, no CORS).
            send_json(res, 200,
                      {{"name", who.name}, {"role", role_name(who.role)}, {"csrf_token", who.csrf_token}});
        });
    });

    svr.Get("/api/cases", [&o](const httplib::Request& req, httplib::Response& res) {
        guarded(res, [&] {
            const Clock clock = request_clock(o);
            const SignedIn who = require_session(o, req, clock);
            Station& st = station(o);
            const CaseFilter f = case_filter(req, who);
            const int limit = int_param(req, "limit", 50, 1, 500);
            const int offset = int_param(req, "offset", 0, 0, 100000000);
            // The total is counted by the store, and only the page's cases are read.
            const Station::Page page = st.list_page(f, clock.today, limit, offset);
            json cases = json::array();
            for (const auto& [c, v] : page.cases)
                cases.push_back(case_object(c, v, st.workflow_label(c), nullptr));
            const std::int64_t total = page.total;
            send_json(res, 200, {{"total", total}, {"cases", cases}});
        });
    });

    svr.Post("/api/cases", [&o](const httplib::Request& req, httplib::Response& res) {
        guarded(res, [&] {
            const Clock clock = request_clock(o);
            const SignedIn who = require_session(o, req, clock);
            Station& st = station(o);
            const json b = body_json(req);
            const std::string at = text_of(b, "at");
            ReportInput r{text_of(b, "address"),
                          text_of(b, "summary"),
                          trim(text_of(b, "reporter")),
                          trim(text_of(b, "phone")),
                          trim(text_of(b, "channel")),
                          at.empty() ? clock.default_at : normalize_timestamp(at),
                          clock.latest_at};
            if (b.contains("new") && !b["new"].is_boolean()) throw usage_error("字段 new 应为 true 或 false");
            const bool force_new = b.value("new", false);
            const OpenCaseResult opened =
                st.open_case(text_of(b, "category"), r, force_new, who.name, clock.now);
            send_json(res, 201, {{"id", opened.id}, {"repeat", opened.repeat}, {"similar", opened.similar}});
        });
    });

    svr.Get(R"(/api/cases/([0-9A-Za-z-]+))", [&o](const httplib::Request& req, httplib::Response& res) {
        guarded(res, [&] {
            const Clock clock = request_clock(o);
            const SignedIn who = require_session(o, req, clock);
            send_json(res, 200, case_json(station(o), req.matches[1], clock, who.name));
        });
    });

    svr.Post(R"(/api/cases/([0-9A-Za-z-]+)/actions)",
             [&o](const httplib::Request& req, httplib::Response& res) {
                 guarded(res, [&] {
                     const Clock clock = request_clock(o);
                     const SignedIn who = require_session(o, req, clock);
                     Station& st = station(o);
                     const json b = body_json(req);
                     ActionRequest r;
                     r.action = text_of(b, "action");
                     if (b.contains("departments")) {
                         if (!b["departments"].is_array())
                             throw usage_error("字段 departments 应为部门名称的数组");
                         for (const auto& d : b["departments"]) {
                             if (!d.is_string()) throw usage_error("字段 departments 应为部门名称的数组");
                             require_text(d.get<std::string>(), "部门");
                             r.departments.push_back(trim(d.get<std::string>()));
                         }
                     }
                     if (b.contains("fields")) {
                         if (!b["fields"].is_object()) throw usage_error("字段 fields 应为对象");
                         for (const auto& [k, v] : b["fields"].items()) {
                             if (!v.is_string()) throw usage_error("字段 fields 的值应为文本");
                             r.sets.emplace_back(k, v.get<std::string>());
                         }
                     }
                     r.note = text_of(b, "note");
                     r.into = trim(text_of(b, "into"));  // merge: the case the reports join
                     const std::string at = text_of(b, "at");
                     r.at = at.empty() ? "" : normalize_timestamp(at);
                     r.actor = who.name;  // every write is the signed-in person's
                     r.latest_at = clock.latest_at;
                     const std::string id = req.matches[1];
                     st.do_action(id, r, clock.default_at, clock.now);
                     send_json(res, 200, case_json(st, id, clock, who.name));
                 });
             });

    svr.Get("/api/audit/overdue", [&o](const httplib::Request& req, httplib::Response& res) {
        guarded(res, [&] {
            const Clock clock = request_clock(o);
            require_session(o, req, clock);
            Station& st = station(o);
            const std::string as_of = req.has_param("as_of") ? req.get_param_value("as_of") : "";
            const auto rows = st.overdue_as_of(as_of.empty() ? clock.today : parse_date(as_of));
            send_json(res, 200, cases_array(st, rows));
        });
    });

    svr.Get("/api/audit/due-soon", [&o](const httplib::Request& req, httplib::Response& res) {
        guarded(res, [&] {
            const Clock clock = request_clock(o);
            require_session(o, req, clock);
            Station& st = station(o);
            send_json(res, 200,
                      cases_array(st, st.due_soon(clock.today, int_param(req, "within", 3, 0, 1000))));
        });
    });

    svr.Get("/api/audit/verify", [&o](const httplib::Request& req, httplib::Response& res) {
        guarded(res, [&] {
            require_session(o, req, request_clock(o));
            const VerifyResult r = station(o).verify();
            send_json(res, 200,
                      {{"ok", r.ok}, {"events", r.events}, {"cases", r.cases}, {"problem", r.problem}});
        });
    });

    svr.Get("/api/workflows", [&o](const httplib::Request& req, httplib::Response& res) {
        guarded(res, [&] {
            require_session(o, req, request_clock(o));
            Station& st = station(o);
            // The latest version of each category (the one new cases open under).
            std::vector<std::string> categories;
            for (const auto& w : st.workflows())
                if (categories.empty() || categories.back() != w.category) categories.push_back(w.category);
            json a = json::array();
            for (const auto& c : categories)
                a.push_back(workflow_json(st.workflow(c)));
            send_json(res, 200, a);
        });
    });

    svr.Get(R"(/api/workflows/([a-z0-9_-]+)/([0-9]+))", [&o](const httplib::Request& req,
                                                             httplib::Response& res) {
        guarded(res, [&] {
            require_session(o, req, request_clock(o));
            const std::string version = req.matches[2];
            send_json(res, 200, workflow_json(station(o).workflow(req.matches[1], std::stoi(version))));
        });
    });

    svr.Get(R"(/api/calendar/([0-9-]+))", [&o](const httplib::Request& req, httplib::Response& res) {
        guarded(res, [&] {
            require_session(o, req, request_clock(o));
            const Date d = parse_date(req.matches[1].str());
            const Calendar& cal = station(o).calendar();
            const std::string name = cal.day_name(d);
            send_json(res, 200,
                      {{"date", format_date(d)},
                       {"working_day", cal.is_working_day(d)},
                       {"name", name.empty() ? json(nullptr) : json(name)},
                       {"provisional", cal.is_provisional(d.year())}});
        });
    });

    // The year-boundary banner (SPEC "Calendar beyond the published years"), worded for the signed-in role:
    // a supervisor gets the commands that load or provide the year, a coordinator is told to ask for it.
    svr.Get("/api/calendar-warning", [&o](const httplib::Request& req, httplib::Response& res) {
        guarded(res, [&] {
            const Clock clock = request_clock(o);
            const SignedIn who = require_session(o, req, clock);
            const CalendarBanner b = calendar_banner(station(o).calendar(), clock.today, who.role);
            send_json(res, 200,
                      {{"warning", b.text.empty() ? json(nullptr) : json(b.text)},
                       {"commands", b.commands},
                       {"today", format_date(clock.today)}});
        });
    });

    // 打印: the printable case sheet, as `case show ID --format html` writes it.
    svr.Get(R"(/api/cases/([0-9A-Za-z-]+)/sheet)", [&o](const httplib::Request& req, httplib::Response& res) {
        guarded(res, [&] {
            const Clock clock = request_clock(o);
            require_session(o, req, clock);
            res.status = 200;
            res.set_content(case_sheet(station(o), req.matches[1], clock.today), "text/html; charset=utf-8");
        });
    });

    // 督办台's per-department table (supervisors), computed by the application layer in one pass.
    svr.Get("/api/desk/departments", [&o](const httplib::Request& req, httplib::Response& res) {
        guarded(res, [&] {
            const Clock clock = request_clock(o);
            const SignedIn who = require_session(o, req, clock);
            const DeskTable t = department_table(station(o), who.name, clock.today, date_param(req, "from"),
                                                 date_param(req, "to"));
            json rows = json::array();
            for (const auto& d : t.departments)
                rows.push_back({{"department", d.department},
                                {"cases", d.cases},
                                {"resolved", d.resolved},
                                {"on_time", d.on_time},
                                {"on_time_rate", rate(d.on_time_rate)},
                                {"visits", d.visits},
                                {"satisfied", d.satisfied},
                                {"satisfaction_rate", rate(d.satisfaction_rate)},
                                {"overdue", d.overdue}});
            send_json(res, 200,
                      {{"today", format_date(clock.today)},
                       {"from", t.from ? json(format_date(*t.from)) : json(nullptr)},
                       {"to", t.to ? json(format_date(*t.to)) : json(nullptr)},
                       {"departments", rows}});
        });
    });

    svr.Get("/api/reports/typical", [&o](const httplib::Request& req, httplib::Response& res) {
        guarded(res, [&] {
            require_session(o, req, request_clock(o));
            const std::string format = format_param(req, "html", {"html", "md", "docx", "json"});
            std::vector<std::string> ids;
            for (const auto& part : split_list(param(req, "ids")))
                if (!trim(part).empty()) ids.push_back(trim(part));
            if (ids.empty()) throw usage_error("请给出要写成典型事例的案件编号（ids=编号,编号）");
            const auto write_ups = typical_write_ups(station(o), ids);
            std::string body;
            if (format == "html")
                body = report::write_ups_html(write_ups);
            else if (format == "md")
                body = report::write_ups_markdown(write_ups);
            else if (format == "json")
                body = report::write_ups_json(write_ups).dump();
            else if (!o.documents.docx)
                throw HttpError{500, "这个服务器不能生成 Word 文件（请用 minsheng serve 启动）"};
            else
                body = o.documents.docx(report::write_ups_markdown(write_ups));
            if (format != "html" && format != "json") attach(res, "typical." + format, "典型事例." + format);
            res.status = 200;
            res.set_content(body, content_type_of(format));
        });
    });

    svr.Get("/api/reports/annual", [&o](const httplib::Request& req, httplib::Response& res) {
        guarded(res, [&] {
            const Clock clock = request_clock(o);
            require_session(o, req, clock);
            const std::string format = format_param(req, "html", {"html", "json", "csv", "md", "docx"});
            const int year = int_param(req, "year", clock.today.year(), 1900, 9999);
            const AnnualReport r = annual_report(station(o), year);
            std::string body;
            if (format == "json")
                body = report::annual_json(r.stats, r.typical).dump();
            else if (format == "csv")
                body = report::annual_csv(r.stats, r.typical);
            else if (format == "html")
                body = report::annual_html(r.stats, r.typical);
            else if (format == "md")
                body = report::annual_markdown(r.stats, r.typical);
            else if (!o.documents.docx)
                throw HttpError{500, "这个服务器不能生成 Word 文件（请用 minsheng serve 启动）"};
            else
                body = o.documents.docx(report::annual_markdown(r.stats, r.typical));
            const std::string y = std::to_string(year);
            if (format != "html" && format != "json")
                attach(res, "annual-" + y + "." + format, y + "年度报告." + format);
            res.status = 200;
            res.set_content(body, content_type_of(format));
        });
    });

    // 台账 import: the CSV file as the body. A refused import answers 409 with every bad row listed
    // ("problems", at most 20, and "problem_count"); a dry run answers the per-row plan and writes nothing.
    svr.Post("/api/import", [&o](const httplib::Request& req, httplib::Response& res) {
        guarded(res, [&] {
            const Clock clock = request_clock(o);
            const SignedIn who = require_session(o, req, clock);
            if (!o.documents.import_ledger)
                throw HttpError{500, "这个服务器不能导入台账（请用 minsheng serve 启动）"};
            if (req.body.empty()) throw usage_error("请求内容为空：请上传 CSV 台账文件");
            TempFile upload;
            {
                std::ofstream f(upload.path, std::ios::binary | std::ios::trunc);
                f.write(req.body.data(), static_cast<std::streamsize>(req.body.size()));
                if (!f) throw storage_error("无法保存上传的台账（磁盘已满？）");
            }
            Documents::Import in;
            in.path = upload.path;
            in.source = "台账.csv";
            in.actor = who.name;
            in.now = clock.now;
            in.latest_at = clock.latest_at;
            in.dry_run = flag_param(req, "dry_run");
            in.ignore_unknown = flag_param(req, "ignore_unknown");
            // The plan is a line per row: small beside the upload itself, which the server holds anyway.
            json plan = json::array();
            std::function<void(const ImportPlan&)> each;
            if (in.dry_run)
                each = [&](const ImportPlan& p) {
                    plan.push_back({{"line", p.line}, {"id", p.id}, {"repeat", p.repeat}});
                };
            ImportResult r;
            try {
                r = o.documents.import_ledger(station(o), in, each);
            } catch (const ImportRefusal& e) {
                throw Error(e.kind(), e.message() + web_import_hint(e.hint));
            }
            if (r.problem_count > 0) {
                json problems = json::array();
                for (const ImportProblem& p : r.problems)
                    problems.push_back(p.text + web_import_hint(p.hint));
                res.status = 409;
                res.set_content(json{{"error", "台账有 " + std::to_string(r.problem_count) +
                                                   " 行有误，什么也没有导入；改正后重新导入"},
                                     {"problems", problems},
                                     {"problem_count", r.problem_count}}
                                    .dump(),
                                "application/json; charset=utf-8");
                return;
            }
            json out = {
                {"rows", r.rows}, {"cases", r.cases}, {"repeats", r.repeats}, {"dry_run", in.dry_run}};
            if (in.dry_run) out["plan"] = plan;
            if (r.without_deadline > 0)
                out["warning"] = "新案件中有 " + std::to_string(r.without_deadline) + " 件暂无办理期限：" +
                                 r.deadline_problem;
            send_json(res, 200, out);
        });
    });

    // 台账 export: written to a temporary file first (a refusal is a status, not half a file), then sent
    // from it as it is read.
    svr.Get("/api/export", [&o](const httplib::Request& req, httplib::Response& res) {
        guarded(res, [&] {
            const Clock clock = request_clock(o);
            require_session(o, req, clock);
            const std::string format = format_param(req, "csv", {"csv", "xlsx", "json"});
            if (!o.documents.export_ledger)
                throw HttpError{500, "这个服务器不能导出台账（请用 minsheng serve 启动）"};
            TempFile out;
            o.documents.export_ledger(station(o), clock.today, format, out.path);
            send_file(res, out.path, content_type_of(format));
            const std::string day = format_date(clock.today);
            attach(res, "ledger-" + day + "." + format, "台账-" + day + "." + format);
            res.status = 200;
        });
    });

    // Anything else under /api/: 401 before a session (nothing is told about what exists), else 404.
    auto unknown = [&o](const httplib::Request& req, httplib::Response& res) {
        guarded(res, [&] {
            require_session(o, req, request_clock(o));
            throw HttpError{404, "没有这个接口：" + req.path};
        });
    };
    svr.Get(R"(/api/.*)", unknown);
    svr.Post(R"(/api/.*)", unknown);
    svr.Put(R"(/api/.*)", unknown);
    svr.Delete(R"(/api/.*)", unknown);
    svr.Patch(R"(/api/.*)", unknown);
}

}  // namespace minsheng::server
