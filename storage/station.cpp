// The station database: opening and creating it, staff, workflows, calendar, and the case log with its
// projection. Business decisions are the engine's (runtime.h); this file persists them.
#include "storage/station.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <set>
#include <thread>

#include "engine/error.h"
#include "engine/statutory.h"
#include "engine/text.h"
#include "storage/schema.h"
#include "storage/sqlite.h"
#include "storage/state_json.h"

namespace minsheng {

using nlohmann::json;

namespace {

const std::string kGenesisHash(64, '0');

bool file_exists(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0;
}

// What the hash covers: the predecessor's hash and every column of the event, joined by the unit separator.
// Fed to SHA-256 piece by piece (no joined copy), with the digest implementation fetched once.
std::string event_hash(const std::string& prev, std::int64_t seq, const std::string& case_id,
                       const std::string& action, const std::string& at, const std::string& actor,
                       const std::string& recorded_at, const std::string& data) {
    struct Sha256 {
        // Only a digest is needed: skip OpenSSL's configuration file and its tables of every cipher and
        // digest, which cost a write command more time than the hashing.
        bool init = OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG | OPENSSL_INIT_NO_ADD_ALL_CIPHERS |
                                            OPENSSL_INIT_NO_ADD_ALL_DIGESTS,
                                        nullptr) == 1;
        EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
        EVP_MD_CTX* ctx = EVP_MD_CTX_new();
        ~Sha256() {
            EVP_MD_CTX_free(ctx);
            EVP_MD_free(md);
        }
    };
    static thread_local Sha256 sha;
    if (!sha.init || !sha.md || !sha.ctx || EVP_DigestInit_ex(sha.ctx, sha.md, nullptr) != 1)
        throw storage_error("SHA-256 failed (OpenSSL)");
    const char sep = '\x1f';
    const std::string seq_text = std::to_string(seq);
    bool ok = true;
    bool first = true;
    for (const std::string* part : {&prev, &seq_text, &case_id, &action, &at, &actor, &recorded_at, &data}) {
        if (!first) ok = ok && EVP_DigestUpdate(sha.ctx, &sep, 1) == 1;
        first = false;
        ok = ok && EVP_DigestUpdate(sha.ctx, part->data(), part->size()) == 1;
    }
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (!ok || EVP_DigestFinal_ex(sha.ctx, digest, &len) != 1)
        throw storage_error("SHA-256 failed (OpenSSL)");
    static const char* hex = "0123456789abcdef";
    std::string out(2 * len, '0');
    for (unsigned i = 0; i < len; ++i) {
        out[2 * i] = hex[digest[i] >> 4];
        out[2 * i + 1] = hex[digest[i] & 0xf];
    }
    return out;
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
    sql::Stmt year(db,
                   "INSERT INTO calendar_years (year, source, loaded_at, provisional) VALUES (?, ?, ?, ?)");
    sql::Stmt day(db, "INSERT INTO calendar_days (date, year, working, name) VALUES (?, ?, ?, ?)");
    for (const auto& y : years) {
        del_days.reset();
        del_days.bind(1, y.year).run();
        del.reset();
        del.bind(1, y.year).run();
        year.reset();
        year.bind(1, y.year).bind(2, source).bind(3, now).bind(4, y.provisional ? 1 : 0).run();
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

// The station's calendar as stored (every year, provisional ones marked).
Calendar read_calendar(sql::Db& db) {
    std::map<int, CalendarYear> years;
    sql::Stmt ys(db, "SELECT year, provisional FROM calendar_years");
    while (ys.step()) {
        auto& y = years[static_cast<int>(ys.integer(0))];
        y.year = static_cast<int>(ys.integer(0));
        y.provisional = ys.integer(1) != 0;
    }
    sql::Stmt ds(db, "SELECT date, year, working, name FROM calendar_days ORDER BY date");
    while (ds.step()) {
        auto& y = years[static_cast<int>(ds.integer(1))];
        (ds.integer(2) ? y.workdays : y.holidays).emplace_back(parse_date(ds.text(0)), ds.text(3));
    }
    std::vector<CalendarYear> list;
    for (auto& [_, y] : years)
        list.push_back(std::move(y));
    return Calendar(std::move(list));
}

// What a calendar change is compared on, per case: each round's deadline, whether it is provisional, and the
// on-time verdict of a resolved round.
json rounds_summary(const std::vector<ClockRound>& rounds) {
    json out = json::array();
    for (const auto& r : rounds)
        out.push_back({{"start", format_date(r.start)},
                       {"deadline", r.deadline ? json(format_date(*r.deadline)) : json(nullptr)},
                       {"provisional", r.deadline_provisional},
                       {"on_time", r.on_time ? json(*r.on_time) : json(nullptr)}});
    return out;
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
                  "INSERT INTO workflows (category, version, name, deadline_days, source, file, loaded_at, "
                  "initial_step, description) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    ins.bind(1, w.category).bind(2, w.version).bind(3, w.name).bind(4, w.deadline_days).bind(5, w.source);
    ins.bind(6, file).bind(7, now).bind(8, w.initial_step().id).bind(9, w.description).run();
    store_workflow_steps(db, w);
}

// Removes what a killed `init` left beside `path`: its temporary station (`PATH.init-PID`, with -wal, -shm or
// -journal) whose process no longer exists. A live process's files, or anything else, are left alone.
void remove_abandoned_init_files(const std::string& path) {
    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::path target(path);
    const fs::path folder = target.has_parent_path() ? target.parent_path() : fs::path(".");
    const std::string prefix = target.filename().string() + ".init-";
    for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (name.compare(0, prefix.size(), prefix) != 0) continue;
        const std::string rest = name.substr(prefix.size());
        const std::size_t digits = std::min(rest.find_first_not_of("0123456789"), rest.size());
        const std::string suffix = rest.substr(digits);
        if (digits == 0 || digits > 9 ||
            (suffix != "" && suffix != "-wal" && suffix != "-shm" && suffix != "-journal"))
            continue;
        const pid_t pid = static_cast<pid_t>(std::stol(rest.substr(0, digits)));
        if (pid > 0 && ::kill(pid, 0) != 0 && errno == ESRCH) fs::remove(it->path(), ec);
    }
}

}  // namespace

struct Station::Impl {
    std::string path;
    std::unique_ptr<sql::Db> db;
    std::unique_ptr<sql::StmtCache> stmts;  // declared after db: finalized before the connection closes
    std::optional<Calendar> calendar;
    std::map<std::pair<std::string, int>, Workflow> workflows;

