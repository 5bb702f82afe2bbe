// The station database: opening and creating it, staff, workflows, calendar, and the case log with its
// projection. Business decisions are the engine's (runtime.h); this file persists them.
#include "storage/station.h"

#include <openssl/evp.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <thread>

#include "engine/error.h"
#include "engine/text.h"
#include "storage/schema.h"
#include "storage/sqlite.h"

namespace minsheng {

using nlohmann::json;

namespace {

const std::string kGenesisHash(64, '0');

bool file_exists(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0;
}

std::string sha256_hex(const std::string& data) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr) != 1)
        throw storage_error("SHA-256 failed (OpenSSL)");
    static const char* hex = "0123456789abcdef";
    std::string out;
    for (unsigned i = 0; i < len; ++i) {
        out += hex[digest[i] >> 4];
        out += hex[digest[i] & 0xf];
    }
    return out;
}

// What the hash covers: the predecessor's hash and every column of the event.
std::string event_hash(const std::string& prev, std::int64_t seq, const std::string& case_id,
                       const std::string& action, const std::string& at, const std::string& actor,
                       const std::string& recorded_at, const std::string& data) {
    const char sep = '\x1f';
    return sha256_hex(prev + sep + std::to_string(seq) + sep + case_id + sep + action + sep + at + sep +
                      actor + sep + recorded_at + sep + data);
}

// Runs `body` in one IMMEDIATE transaction, retrying the whole of it while other writers hold the lock.
template <class F>
auto write_transaction(sql::Db& db, F&& body) {
    using namespace std::chrono;
    const auto give_up = steady_clock::now() + seconds(120);
    for (int attempt = 0;; ++attempt) {
        try {
            sql::Transaction tx(db);
            if constexpr (std::is_void_v<decltype(body())>) {
                body();
                tx.commit();
                return;
            } else {
                auto result = body();
                tx.commit();
                return result;
            }
        } catch (const sql::Busy&) {
            if (steady_clock::now() > give_up)
                throw storage_error("the database stayed locked by other writers for two minutes; try again");
            std::this_thread::sleep_for(milliseconds(5 + (attempt % 20) * 5));
        }
    }
}

// Runs a read that may meet a writer's lock.
template <class F>
auto read_retrying(F&& body) {
    for (int attempt = 0;; ++attempt) {
        try {
            return body();
        } catch (const sql::Busy&) {
            if (attempt > 2000) throw storage_error("the database stayed locked; try again");
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
    }
}

void insert_calendar(sql::Db& db, const std::vector<CalendarYear>& years, const std::string& source,
                     const std::string& now) {
    sql::Stmt del(db, "DELETE FROM calendar_years WHERE year = ?");
    sql::Stmt del_days(db, "DELETE FROM calendar_days WHERE year = ?");
    sql::Stmt year(db, "INSERT INTO calendar_years (year, source, loaded_at) VALUES (?, ?, ?)");
    sql::Stmt day(db, "INSERT INTO calendar_days (date, year, working, name) VALUES (?, ?, ?, ?)");
    for (const auto& y : years) {
        del_days.reset();
        del_days.bind(1, y.year).run();
        del.reset();
        del.bind(1, y.year).run();
        year.reset();
        year.bind(1, y.year).bind(2, source).bind(3, now).run();
        for (const auto& [d, name] : y.holidays) {
            day.reset();
            day.bind(1, format_date(d)).bind(2, y.year).bind(3, 0).bind(4, name).run();
        }
        for (const auto& [d, name] : y.workdays) {
            day.reset();
            day.bind(1, format_date(d)).bind(2, y.year).bind(3, 1).bind(4, name).run();
        }
    }
}

void insert_workflow(sql::Db& db, const Workflow& w, const std::string& file, const std::string& now) {
    sql::Stmt existing(db, "SELECT source FROM workflows WHERE category = ? AND version = ?");
    existing.bind(1, w.category).bind(2, w.version);
    if (existing.step()) {
        if (existing.text(0) == w.source) return;  // already loaded, unchanged
        throw refused(file + ": workflow '" + w.category + "' version " + std::to_string(w.version) +
                      " is already loaded with different text; raise its version to load the change");
    }
    sql::Stmt ins(db,
                  "INSERT INTO workflows (category, version, name, deadline_days, source, file, loaded_at) "
                  "VALUES (?, ?, ?, ?, ?, ?, ?)");
    ins.bind(1, w.category).bind(2, w.version).bind(3, w.name).bind(4, w.deadline_days).bind(5, w.source);
    ins.bind(6, file).bind(7, now).run();
}

}  // namespace

struct Station::Impl {
    std::string path;
    std::unique_ptr<sql::Db> db;
    std::optional<Calendar> calendar;
    std::map<std::pair<std::string, int>, Workflow> workflows;

    void append(Event& e, const std::string& recorded_at) {
        std::int64_t last_seq = 0;
        std::string prev = kGenesisHash;
        {
            sql::Stmt st(*db, "SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1");
            if (st.step()) {
                last_seq = st.integer(0);
                prev = st.text(1);
            }
        }
        e.seq = last_seq + 1;
        const std::string data = e.data.dump();
        const std::string hash =
            event_hash(prev, e.seq, e.case_id, e.action, e.at, e.actor, recorded_at, data);
        sql::Stmt ins(
            *db,
            "INSERT INTO events (seq, case_id, action, at, actor, recorded_at, data, prev_hash, hash) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
        ins.bind(1, e.seq).bind(2, e.case_id).bind(3, e.action).bind(4, e.at).bind(5, e.actor);
        ins.bind(6, recorded_at).bind(7, data).bind(8, prev).bind(9, hash).run();
        sql::Stmt head(*db, "INSERT OR REPLACE INTO meta (key, value) VALUES ('head', ?)");
        head.bind(1, std::to_string(e.seq) + ":" + hash).run();
    }

    void save_projection(const CaseState& s) {
        sql::Stmt up(
            *db,
            "INSERT INTO cases (id, category, phase, step, suspended, address_key, received_at, deadline, "
            "typical, last_event_at, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET category = excluded.category, phase = excluded.phase, "
            "step = excluded.step, suspended = excluded.suspended, address_key = excluded.address_key, "
            "received_at = excluded.received_at, deadline = excluded.deadline, "
            "typical = excluded.typical, last_event_at = excluded.last_event_at, state = excluded.state");
        up.bind(1, s.id).bind(2, s.category).bind(3, phase_name(s.phase)).bind(4, s.step);
        up.bind(5, s.suspended ? 1 : 0).bind(6, s.address_key).bind(7, s.received_at);
        up.bind_opt(8, s.deadline ? std::optional<std::string>(format_date(*s.deadline)) : std::nullopt);
        up.bind(9, s.typical ? 1 : 0).bind(10, s.last_event_at).bind(11, state_to_json(s).dump()).run();
        sql::Stmt have(*db, "SELECT count(*) FROM case_departments WHERE case_id = ?");
        have.bind(1, s.id).step();
        if (static_cast<size_t>(have.integer(0)) != s.tasks.size()) {
            sql::Stmt ins(*db, "INSERT OR IGNORE INTO case_departments (case_id, department) VALUES (?, ?)");
            for (const auto& t : s.tasks) {
                ins.reset();
                ins.bind(1, s.id).bind(2, t.department).run();
            }
        }
    }

    std::optional<CaseState> load_state(const std::string& id) {
        sql::Stmt st(*db, "SELECT state FROM cases WHERE id = ?");
        st.bind(1, id);
        if (!st.step()) return std::nullopt;
        return state_from_json(json::parse(st.text(0)));
    }

    std::vector<Event> events_of(const std::string& id,
                                 const std::optional<std::string>& before = std::nullopt) {
        sql::Stmt st(
            *db, before ? "SELECT seq, action, at, actor, data FROM events WHERE case_id = ? AND at < ? "
                          "ORDER BY seq"
                        : "SELECT seq, action, at, actor, data FROM events WHERE case_id = ? ORDER BY seq");
        st.bind(1, id);
        if (before) st.bind(2, *before);
        std::vector<Event> out;
        while (st.step()) {
            Event e;
            e.seq = st.integer(0);
            e.case_id = id;
            e.action = st.text(1);
            e.at = st.text(2);
            e.actor = st.text(3);
            e.data = json::parse(st.text(4));
            out.push_back(std::move(e));
        }
        return out;
    }

    std::string next_case_id(int year) {
        sql::Stmt get(*db, "SELECT next FROM id_counters WHERE year = ?");
        get.bind(1, year);
        std::int64_t n = 1;
        if (get.step()) n = get.integer(0);
        sql::Stmt put(*db, "INSERT OR REPLACE INTO id_counters (year, next) VALUES (?, ?)");
        put.bind(1, year).bind(2, n + 1).run();
        char buf[32];
        std::snprintf(buf, sizeof buf, "%04d-%04lld", year, static_cast<long long>(n));
        return buf;
    }
};

void Station::create(const std::string& path, const InitOptions& options, const std::string& now) {
    if (file_exists(path))
        throw refused(path +
                      " already exists; init creates a new database and never touches an existing one");
    if (trim(options.supervisor).empty())
        throw usage_error("init needs the first supervisor: pass --supervisor NAME (or --as NAME)");
    require_text(options.supervisor, "the supervisor's name");
    // Check everything before the file exists, so a bad workflow or calendar leaves nothing behind.
    std::vector<std::pair<Workflow, std::string>> workflows;
    for (const auto& f : options.workflows)
        workflows.emplace_back(load_workflow_or_throw(f.text, f.name), f.name);
    if (workflows.empty()) throw refused("no workflow files to load");
    const auto years = parse_calendar_yaml(options.calendar.text, options.calendar.name);

    auto remove_all = [&] {
        for (const char* suffix : {"", "-wal", "-shm", "-journal"})
            std::remove((path + suffix).c_str());
    };
    try {
        sql::Db db(path, sql::Db::Mode::Create);
        db.exec("PRAGMA journal_mode = WAL");
        db.exec("PRAGMA application_id = " + std::to_string(kApplicationId));
        write_transaction(db, [&] {
            migrate(db);
            sql::Stmt meta(db, "INSERT INTO meta (key, value) VALUES (?, ?)");
            meta.bind(1, "created_at").bind(2, now).run();
            for (const auto& [w, file] : workflows)
                insert_workflow(db, w, file, now);
            insert_calendar(db, years, options.calendar.name, now);
            sql::Stmt staff(
                db,
                "INSERT INTO staff (name, role, department, added_at, added_by) VALUES (?, 'supervisor', "
                "'', ?, ?)");
            staff.bind(1, trim(options.supervisor)).bind(2, now).bind(3, trim(options.supervisor)).run();
        });
    } catch (...) {
        remove_all();
        throw;
    }
}

Station::Station(const std::string& path) : impl_(std::make_unique<Impl>()) {
    impl_->path = path;
    if (!file_exists(path))
        throw not_found("no database at " + path + "; create one with `minsheng init` or pass --db PATH");
    impl_->db = std::make_unique<sql::Db>(path, sql::Db::Mode::ReadWrite);
    auto& db = *impl_->db;
    // Read the header before anything that could write: a foreign file must stay untouched.
    int app_id = 0, version = 0;
    try {
        read_retrying([&] {
            sql::Stmt a(db, "PRAGMA application_id");
            a.step();
            app_id = static_cast<int>(a.integer(0));
            sql::Stmt v(db, "PRAGMA user_version");
            v.step();
            version = static_cast<int>(v.integer(0));
            return 0;
        });
    } catch (const Error& e) {
        throw storage_error(path + " is not a minsheng database (" + e.what() + "); it was left untouched");
    }
    if (app_id != kApplicationId)
        throw storage_error(path + " is not a minsheng database; it was left untouched");
    if (version > schema_version())
        throw storage_error(path + " has schema version " + std::to_string(version) +
                            ", newer than this minsheng (" + std::to_string(schema_version()) +
                            "); upgrade minsheng. The file was left untouched");
    db.exec("PRAGMA foreign_keys = ON");
    if (version < schema_version()) write_transaction(db, [&] { migrate(db); });
}

Station::~Station() = default;

sql::Db& Station::db() {
    return *impl_->db;
}

std::optional<StaffMember> Station::staff(const std::string& name) {
    return read_retrying([&]() -> std::optional<StaffMember> {
        sql::Stmt st(*impl_->db, "SELECT role, department FROM staff WHERE name = ?");
        st.bind(1, name);
        if (!st.step()) return std::nullopt;
        return StaffMember{name, role_from_name(st.text(0)).value_or(Role::Coordinator), st.text(1)};
    });
}

StaffMember Station::require_staff(const std::string& name) {
    if (trim(name).empty())
        throw not_allowed(
            "who is acting? pass --as NAME or set MINSHENG_ACTOR (only registered staff write)");
    auto m = staff(name);
    if (!m)
        throw not_allowed("unknown actor '" + name + "': a supervisor adds staff with `minsheng staff add`");
    return *m;
}

void Station::add_staff(const std::string& actor, const StaffMember& member, const std::string& now) {
    const StaffMember who = require_staff(actor);
    if (who.role != Role::Supervisor)
        throw not_allowed("only supervisors add staff; " + actor + " is a coordinator");
    require_text(member.name, "the staff name");
    require_text(member.department, "the department");
    if (trim(member.name).empty()) throw usage_error("the staff name is empty");
    write_transaction(*impl_->db, [&] {
        sql::Stmt exists(*impl_->db, "SELECT 1 FROM staff WHERE name = ?");
        exists.bind(1, trim(member.name));
        if (exists.step()) throw refused("'" + trim(member.name) + "' is already registered");
        sql::Stmt ins(
            *impl_->db,
            "INSERT INTO staff (name, role, department, added_at, added_by) VALUES (?, ?, ?, ?, ?)");
        ins.bind(1, trim(member.name)).bind(2, role_name(member.role)).bind(3, trim(member.department));
        ins.bind(4, now).bind(5, actor).run();
    });
}

std::vector<WorkflowInfo> Station::workflows() {
    return read_retrying([&] {
        sql::Stmt st(
            *impl_->db,
            "SELECT category, name, version, deadline_days, loaded_at FROM workflows ORDER BY category, "
            "version");
        std::vector<WorkflowInfo> out;
        while (st.step())
            out.push_back({st.text(0), st.text(1), static_cast<int>(st.integer(2)),
                           static_cast<int>(st.integer(3)), st.text(4)});
        return out;
    });
}

std::vector<std::string> Station::load_workflows(const std::vector<SourceFile>& files,
                                                 const std::string& now) {
    std::vector<std::pair<Workflow, std::string>> parsed;
    for (const auto& f : files)
        parsed.emplace_back(load_workflow_or_throw(f.text, f.name), f.name);
    std::vector<std::string> out;
    write_transaction(*impl_->db, [&] {
        out.clear();
        for (const auto& [w, file] : parsed) {
            insert_workflow(*impl_->db, w, file, now);
            out.push_back(w.category + " v" + std::to_string(w.version));
        }
    });
    return out;
}

const Workflow& Station::workflow(const std::string& category, std::optional<int> version) {
    return *read_retrying([&]() -> const Workflow* {
        sql::Stmt st(*impl_->db,
                     version ? "SELECT version, source, file FROM workflows WHERE category = ? AND "
                               "version = ?"
                             : "SELECT version, source, file FROM workflows WHERE category = ? ORDER BY "
                               "version DESC LIMIT 1");
        st.bind(1, category);
        if (version) st.bind(2, *version);
        if (!st.step()) {
            std::string known;
            for (const auto& w : workflows())
                if (known.find(w.category) == std::string::npos)
                    known += (known.empty() ? "" : ", ") + w.category;
            throw not_found("no workflow for category '" + category + "' (categories: " + known + ")");
        }
        const int v = static_cast<int>(st.integer(0));
        auto key = std::make_pair(category, v);
        auto it = impl_->workflows.find(key);
        if (it == impl_->workflows.end())
            it = impl_->workflows.emplace(key, load_workflow_or_throw(st.text(1), st.text(2))).first;
        return &it->second;
    });
}

const Calendar& Station::calendar() {
    if (!impl_->calendar) {
        impl_->calendar = read_retrying([&] {
            std::map<int, CalendarYear> years;
            sql::Stmt ys(*impl_->db, "SELECT year FROM calendar_years");
            while (ys.step())
                years[static_cast<int>(ys.integer(0))].year = static_cast<int>(ys.integer(0));
            sql::Stmt ds(*impl_->db, "SELECT date, year, working, name FROM calendar_days ORDER BY date");
            while (ds.step()) {
                auto& y = years[static_cast<int>(ds.integer(1))];
                (ds.integer(2) ? y.workdays : y.holidays).emplace_back(parse_date(ds.text(0)), ds.text(3));
            }
            std::vector<CalendarYear> list;
            for (auto& [_, y] : years)
                list.push_back(std::move(y));
            return Calendar(std::move(list));
        });
    }
    return *impl_->calendar;
}

std::vector<int> Station::load_calendar(const SourceFile& file, const std::string& now) {
    const auto years = parse_calendar_yaml(file.text, file.name);
    std::vector<int> out;
    for (const auto& y : years)
        out.push_back(y.year);
    write_transaction(*impl_->db, [&] { insert_calendar(*impl_->db, years, file.name, now); });
    // Deadlines depend on the calendar: recompute them all from the events.
    impl_->calendar.reset();
    rebuild_projection();
    return out;
}

OpenCaseResult Station::open_case(const std::string& category, const ReportInput& report, bool force_new,
                                  const std::string& actor, const std::string& now) {
    require_staff(actor);
    const Workflow& w = workflow(category);
    const Calendar& cal = calendar();
    return write_transaction(*impl_->db, [&] {
        auto& db = *impl_->db;
        const std::string key = normalize_address(trim(report.address));
        if (!force_new && !key.empty()) {
            sql::Stmt match(
                db,
                "SELECT id FROM cases WHERE category = ? AND address_key = ? AND phase IN ('intake', "
                "'coordination', 'follow_up') ORDER BY received_at, id LIMIT 1");
            match.bind(1, category).bind(2, key);
            if (match.step()) {
                const std::string id = match.text(0);
                CaseState s = *impl_->load_state(id);
                Event e = make_report_event(s, report, actor);
                impl_->append(e, now);
                apply_event(s, e, cal);
                impl_->save_projection(s);
                return OpenCaseResult{id, true};
            }
        }
        Event e = make_open_event(w, "", report, actor);
        e.case_id = impl_->next_case_id(date_of(report.at).year());
        impl_->append(e, now);
        CaseState s;
        apply_event(s, e, cal);
        impl_->save_projection(s);
        return OpenCaseResult{e.case_id, false};
    });
}

Event Station::do_action(const std::string& id, ActionRequest request, const std::string& default_at,
                         const std::string& now) {
    const StaffMember who = require_staff(request.actor);
    request.role = who.role;
    const Calendar& cal = calendar();
    return write_transaction(*impl_->db, [&] {
        auto state = impl_->load_state(id);
        if (!state) throw not_found("no case " + id);
        ActionRequest r = request;
        if (r.at.empty()) {
            r.at = default_at;
            // "Now" never lies before what is already logged for the same day.
            if (r.at < state->last_event_at && r.at.substr(0, 10) == state->last_event_at.substr(0, 10))
                r.at = state->last_event_at;
        }
        const Workflow& w = workflow(state->category, state->workflow_version);
        Event e = decide_action(w, *state, r, cal);
        impl_->append(e, now);
        apply_event(*state, e, cal);
        impl_->save_projection(*state);
        return e;
    });
}

CaseState Station::get_case(const std::string& id) {
    auto s = read_retrying([&] { return impl_->load_state(id); });
    if (!s) throw not_found("no case " + id + "; `minsheng case list` shows the cases");
    return *s;
}

std::vector<Event> Station::history(const std::string& id) {
    get_case(id);
    return read_retrying([&] { return impl_->events_of(id); });
}

std::string Station::workflow_label(const CaseState& c) {
    const Workflow& w = workflow(c.category, c.workflow_version);
    const Step* st = w.find_step(c.step);
    return st ? st->label : c.step;
}

void Station::list_cases(const CaseFilter& f, Date today, const std::function<void(const CaseState&)>& each) {
    // Fixed SQL fragments chosen by which filters are present; every value is bound.
    std::string sql = "SELECT state FROM cases c WHERE 1 = 1";
    if (f.phase) sql += " AND c.phase = ?1";
    if (f.category) sql += " AND c.category = ?2";
    if (f.department)
        sql += " AND EXISTS (SELECT 1 FROM case_departments d WHERE d.case_id = c.id AND d.department = ?3)";
    if (f.overdue_only)
        sql += " AND c.phase IN ('intake', 'coordination') AND (c.deadline < ?4 OR c.suspended = 1)";
    sql += " ORDER BY c.received_at, c.id";
    const Calendar& cal = calendar();
    sql::Stmt st(*impl_->db, sql);
    if (f.phase) st.bind(1, phase_name(*f.phase));
    if (f.category) st.bind(2, *f.category);
    if (f.department) st.bind(3, *f.department);
    if (f.overdue_only) st.bind(4, format_date(today));
    while (st.step()) {
        CaseState s = state_from_json(json::parse(st.text(0)));
        if (f.overdue_only && !clock_at(s, today, cal).overdue) continue;
        each(s);
    }
}

std::vector<std::pair<CaseState, ClockView>> Station::overdue_as_of(Date as_of) {
    const Calendar& cal = calendar();
    const std::string day = format_date(as_of);
    const std::string next = format_date(as_of + boost::gregorian::days(1));
    std::vector<std::pair<CaseState, ClockView>> out;
    auto consider = [&](CaseState s) {
        ClockView v = clock_at(s, as_of, cal);
        if (v.overdue) out.emplace_back(std::move(s), v);
    };
    read_retrying([&] {
        out.clear();
        // Cases with nothing logged after the day: their projection is how they stood then.
        sql::Stmt now_state(*impl_->db,
                            "SELECT state FROM cases WHERE phase IN ('intake', 'coordination') AND "
                            "(deadline < ?1 OR suspended = 1) AND last_event_at < ?2");
        now_state.bind(1, day).bind(2, next);
        while (now_state.step())
            consider(state_from_json(json::parse(now_state.text(0))));
        // Cases that changed after the day: replay their events up to the end of it.
        sql::Stmt changed(*impl_->db, "SELECT id FROM cases WHERE last_event_at >= ?1 AND received_at < ?1");
        changed.bind(1, next);
        std::vector<std::string> ids;
        while (changed.step())
            ids.push_back(changed.text(0));
        for (const auto& id : ids) {
            auto events = impl_->events_of(id, next);
            if (!events.empty()) consider(replay(events, cal));
        }
        return 0;
    });
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
        if (a.second.working_days_overdue != b.second.working_days_overdue)
            return a.second.working_days_overdue > b.second.working_days_overdue;
        if (a.second.deadline != b.second.deadline) return *a.second.deadline < *b.second.deadline;
        return a.first.received_at < b.first.received_at;
    });
    return out;
}