    // What a write transaction knows without asking the database again. Valid only inside one transaction
    // (another process may write between two), so cleared whenever one begins or ends.
    struct TxCache {
        std::optional<std::pair<std::int64_t, std::string>> head;  // last event's seq and hash
        bool head_dirty = false;                                   // meta 'head' not yet written
        std::map<int, std::int64_t> next_ids;                      // year -> next case number
        std::map<int, bool> next_ids_dirty;
    };
    TxCache tx;
    std::string read_only;                // why the station cannot be written, empty when it can
    std::optional<CaseState> last_state;  // the case last saved in this transaction
    int depth = 0;                        // 0: no transaction; 1: a transaction; >1: savepoints in it

    sql::StmtCache::Lease stmt(const std::string& sql) { return stmts->get(sql); }

    // After a large write: copies the WAL into the file and empties it (best effort; readers may hold it).
    void checkpoint() {
        if (depth > 0) return;
        sqlite3_wal_checkpoint_v2(db->handle(), nullptr, SQLITE_CHECKPOINT_TRUNCATE, nullptr, nullptr);
    }

    void forget() {
        tx = TxCache{};
        last_state.reset();
    }

    // Writes what the transaction kept in memory; runs just before COMMIT.
    void flush() {
        if (tx.head_dirty) {
            auto head = stmt("INSERT OR REPLACE INTO meta (key, value) VALUES ('head', ?)");
            head->bind(1, std::to_string(tx.head->first) + ":" + tx.head->second).run();
            tx.head_dirty = false;
        }
        for (auto& [year, dirty] : tx.next_ids_dirty) {
            if (!dirty) continue;
            auto put = stmt("INSERT OR REPLACE INTO id_counters (year, next) VALUES (?, ?)");
            put->bind(1, year).bind(2, tx.next_ids[year]).run();
            dirty = false;
        }
    }

    // Runs `body`, then `then`, and returns what `body` returned (if anything).
    template <class F, class Then>
    static auto run_then(F& body, Then&& then) {
        if constexpr (std::is_void_v<decltype(body())>) {
            body();
            then();
        } else {
            auto result = body();
            then();
            return result;
        }
    }

    // Runs `body` in one IMMEDIATE transaction, retrying the whole of it while other writers hold the lock.
    // Inside a transaction already (batch, import), `body` runs in a savepoint of it instead.
    template <class F>
    auto write(F&& body) {
        if (!read_only.empty())
            throw storage_error(path + " is read-only (" + read_only + "): nothing was changed");
        if (depth > 0) {
            const TxCache saved = tx;
            stmt("SAVEPOINT w")->run();
            ++depth;
            try {
                return run_then(body, [&] {
                    --depth;
                    stmt("RELEASE w")->run();
                });
            } catch (...) {
                --depth;
                sqlite3_exec(db->handle(), "ROLLBACK TO w; RELEASE w", nullptr, nullptr, nullptr);
                tx = saved;
                last_state.reset();
                throw;
            }
        }
        using namespace std::chrono;
        const auto give_up = steady_clock::now() + seconds(120);
        for (int attempt = 0;; ++attempt) {
            struct Scope {
                Impl& impl;
                explicit Scope(Impl& i) : impl(i) {
                    impl.forget();
                    impl.depth = 1;
                }
                ~Scope() {
                    impl.depth = 0;
                    impl.forget();
                }
            };
            try {
                sql::Transaction t(*db);
                Scope scope(*this);
                return run_then(body, [&] {
                    flush();
                    t.commit();
                });
            } catch (const sql::Busy&) {
                if (steady_clock::now() > give_up)
                    throw storage_error(
                        "the database stayed locked by other writers for two minutes; try again");
                std::this_thread::sleep_for(milliseconds(5 + (attempt % 20) * 5));
            }
        }
    }

    void append(Event& e, const std::string& recorded_at) {
        e.recorded_at = recorded_at;
        if (!tx.head) {
            auto st = stmt("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1");
            tx.head.emplace(0, kGenesisHash);
            if (st->step()) tx.head.emplace(st->integer(0), st->text(1));
        }
        e.seq = tx.head->first + 1;
        const std::string data = e.data.dump();
        std::string hash =
            event_hash(tx.head->second, e.seq, e.case_id, e.action, e.at, e.actor, recorded_at, data);
        {
            auto ins = stmt(
                "INSERT INTO events (seq, case_id, action, at, actor, recorded_at, data, prev_hash, hash) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
            ins->bind(1, e.seq).bind(2, e.case_id).bind(3, e.action).bind(4, e.at).bind(5, e.actor);
            ins->bind(6, recorded_at).bind(7, data).bind(8, tx.head->second).bind(9, hash).run();
        }
        tx.head.emplace(e.seq, std::move(hash));
        tx.head_dirty = true;
    }

    // Writes the case's projection row: a new case is inserted; an existing one has only the columns that an
    // event can change updated (id, category, address and receipt never change, and leaving them out of the
    // UPDATE spares SQLite the maintenance of the indexes on them).
    void save_projection(const CaseState& s, bool is_new) {
        const std::string state = storage_detail::state_json(s);
        if (is_new) {
            auto ins = stmt(
                "INSERT INTO cases (id, category, phase, step, suspended, address_key, received_at, "
                "deadline, "
                "typical, last_event_at, state, address_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
            ins->bind(1, s.id).bind(2, s.category).bind(3, phase_name(s.phase)).bind(4, s.step);
            ins->bind(5, s.suspended ? 1 : 0).bind(6, s.address_key).bind(7, s.received_at);
            if (s.deadline)
                ins->bind(8, format_date(*s.deadline));
            else
                ins->bind_null(8);
            ins->bind(9, s.typical ? 1 : 0).bind(10, s.last_event_at).bind(11, state);
            ins->bind(12, address_hash(s.category, s.address_key)).run();
        } else {
            auto up = stmt(
                "UPDATE cases SET phase = ?, step = ?, suspended = ?, deadline = ?, typical = ?, "
                "last_event_at = ?, "
                "state = ? WHERE id = ?");
            up->bind(1, phase_name(s.phase)).bind(2, s.step).bind(3, s.suspended ? 1 : 0);
            if (s.deadline)
                up->bind(4, format_date(*s.deadline));
            else
                up->bind_null(4);
            up->bind(5, s.typical ? 1 : 0).bind(6, s.last_event_at).bind(7, state).bind(8, s.id).run();
            if (sqlite3_changes(db->handle()) != 1)
                throw storage_error("case " + s.id + " vanished while being saved");
        }
        // Departments are only ever added to a case: insert the ones the table lacks.
        if (!s.tasks.empty()) {
            std::int64_t have = 0;
            {
                auto count = stmt("SELECT count(*) FROM case_departments WHERE case_id = ?");
                count->bind(1, s.id).step();
                have = count->integer(0);
            }
            if (static_cast<size_t>(have) != s.tasks.size()) {
                for (const auto& t : s.tasks) {
                    auto ins =
                        stmt("INSERT OR IGNORE INTO case_departments (case_id, department) VALUES (?, ?)");
                    ins->bind(1, s.id).bind(2, t.department).run();
                }
            }
        }
        if (depth > 0) last_state = s;
    }

    std::optional<CaseState> load_state(const std::string& id) {
        if (depth > 0 && last_state && last_state->id == id) return last_state;
        auto st = stmt("SELECT state FROM cases WHERE id = ?");
        st->bind(1, id);
        if (!st->step()) return std::nullopt;
        const std::string_view text = st->view(0);
        return storage_detail::state_from_text(text);
    }

    std::vector<Event> events_of(const std::string& id,
                                 const std::optional<std::string>& before = std::nullopt) {
        auto st = stmt(
            before ? "SELECT seq, action, at, actor, data, recorded_at FROM events WHERE case_id = ? AND "
                     "at < ? ORDER BY seq"
                   : "SELECT seq, action, at, actor, data, recorded_at FROM events WHERE case_id = ? "
                     "ORDER BY seq");
        st->bind(1, id);
        if (before) st->bind(2, *before);
        std::vector<Event> out;
        while (st->step()) {
            Event e;
            e.seq = st->integer(0);
            e.case_id = id;
            e.action = st->text(1);
            e.at = st->text(2);
            e.actor = st->text(3);
            const std::string_view data = st->view(4);
            e.data = json::parse(data.begin(), data.end());
            e.recorded_at = st->text(5);
            out.push_back(std::move(e));
        }
        return out;
    }

    std::string next_case_id(int year) {
        auto it = tx.next_ids.find(year);
        if (it == tx.next_ids.end()) {
            auto get = stmt("SELECT next FROM id_counters WHERE year = ?");
            get->bind(1, year);
            it = tx.next_ids.emplace(year, get->step() ? get->integer(0) : 1).first;
        }
        const std::int64_t n = it->second++;
        tx.next_ids_dirty[year] = true;
        char buf[32];
        std::snprintf(buf, sizeof buf, "%04d-%04lld", year, static_cast<long long>(n));
        return buf;
    }

    // Opens a case or attaches a repeat report, inside the current transaction (SPEC `case open`).
    // `opening` is asked for only when a new case is opened.
    OpenCaseResult open_in_tx(const std::string& category, const std::function<WorkflowOpening()>& opening,
                              const ReportInput& report, bool force_new, const std::string& actor,
                              const std::string& now, const Calendar& cal) {
        // One-line fields stay one line (a ledger cell or a terminal table cannot hold a line break or tab in
        // them, and an export must import again); only the summary may run over several lines.
        require_text(report.address, "the address");
        require_text(report.reporter, "the reporter");
        require_text(report.phone, "the phone");
        require_text(report.channel, "the channel");
        require_text(report.summary, "the summary", true);
        // normalize_address drops all white space, so the address needs no trim first.
        const std::string key = normalize_address(report.address);
        if (!force_new && !key.empty()) {
            // The oldest open case at the address. Usually there is none or one, so the choice is made here
            // rather than by an ORDER BY, which would cost a temporary b-tree on every call.
            std::optional<std::string> id;
            {
                auto match = stmt(
                    "SELECT id, received_at FROM cases WHERE address_hash = ? AND category = ? AND "
                    "address_key = ? AND phase NOT IN ('closed', 'rejected')");
                match->bind(1, address_hash(category, key)).bind(2, category).bind(3, key);
                std::string best_at;
                while (match->step()) {
                    const std::string_view at = match->view(1), cid = match->view(0);
                    if (!id || at < best_at || (at == best_at && cid < *id)) {
                        id = std::string(cid);
                        best_at = std::string(at);
                    }
                }
            }
            if (id) {
                CaseState s = *load_state(*id);
                Event e = make_report_event(s, report, actor);
                append(e, now);
                apply_event(s, e, cal);
                save_projection(s, false);
                return OpenCaseResult{*id, true};
            }
        }
        Event e = make_open_event(opening(), "", report, actor);
        e.case_id = next_case_id(date_of(report.at).year());
        append(e, now);
        CaseState s;
        apply_event(s, e, cal);
        save_projection(s, true);
        return OpenCaseResult{e.case_id, false};
    }
};

void Station::create(const std::string& path, const InitOptions& options, const std::string& now) {
    remove_abandoned_init_files(path);
    if (file_exists(path))
        throw refused(path +
                      " already exists; init creates a new database and never touches an existing one");
    if (trim(options.supervisor).empty())
        throw usage_error("init needs the first supervisor: pass --supervisor NAME (or --as NAME)");
    const std::string supervisor = checked_name(options.supervisor, "the supervisor's name");
    // Check everything before the file exists, so a bad workflow or calendar leaves nothing behind.
    std::vector<std::pair<Workflow, std::string>> workflows;
    for (const auto& f : options.workflows)
        workflows.emplace_back(load_workflow_or_throw(f.text, f.name), f.name);
    if (workflows.empty()) throw refused("no workflow files to load");
    const auto years = parse_calendar_yaml(options.calendar.text, options.calendar.name);

    // The station is built under a temporary name beside its final one and linked into place only when it
    // is whole: a kill at any moment leaves no file or a whole station at `path`, never a half-made one that
    // blocks the next `init`. link() also refuses when `path` appeared meanwhile (another init won).
    const std::string tmp = path + ".init-" + std::to_string(::getpid());
    auto remove_tmp = [&] {
        for (const char* suffix : {"", "-wal", "-shm", "-journal"})
            std::remove((tmp + suffix).c_str());
    };
    remove_tmp();
    try {
        {
            sql::Db db(tmp, sql::Db::Mode::Create);
            db.exec("PRAGMA journal_mode = WAL");
            db.exec("PRAGMA application_id = " + std::to_string(kApplicationId));
            // A new file nobody else can have open yet: one plain transaction.
            sql::Transaction tx(db);
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
            staff.bind(1, supervisor).bind(2, now).bind(3, supervisor).run();
            tx.commit();
        }  // closed: the WAL is checkpointed into the file and removed
        if (::link(tmp.c_str(), path.c_str()) != 0) {
            const int error = errno;
            if (error == EEXIST)
                throw refused(path +
                              " already exists; init creates a new database and never touches an "
                              "existing one");
            if (error == ENOSPC) throw storage_error("cannot create " + path + ": the disk is full");
            throw storage_error("cannot create " + path + ": " + std::strerror(error));
        }
        remove_tmp();
    } catch (...) {
        remove_tmp();
        throw;
    }
}

Station::Station(const std::string& path) : impl_(std::make_unique<Impl>()) {
    impl_->path = path;
    if (!file_exists(path))
        throw not_found("no database at " + path + "; create one with `minsheng init` or pass --db PATH");
    auto open = [&](sql::Db::Mode mode) {
        impl_->stmts.reset();
        impl_->db = std::make_unique<sql::Db>(path, mode);
        impl_->stmts = std::make_unique<sql::StmtCache>(*impl_->db);
    };
    // Read the header before anything that could write: a foreign file must stay untouched.
    int app_id = 0, version = 0;
    auto read_header = [&] {
        read_retrying([&] {
            sql::Stmt a(*impl_->db, "PRAGMA application_id");
            a.step();
            app_id = static_cast<int>(a.integer(0));
            sql::Stmt v(*impl_->db, "PRAGMA user_version");
            v.step();
            version = static_cast<int>(v.integer(0));
            return 0;
        });
    };
    open(sql::Db::Mode::ReadWrite);
    try {
        read_header();
    } catch (const Error& e) {
        const int code = sqlite3_extended_errcode(impl_->db->handle()) & 0xff;
        const int os = impl_->db->system_errno();
        if (code == SQLITE_FULL || os == ENOSPC || os == EDQUOT)
            throw storage_error("cannot open " + path +
                                ": the disk is full; free some space and run the command again");
        const bool cannot_write = os == EROFS || os == EACCES || os == EPERM || code == SQLITE_READONLY ||
                                  code == SQLITE_CANTOPEN || ::access(path.c_str(), W_OK) != 0;
        if (code == SQLITE_NOTADB || !cannot_write)
            throw storage_error(path + " is not a minsheng database (" + e.what() +
                                "); it was left untouched");
        // Read-only media, or no permission to write the file or its folder (where the WAL's files live):
        // reads still work, writes are refused with that reason.
        impl_->read_only = os == EROFS ? "it is on a read-only file system"
                                       : "there is no permission to write it or its folder";
        // Read-only with its WAL when the WAL's files are there to read, else the file alone (then nothing
        // can be in a WAL: the last writer checkpointed and removed it).
        try {
            open(sql::Db::Mode::ReadOnly);
            read_header();
        } catch (const Error&) {
            open(sql::Db::Mode::ReadOnlyImmutable);
            try {
                read_header();
            } catch (const Error& again) {
                throw storage_error(path + " cannot be read (" + again.what() + "); it was left untouched");
            }
        }
    }
    auto& db = *impl_->db;
    if (app_id != kApplicationId)
        throw storage_error(path + " is not a minsheng database; it was left untouched");
    if (version > schema_version())
        throw storage_error(path + " has schema version " + std::to_string(version) +
                            ", newer than this minsheng (" + std::to_string(schema_version()) +
                            "); upgrade minsheng. The file was left untouched");
    db.exec("PRAGMA foreign_keys = ON");
    // Statement and savepoint journals (the original pages a statement or a savepoint may have to restore) in
    // memory rather than in a temporary file: they hold a few pages each, and a file costs a write per page.
    db.exec("PRAGMA temp_store = MEMORY");
    // WAL with synchronous=NORMAL: a commit is not fsynced; it is durable against a crash of the program and
    // the file is never corrupted (SQLite's guarantee for WAL with NORMAL). The last connection to close
    // still checkpoints the WAL into the file (with its fsyncs) and removes it, so between commands the
    // station is the one file, whole, as backups and copies expect.
    db.exec("PRAGMA synchronous = NORMAL");
    if (version < schema_version()) {
        // Migrations build on what the earlier ones made: a schema that is not what its version says (a
        // user_version reset, a table dropped) is named, not met halfway by a raw SQLite error.
        const std::string damage = read_retrying([&] { return schema_difference(db, version); });
        if (!damage.empty())
            throw storage_error(path + " 的数据库结构与其版本号 " + std::to_string(version) + " 不符（" +
                                damage + "），文件未改动；请从备份恢复");
        if (!impl_->read_only.empty())
            throw storage_error(path + " is read-only (" + impl_->read_only +
                                ") and was made by an older minsheng whose schema must be upgraded first");
        impl_->write([&] { migrate(db); });
        // Stations older than schema 4 stored the calendar's messages in English: rebuild the projection
        // once so that it equals a replay under this version (audit verify compares the two).
        if (version < 4) rebuild_projection();
    }
}

Station::~Station() = default;

sql::Db& Station::db() {
    return *impl_->db;
}

std::optional<StaffMember> Station::staff(const std::string& name) {
    return read_retrying([&]() -> std::optional<StaffMember> {
        auto st = impl_->stmt("SELECT role, department FROM staff WHERE name = ?");
        st->bind(1, name);
        if (!st->step()) return std::nullopt;
        return StaffMember{name, role_from_name(st->text(0)).value_or(Role::Coordinator), st->text(1)};
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
    const std::string name = checked_name(member.name, "the staff name");
    require_text(member.department, "the department");
    impl_->write([&] {
        std::vector<std::string> registered;
        sql::Stmt all(*impl_->db, "SELECT name FROM staff");
        while (all.step())
            registered.push_back(all.text(0));
        check_new_name(name, registered);
        sql::Stmt ins(
            *impl_->db,
            "INSERT INTO staff (name, role, department, added_at, added_by) VALUES (?, ?, ?, ?, ?)");
        ins.bind(1, name).bind(2, role_name(member.role)).bind(3, trim(member.department));
        ins.bind(4, now).bind(5, actor).run();
    });
}

std::vector<WorkflowInfo> Station::workflows() {
    return read_retrying([&] {
        sql::Stmt st(
            *impl_->db,
            "SELECT category, name, version, deadline_days, loaded_at, description FROM workflows ORDER BY "
            "category, version");
        std::vector<WorkflowInfo> out;
        while (st.step())
            out.push_back({st.text(0), st.text(1), static_cast<int>(st.integer(2)),
                           static_cast<int>(st.integer(3)), st.text(4), st.text(5)});
        return out;
    });
}

std::vector<std::string> Station::load_workflows(const std::vector<SourceFile>& files,
                                                 const std::string& now) {
    std::vector<std::pair<Workflow, std::string>> parsed;
    for (const auto& f : files)
        parsed.emplace_back(load_workflow_or_throw(f.text, f.name), f.name);
    std::vector<std::string> out;
    impl_->write([&] {
        out.clear();
        for (const auto& [w, file] : parsed) {
            insert_workflow(*impl_->db, w, file, now);
            out.push_back(w.category + " v" + std::to_string(w.version));
        }
    });
    return out;
}

std::string Station::known_categories(bool with_names) {
    std::string out;
    std::set<std::string> seen;
    for (const auto& w : workflows()) {
        if (!seen.insert(w.category).second) continue;  // workflows() lists every version
        out += (out.empty() ? "" : ", ") + w.category + (with_names ? " (" + w.name + ")" : "");
    }
    return out;
}

Error Station::unknown_category(const std::string& category) {
    return not_found("no workflow for category '" + category + "' (categories: " + known_categories(false) +
                     ")");
}

WorkflowOpening Station::opening(const std::string& category) {
    auto st = impl_->stmt(
        "SELECT version, deadline_days, initial_step FROM workflows WHERE category = ? ORDER BY version DESC "
        "LIMIT 1");
    st->bind(1, category);
    if (!st->step()) throw unknown_category(category);
    WorkflowOpening o{category, static_cast<int>(st->integer(0)), static_cast<int>(st->integer(1)),
                      st->text(2)};
    // Stations made before the column existed were filled by their migration; this guards a hand-edited row.
    if (o.initial_step.empty()) return opening_of(workflow(category, o.version));
    return o;
}

const Workflow& Station::workflow(const std::string& category, std::optional<int> version) {
    // A (category, version) never changes once loaded (load_workflows refuses different text), so a parsed
    // workflow is asked for again only by its latest version number.
    if (version) {
        auto it = impl_->workflows.find(std::make_pair(category, *version));
        if (it != impl_->workflows.end()) return it->second;
    }
    return *read_retrying([&]() -> const Workflow* {
        std::optional<int> v;
        {
            auto st =
                impl_->stmt(version ? "SELECT version FROM workflows WHERE category = ? AND version = ?"
                                    : "SELECT version FROM workflows WHERE category = ? ORDER BY version "
                                      "DESC LIMIT 1");
            st->bind(1, category);
            if (version) st->bind(2, *version);
            if (st->step()) v = static_cast<int>(st->integer(0));
        }
        if (!v) throw unknown_category(category);
        auto key = std::make_pair(category, *v);
        auto it = impl_->workflows.find(key);
        if (it == impl_->workflows.end()) {
            auto src = impl_->stmt("SELECT source, file FROM workflows WHERE category = ? AND version = ?");
            src->bind(1, category).bind(2, *v);
            if (!src->step()) throw storage_error("workflow " + category + " vanished while being read");
            it = impl_->workflows
                     .emplace(key, load_workflow_or_throw(src->text(0), src->text(1), WorkflowChecks::Stored))
                     .first;
        }
        return &it->second;
    });
}

const Calendar& Station::calendar() {
    if (!impl_->calendar) impl_->calendar = read_retrying([&] { return read_calendar(*impl_->db); });
    return *impl_->calendar;
}

std::vector<CalendarYearInfo> Station::calendar_years() {
    return read_retrying([&] {
        std::vector<CalendarYearInfo> out;
        auto st =
            impl_->stmt("SELECT year, provisional, source, loaded_at FROM calendar_years ORDER BY year");
        while (st->step())
            out.push_back({static_cast<int>(st->integer(0)), st->integer(1) != 0, st->text(2), st->text(3)});
        return out;
    });
}

namespace {

void require_supervisor(const StaffMember& who, const char* what) {
    if (who.role != Role::Supervisor)
        throw not_allowed(std::string("只有督办可以") + what + "；" + who.name + " 是协调员");
}

}  // namespace

CalendarChange Station::load_calendar(const SourceFile& file, const std::string& actor, const std::string& at,
                                      const std::string& now) {
    require_supervisor(require_staff(actor), "载入工作日历");
    const auto years = parse_calendar_yaml(file.text, file.name);
    return change_calendar(years, file.name, actor, at, now);
}

CalendarChange Station::make_provisional(int year, const SourceFile& anchors, const std::string& actor,
                                         const std::string& at, const std::string& now) {
    require_supervisor(require_staff(actor), "设定暂定日历");
    const auto all = parse_statutory_anchors(anchors.text, anchors.name);
    auto it = all.find(year);
    if (it == all.end()) {
        const std::string range = all.empty() ? std::string("没有任何年份")
                                              : std::to_string(all.begin()->first) + "–" +
                                                    std::to_string(all.rbegin()->first) + " 年";
        throw refused("法定节假日的农历和清明日期（" + anchors.name + "）只有 " + range + "，无法推算 " +
                      std::to_string(year) + " 年；请载入该年的放假通知（minsheng calendar load FILE）");
    }
    if (calendar().covers(year)) {
        throw refused(
            std::to_string(year) + " 年" +
            (calendar().is_provisional(year) ? "已是暂定日历" : "已载入正式放假安排，不能改为暂定") +
            "；`minsheng calendar list` 列出各年的来源");
    }
    return change_calendar({provisional_year(year, it->second)}, "provisional", actor, at, now);
}

CalendarChange Station::change_calendar(const std::vector<CalendarYear>& years, const std::string& source,
                                        const std::string& actor, const std::string& at,
                                        const std::string& now) {
    CalendarChange change;
    int first_year = 9999;
    for (const auto& y : years) {
        change.years.push_back(y.year);
        first_year = std::min(first_year, y.year);
    }
    auto& db = *impl_->db;
    impl_->write([&] {
        change.replaced_provisional.clear();
        change.cases_changed = 0;
        const Calendar before = read_calendar(db);
        for (const auto& y : years)
            if (!y.provisional && before.is_provisional(y.year))
                change.replaced_provisional.push_back(y.year);
        insert_calendar(db, years, source, now);
        const Calendar after = read_calendar(db);

        // The load itself, in the station's own part of the log (case id "").
        Event load;
        load.action =
            years.size() == 1 && years.front().provisional ? "calendar-provisional" : "calendar-load";
        load.at = at;
        load.actor = actor;
        load.data = {{"years", change.years}, {"source", source}};
        if (!change.replaced_provisional.empty())
            load.data["replaced_provisional"] = change.replaced_provisional;
        if (years.size() == 1 && years.front().provisional) {
            json days = json::array();
            for (const auto& [d, name] : years.front().holidays)
                days.push_back({format_date(d), name});
            load.data["holidays"] = days;
        }
        impl_->append(load, now);

        // Only a case whose clock reaches into a loaded year can change: its stored deadline is unknown or
        // lies in or after the first of them. The ids are kept by SQLite (a temporary table), not in memory.
        db.exec("CREATE TEMP TABLE IF NOT EXISTS recompute_ids (id TEXT PRIMARY KEY) WITHOUT ROWID");
        db.exec("DELETE FROM recompute_ids");
        {
            sql::Stmt pick(db,
                           "INSERT INTO recompute_ids SELECT id FROM cases WHERE deadline IS NULL OR "
                           "deadline >= ?");
            pick.bind(1, std::to_string(first_year) + "-01-01").run();
        }
        sql::Stmt ids(db, "SELECT id FROM recompute_ids ORDER BY id");
        while (ids.step()) {
            const std::string id = ids.text(0);
            const CaseState old = *impl_->load_state(id);
            CaseState now_state = replay(impl_->events_of(id), after);
            const json was = rounds_summary(clock_rounds(old, before));
            const json is = rounds_summary(clock_rounds(now_state, after));
            if (was != is) {
                Event e;
                e.case_id = id;
                e.action = "recompute";
                e.at = at;
                e.actor = actor;
                e.data = {{"years", change.years}, {"source", source}, {"before", was}, {"after", is}};
                impl_->append(e, now);
                apply_event(now_state, e, after);
                ++change.cases_changed;
            }
            impl_->save_projection(now_state, false);
        }
        db.exec("DELETE FROM recompute_ids");
    });
    impl_->calendar.reset();
    impl_->checkpoint();
    return change;
}

OpenCaseResult Station::open_case(const std::string& category, const ReportInput& report, bool force_new,
                                  const std::string& actor, const std::string& now) {
    require_staff(actor);
    const Calendar& cal = calendar();
    const std::function<WorkflowOpening()> opening_of_category = [&] { return opening(category); };
    return impl_->write(
        [&] { return impl_->open_in_tx(category, opening_of_category, report, force_new, actor, now, cal); });
}

ImportResult Station::import_reports(const std::string& source, const std::function<bool(ImportRow&)>& next,
                                     const std::string& actor, const std::string& now, bool dry_run) {
    require_staff(actor);
    const Calendar& cal = calendar();
    // A larger page cache for the one big transaction (fewer pages spilled to the WAL and read back), still
    // well inside the 32 MB a command may use; back to SQLite's default afterwards.
    impl_->db->exec("PRAGMA cache_size = -8000");
    struct CacheBack {
        sql::Db& db;
        ~CacheBack() { sqlite3_exec(db.handle(), "PRAGMA cache_size = -2000", nullptr, nullptr, nullptr); }
    } cache_back{*impl_->db};
    // Each category's workflow is looked up once, by its id, its Chinese name, or one part of a name written
    // as alternatives ("排水/下水道": a ledger's 类别 column says 排水 or 下水道). A part two workflows share
    // names neither.
    std::map<std::string, std::string> category_of;
    std::map<std::string, std::set<std::string>> by_part;
    for (const auto& w : workflows()) {
        category_of.emplace(w.category, w.category);
        category_of.emplace(w.name, w.category);
        for (std::size_t from = 0; from <= w.name.size();) {
            const std::size_t slash = std::min(w.name.find('/', from), w.name.size());
            const std::string part = trim(w.name.substr(from, slash - from));
            if (!part.empty()) by_part[part].insert(w.category);
            from = slash + 1;
        }
    }
    for (const auto& [part, categories] : by_part)
        if (categories.size() == 1) category_of.emplace(part, *categories.begin());
    // Each row's category, given by id or name, resolved to the id once per distinct spelling.
    std::map<std::string, std::string> resolved;
    auto category_for = [&](const std::string& given) -> const std::string& {
        auto it = resolved.find(given);
        if (it != resolved.end()) return it->second;
        const std::string wanted = trim(given);
        auto c = category_of.find(wanted);
        if (c == category_of.end())
            throw refused("unknown category '" + wanted + "' (categories: " + known_categories(true) + ")");
        return resolved.emplace(given, c->second).first->second;
    };
    std::map<std::string, WorkflowOpening> by_category;  // read once per category
    std::string current;
    const std::function<WorkflowOpening()> opening_of_current = [&] {
        auto it = by_category.find(current);
        if (it == by_category.end()) it = by_category.emplace(current, opening(current)).first;
        return it->second;
    };

    struct DryRun {};
    ImportResult result;
    ImportRow row;
    bool started = false;
    try {
        impl_->write([&] {
            // The rows are read once: the body cannot be run again after a lock conflict (which, with BEGIN
            // IMMEDIATE, only the BEGIN itself meets).
            if (started)
                throw storage_error(
                    "the import met another writer's lock midway; nothing was written, run it again");
            started = true;
            while (next(row)) {
                try {
                    current = category_for(row.category);
                    const OpenCaseResult r =
                        impl_->open_in_tx(current, opening_of_current, row.report, false, actor, now, cal);
                    ++result.rows;
                    if (r.repeat) {
                        ++result.repeats;
                    } else {
                        ++result.cases;
                        const CaseState& s = *impl_->last_state;
                        if (!s.deadline) {
                            if (result.without_deadline++ == 0) result.deadline_problem = s.deadline_problem;
                        }
                    }
                } catch (const Error& e) {
                    const std::string where = source + ":" + std::to_string(row.line) + ": ";
                    throw Error(e.kind() == ErrorKind::Storage ? ErrorKind::Storage : ErrorKind::Refused,
                                where + e.what());
                }
            }
            if (dry_run) throw DryRun{};
        });
    } catch (const DryRun&) {
        // Rolled back: the counts stand, nothing was written.
        return result;
    }
    impl_->checkpoint();
    return result;
}

void Station::batch(const std::function<void()>& body) {
    impl_->write([&] { body(); });
    impl_->checkpoint();
}

Event Station::do_action(const std::string& id, ActionRequest request, const std::string& default_at,
                         const std::string& now) {
    const StaffMember who = require_staff(request.actor);
    request.role = who.role;
    for (const auto& d : request.departments)
        require_text(d, "the department");
    const Calendar& cal = calendar();
    return impl_->write([&] {
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
        impl_->save_projection(*state, false);
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
    // A workflow parsed already answers; else the stored label does, without parsing the workflow's YAML.
    auto parsed = impl_->workflows.find(std::make_pair(c.category, c.workflow_version));
    if (parsed == impl_->workflows.end()) {
        std::optional<std::string> label = read_retrying([&]() -> std::optional<std::string> {
            auto st = impl_->stmt(
                "SELECT label FROM workflow_steps WHERE category = ? AND version = ? AND step = ?");
            st->bind(1, c.category).bind(2, c.workflow_version).bind(3, c.step);
            if (st->step()) return st->text(0);
            return std::nullopt;
        });
        if (label) return *label;
    }
    const Workflow& w = workflow(c.category, c.workflow_version);
    const Step* st = w.find_step(c.step);
    return st ? st->label : c.step;
}

void Station::list_cases(const CaseFilter& f, Date today, const std::function<void(const CaseState&)>& each) {
    // Fixed SQL fragments chosen by which filters are present; every value is bound.
    // The overdue filter reads only running cases (their partial index), never the whole table.
    std::string sql = f.overdue_only
                          ? "SELECT state FROM cases c INDEXED BY cases_running_by_deadline WHERE 1 = 1"
                          : "SELECT state FROM cases c WHERE 1 = 1";
    if (f.phase) sql += " AND c.phase = ?1";
    if (f.category) sql += " AND c.category = ?2";
    if (f.department)
        sql += " AND EXISTS (SELECT 1 FROM case_departments d WHERE d.case_id = c.id AND d.department = ?3)";
    if (f.overdue_only)
        sql += " AND c.phase IN ('intake', 'coordination') AND (c.deadline < ?4 OR c.suspended = 1)";
    if (f.unknown_deadline_only) sql += " AND c.deadline IS NULL AND c.phase <> 'rejected'";
    if (f.running_only) sql += " AND c.phase IN ('intake', 'coordination')";
    sql += " ORDER BY c.received_at, c.id";
    const Calendar& cal = calendar();
    sql::Stmt st(*impl_->db, sql);
    if (f.phase) st.bind(1, phase_name(*f.phase));
    if (f.category) st.bind(2, *f.category);
    if (f.department) st.bind(3, *f.department);
    if (f.overdue_only) st.bind(4, format_date(today));
    while (st.step()) {
        CaseState s = storage_detail::state_from_text(st.view(0));
        if (f.overdue_only && !clock_at(s, today, cal).overdue) continue;
        each(s);
    }
}

std::vector<std::pair<CaseState, ClockView>> Station::overdue_as_of(Date as_of) {
    const Calendar& cal = calendar();
    const std::string day = format_date(as_of);
    // Every timestamp of the day sorts before this bound ('T' < 'U'): no date arithmetic, so 9999-12-31
    // works.
    const std::string next = day + "U";
    std::vector<std::pair<CaseState, ClockView>> out;
    auto consider = [&](CaseState s) {
        ClockView v = clock_at(s, as_of, cal);
        // SPEC rule 6: whether it is overdue depends on a year the calendar lacks; never answer "not
        // overdue".
        if (v.undecidable || (v.overdue && !v.complete())) throw refused("案件 " + s.id + "：" + v.problem);
        if (v.overdue) out.emplace_back(std::move(s), v);
    };
    read_retrying([&] {
        // One snapshot for both queries: a case that changes between them must not be listed twice.
        const sql::ReadTransaction snapshot(*impl_->db);
        out.clear();
        // Cases with nothing logged after the day: their projection is how they stood then. Only running
        // cases past their deadline (or suspended, whose deadline moves, or without a known deadline) are
        // read: the partial index of running cases is scanned, never the whole table.
        {
            auto now_state = impl_->stmt(
                "SELECT state FROM cases INDEXED BY cases_running_by_deadline WHERE phase IN ('intake', "
                "'coordination') AND (deadline < ?1 OR deadline IS NULL OR suspended = 1) AND +last_event_at "
                "< ?2");
            now_state->bind(1, day).bind(2, next);
            while (now_state->step()) {
                consider(storage_detail::state_from_text(now_state->view(0)));
            }
        }
        // Cases that changed after the day: replay their events up to the end of it.
        std::vector<std::string> ids;
        {
            auto changed = impl_->stmt("SELECT id FROM cases WHERE last_event_at >= ?1 AND received_at < ?1");
            changed->bind(1, next);
            while (changed->step())
                ids.push_back(changed->text(0));
        }
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
        if (a.first.received_at != b.first.received_at) return a.first.received_at < b.first.received_at;
        return a.first.id < b.first.id;
    });
    return out;
}

VerifyResult Station::verify() {
    VerifyResult r;
    auto& db = *impl_->db;
    const Calendar& cal = calendar();
    read_retrying([&] {
        // One snapshot of the whole check: a write landing between reading the log and its head record
        // would otherwise look like a deleted or added event.
        const sql::ReadTransaction snapshot(db);
        r = VerifyResult{};
        // The file itself first: a damaged page anywhere (an index, a table the log does not read) is a
        // failure to report, not something the checks below would necessarily meet.
        {
            std::string first;
            try {
                sql::Stmt check(db, "PRAGMA quick_check(1)");
                first = check.step() ? check.text(0) : "no answer";
            } catch (const Error& e) {
                first = e.what();
            }
            if (first != "ok") {
                std::replace(first.begin(), first.end(), '\n', ' ');
                r.ok = false;
                r.problem = "the database file is damaged (SQLite: " + first + "); restore a backup";
                return 0;
            }
        }
        // The schema the program relies on: every table and index the migrations create, and nothing else.
        if (const std::string damage = schema_difference(db, schema_version()); !damage.empty()) {
            r.ok = false;
            r.problem = "数据库结构已被改动：" + damage + "；请从备份恢复";
            return 0;
        }
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
        // The head record (last event written by minsheng, seq:hash) tells a deleted end from an added one.
        const std::int64_t last = expect - 1;
        sql::Stmt head(db, "SELECT value FROM meta WHERE key = 'head'");
        if (!head.step()) {
            if (r.events > 0) {
                r.ok = false;
                r.problem =
                    "the record of the last event written (meta 'head') is missing, so the end of the log "
                    "(event " +
                    std::to_string(last) + ") cannot be vouched for";
            }
        } else if (head.text(0) != std::to_string(last) + ":" + prev) {
            const std::string value = head.text(0);
            const auto colon = value.find(':');
            std::int64_t head_seq = -1;
            try {
                head_seq = colon == std::string::npos ? -1 : std::stoll(value.substr(0, colon));
            } catch (const std::exception&) {
                head_seq = -1;
            }
            r.ok = false;
            if (head_seq > last) {
                r.problem = "event " + std::to_string(last + 1) + " is missing: the log ends at event " +
                            std::to_string(last) + " but event " + std::to_string(head_seq) +
                            " was the last written; events at the end were deleted";
            } else if (head_seq >= 0 && head_seq < last) {
                std::string what = "event " + std::to_string(head_seq + 1);
                sql::Stmt added(db, "SELECT case_id, action FROM events WHERE seq = ?");
                added.bind(1, head_seq + 1);
                if (added.step()) what += " (case " + added.text(0) + ", " + added.text(1) + ")";
                r.problem = what +
                            " was added behind the program's back: the last event minsheng wrote is event " +
                            std::to_string(head_seq) + ", the log goes on to event " + std::to_string(last);
            } else if (head_seq == last) {
                r.problem = "event " + std::to_string(last) +
                            " was replaced: its hash differs from the one recorded when it was written";
            } else {
                r.problem = "the record of the last event written (meta 'head') was altered";
            }
            return 0;
        }
        // The projection must equal a replay of the events: the stored state (read back the way every
        // command reads it) and the columns the queries filter on, which a hand edit could change alone
        // (a case's phase set to closed would hide it from the overdue audit).
        sql::Stmt cases(
            db,
            "SELECT id, state, category, phase, step, suspended, address_key, received_at, deadline, "
            "typical, last_event_at, address_hash FROM cases ORDER BY id");
        while (cases.step()) {
            ++r.cases;
            const std::string id = cases.text(0);
            const CaseState replayed = replay(impl_->events_of(id), cal);
            const json expected = state_to_json(replayed);
            bool same = false;
            try {
                same = state_to_json(state_from_json(json::parse(cases.text(1)))) == expected;
            } catch (const std::exception&) {
                same = false;
            }
            const std::string deadline = replayed.deadline ? format_date(*replayed.deadline) : "";
            same =
                same && cases.text(2) == replayed.category && cases.text(3) == phase_name(replayed.phase) &&
                cases.text(4) == replayed.step && cases.integer(5) == (replayed.suspended ? 1 : 0) &&
                cases.text(6) == replayed.address_key && cases.text(7) == replayed.received_at &&
                cases.is_null(8) == !replayed.deadline && cases.text(8) == deadline &&
                cases.integer(9) == (replayed.typical ? 1 : 0) && cases.text(10) == replayed.last_event_at &&
                cases.integer(11) == address_hash(replayed.category, replayed.address_key);
            if (same) {
                std::vector<std::string> listed;
                auto deps = impl_->stmt("SELECT department FROM case_departments WHERE case_id = ?");
                deps->bind(1, id);
                while (deps->step())
                    listed.push_back(deps->text(0));
                std::vector<std::string> expected_deps = replayed.departments();
                std::sort(listed.begin(), listed.end());
                std::sort(expected_deps.begin(), expected_deps.end());
                same = listed == expected_deps;
            }
            if (!same) {
                r.ok = false;
                r.problem = "the current state of case " + id +
                            " differs from its events (run `audit verify` after "
                            "a rebuild, or restore a backup)";
                return 0;
            }
        }
        sql::Stmt orphans(db,
                          "SELECT count(DISTINCT case_id) FROM events WHERE case_id <> '' AND case_id NOT IN "
                          "(SELECT id FROM "
                          "cases)");
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
    impl_->write([&] {
        db.exec("DELETE FROM case_departments");
        db.exec("DELETE FROM cases");
        // Events with case id "" are the station's own (calendar loads): no case to rebuild.
        sql::Stmt st(db,
                     "SELECT seq, case_id, action, at, actor, data FROM events WHERE case_id <> '' ORDER BY "
                     "case_id, seq");
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
                impl_->save_projection(s, true);
                s = CaseState{};
            }
            apply_event(s, e, cal);
            have = true;
        }
        if (have) impl_->save_projection(s, true);
    });
}

}  // namespace minsheng