VerifyResult Station::verify() {
    VerifyResult r;
    auto& db = *impl_->db;
    const Calendar& cal = calendar();
    read_retrying([&] {
        r = VerifyResult{};
        sql::Stmt st(db,
                     "SELECT seq, case_id, action, at, actor, recorded_at, data, prev_hash, hash FROM events "
                     "ORDER BY seq");
        std::string prev = kGenesisHash;
        std::int64_t expect = 1;
        while (st.step()) {
            const std::int64_t seq = st.integer(0);
            const std::string where =
                "event " + std::to_string(seq) + " (case " + st.text(1) + ", " + st.text(2) + ")";
            auto bad = [&](const std::string& what) {
                r.ok = false;
                r.problem = what;
            };
            if (seq != expect) {
                bad("event " + std::to_string(expect) + " is missing: the log jumps from event " +
                    std::to_string(expect - 1) + " to " + std::to_string(seq));
                return 0;
            }
            if (st.text(7) != prev) {
                bad(where +
                    " does not follow its predecessor: its previous-hash does not match (inserted or "
                    "reordered)");
                return 0;
            }
            const std::string h =
                event_hash(prev, seq, st.text(1), st.text(2), st.text(3), st.text(4), st.text(5), st.text(6));
            if (h != st.text(8)) {
                bad(where + " was altered: its content does not match its hash");
                return 0;
            }
            prev = st.text(8);
            ++expect;
            ++r.events;
        }
        sql::Stmt head(db, "SELECT value FROM meta WHERE key = 'head'");
        const std::string expected_head = std::to_string(expect - 1) + ":" + prev;
        if (head.step() ? head.text(0) != expected_head : r.events > 0) {
            r.ok = false;
            r.problem = "the log ends at event " + std::to_string(expect - 1) +
                        " but was last written further: events at the end were deleted";
            return 0;
        }
        // The projection must equal a replay of the events.
        sql::Stmt cases(db, "SELECT id, state FROM cases ORDER BY id");
        while (cases.step()) {
            ++r.cases;
            const std::string id = cases.text(0);
            const json stored = json::parse(cases.text(1));
            const json replayed = state_to_json(replay(impl_->events_of(id), cal));
            if (stored != replayed) {
                r.ok = false;
                r.problem = "the current state of case " + id +
                            " differs from its events (run `audit verify` after "
                            "a rebuild, or restore a backup)";
                return 0;
            }
        }
        sql::Stmt orphans(
            db, "SELECT count(DISTINCT case_id) FROM events WHERE case_id NOT IN (SELECT id FROM cases)");
        orphans.step();
        if (orphans.integer(0) > 0) {
            r.ok = false;
            r.problem =
                std::to_string(orphans.integer(0)) + " case(s) in the log are missing from the current state";
        }
        return 0;
    });
    return r;
}

void Station::rebuild_projection() {
    auto& db = *impl_->db;
    const Calendar& cal = calendar();
    write_transaction(db, [&] {
        db.exec("DELETE FROM case_departments");
        db.exec("DELETE FROM cases");
        sql::Stmt st(db, "SELECT seq, case_id, action, at, actor, data FROM events ORDER BY case_id, seq");
        CaseState s;
        bool have = false;
        while (st.step()) {
            Event e;
            e.seq = st.integer(0);
            e.case_id = st.text(1);
            e.action = st.text(2);
            e.at = st.text(3);
            e.actor = st.text(4);
            e.data = json::parse(st.text(5));
            if (have && e.case_id != s.id) {
                impl_->save_projection(s);
                s = CaseState{};
            }
            apply_event(s, e, cal);
            have = true;
        }
        if (have) impl_->save_projection(s);
    });
}

}  // namespace minsheng
