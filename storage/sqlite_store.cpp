// The SQLite store: SQL for every question the application layer asks (store.h), transactions with retry on
// lock conflicts, the file's creation and its migrations. No domain rule lives here.
#include "storage/sqlite_store.h"

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
#include <thread>

#include "engine/error.h"
#include "engine/workflow_compiled.h"
#include "storage/case_rows.h"
#include "storage/schema.h"
#include "storage/sqlite.h"

namespace minsheng {

namespace {

bool file_exists(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0;
}

// Runs a read that may meet a writer's lock, again until it gets through.
template <class F>
auto read_retrying(F&& body) {
    for (int attempt = 0;; ++attempt) {
        try {
            return body();
        } catch (const sql::Busy&) {
            if (attempt > 2000) throw storage_error("数据库一直被其他程序占用，请稍后再试");
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

void insert_workflow(sql::Db& db, const Workflow& w, const std::string& file, const std::string& now) {
    sql::Stmt ins(db,
                  "INSERT OR IGNORE INTO workflows (category, version, name, deadline_days, source, file, "
                  "loaded_at, initial_step, description, compiled) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    ins.bind(1, w.category).bind(2, w.version).bind(3, w.name).bind(4, w.deadline_days).bind(5, w.source);
    ins.bind(6, file).bind(7, now).bind(8, w.initial_step().id).bind(9, w.description);
    ins.bind(10, compile_workflow(w)).run();
    if (sqlite3_changes(db.handle()) == 1) store_workflow_steps(db, w);
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

Event event_from(sql::Stmt& st, const std::string& case_id, int first_col) {
    Event e;
    e.seq = st.integer(first_col);
    e.case_id = case_id;
    e.action = st.text(first_col + 1);
    e.at = st.text(first_col + 2);
    e.actor = st.text(first_col + 3);
    const std::string_view data = st.view(first_col + 4);
    e.data = nlohmann::json::parse(data.begin(), data.end());
    e.recorded_at = st.text(first_col + 5);
    return e;
}

// Hashes are stored as their 32 bytes (a BLOB) and given out as 64 lowercase hex digits, as the chain
// hashes them. A stored value of another length (a hand edit) comes out as the hex of its bytes, which no
// recomputed hash equals.
std::string hex_of(std::string_view bytes) {
    static const char* digits = "0123456789abcdef";
    std::string out(2 * bytes.size(), '0');
    for (size_t i = 0; i < bytes.size(); ++i) {
        const auto b = static_cast<unsigned char>(bytes[i]);
        out[2 * i] = digits[b >> 4];
        out[2 * i + 1] = digits[b & 0xf];
    }
    return out;
}

std::string bytes_of(const std::string& hex) {
    auto digit = [](char c) {
        return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    };
    bool ok = hex.size() == 64;
    for (size_t i = 0; ok && i < hex.size(); ++i)
        ok = digit(hex[i]) >= 0;
    if (!ok) throw storage_error("日志哈希应为 64 位小写十六进制数字，而不是「" + hex + "」");
    std::string out(32, '\0');
    for (size_t i = 0; i < 32; ++i)
        out[i] = static_cast<char>(digit(hex[2 * i]) * 16 + digit(hex[2 * i + 1]));
    return out;
}

// The hash before the first event: 32 zero bytes.
const std::string kNoPreviousHash(64, '0');

// The log's columns in LogEntry's order (no previous hash: it is the previous row's), and one row of them
// read into a LogEntry that follows `prev_hash`.
constexpr const char* kLogColumns =
    "SELECT seq, case_id, action, at, actor, recorded_at, data, hash FROM events";

LogEntry entry_from(sql::Stmt& st, std::string prev_hash) {
    return LogEntry{st.integer(0), st.text(1), st.text(2),           st.text(3),        st.text(4),
                    st.text(5),    st.text(6), std::move(prev_hash), hex_of(st.blob(7))};
}

}  // namespace

struct SqliteStore::Impl {
    std::string path;
    std::unique_ptr<sql::Db> db;
    std::unique_ptr<sql::StmtCache> stmts;  // declared after db: finalized before the connection closes
    std::string read_only;                  // why the station cannot be written, empty when it can
    bool rebuild_projection = false;

    // What a write transaction knows without asking the database again. Valid only inside one transaction
    // (another process may write between two), so cleared whenever one begins or ends.
    struct TxCache {
        std::optional<LogHead> head;
        bool head_dirty = false;  // meta 'head' not yet written
        std::map<int, std::int64_t> next_ids;
        std::map<int, bool> next_ids_dirty;
        std::optional<CaseState> last_saved;  // the case last saved in this transaction
        bool search_pending = false;          // temp.search_pending holds rows for case_search
    };
    bool bulk = false;  // bulk_mode: the search index is written at the end of the transaction
    std::chrono::milliseconds lock_wait{120000};  // set_lock_wait
    TxCache tx;
    int depth = 0;  // 0: no transaction; 1: a transaction; >1: savepoints in it

    sql::StmtCache::Lease stmt(const std::string& sql) { return stmts->get(sql); }

    // The search texts a bulk transaction deferred, written into case_search in rowid order (see
    // index_case_text): FTS5 writes a segment to disk whenever a row id goes backwards, which a repeat report
    // of an older case does, and those many small segments were merged again and again: deferring the texts
    // took the CPU time of an import of 100k rows from 15.9 s to 10.3 s (measured side by side on a loaded
    // machine). A row indexed before this transaction has its old text deleted first.
    void flush_search() {
        auto pending = stmt("SELECT row, body, existed FROM temp.search_pending ORDER BY row");
        auto del = stmt("DELETE FROM case_search WHERE rowid = ?");
        auto ins = stmt("INSERT INTO case_search (rowid, body) VALUES (?, ?)");
        while (pending->step()) {
            if (pending->integer(2) != 0) {
                del->reset();
                del->bind(1, pending->integer(0)).run();
            }
            ins->reset();
            ins->bind(1, pending->integer(0)).bind(2, pending->view(1)).run();
        }
        stmt("DELETE FROM temp.search_pending")->run();
        tx.search_pending = false;
    }

    // Writes what the transaction kept in memory; runs just before COMMIT.
    void flush() {
        if (tx.search_pending) flush_search();
        if (tx.head_dirty) {
            auto head = stmt("INSERT OR REPLACE INTO meta (key, value) VALUES ('head', ?)");
            head->bind(1, std::to_string(tx.head->seq) + ":" + tx.head->hash).run();
            tx.head_dirty = false;
        }
        for (auto& [year, dirty] : tx.next_ids_dirty) {
            if (!dirty) continue;
            auto put = stmt("INSERT OR REPLACE INTO id_counters (year, next) VALUES (?, ?)");
            put->bind(1, year).bind(2, tx.next_ids[year]).run();
            dirty = false;
        }
    }

    void write(const std::function<void()>& body) {
        if (!read_only.empty()) throw storage_error(path + " 是只读的（" + read_only + "），没有做任何改动");
        if (depth > 0) {
            const TxCache saved = tx;
            stmt("SAVEPOINT w")->run();
            ++depth;
            try {
                body();
                --depth;
                stmt("RELEASE w")->run();
            } catch (...) {
                --depth;
                sqlite3_exec(db->handle(), "ROLLBACK TO w; RELEASE w", nullptr, nullptr, nullptr);
                tx = saved;
                tx.last_saved.reset();
                throw;
            }
            return;
        }
        using namespace std::chrono;
        const auto give_up = steady_clock::now() + lock_wait;
        for (int attempt = 0;; ++attempt) {
            struct Scope {
                Impl& impl;
                explicit Scope(Impl& i) : impl(i) {
                    impl.tx = TxCache{};
                    impl.depth = 1;
                }
                ~Scope() {
                    impl.depth = 0;
                    impl.tx = TxCache{};
                }
            };
            try {
                sql::Transaction t(*db);
                Scope scope(*this);
                body();
                flush();
                t.commit();
                return;
            } catch (const sql::Busy&) {
                // A minsheng::Busy that is not sql::Busy: no retry above this one takes it for its own.
                if (steady_clock::now() > give_up) throw Busy(gave_up_message());
                std::this_thread::sleep_for(milliseconds(5 + (attempt % 20) * 5));
            }
        }
    }

    std::string gave_up_message() const {
        const auto s = std::chrono::duration_cast<std::chrono::seconds>(lock_wait).count();
        const std::string how_long = s == 120 ? "两分钟" : std::to_string(s) + " 秒";
        return "数据库被其他写入者占用了" + how_long + "，请稍后再试";
    }

    void open(sql::Db::Mode mode) {
        stmts.reset();
        db = std::make_unique<sql::Db>(path, mode);
        stmts = std::make_unique<sql::StmtCache>(*db);
    }
};

void SqliteStore::create(const std::string& path, const StationSeed& seed) {
    remove_abandoned_init_files(path);
    if (file_exists(path)) throw refused(path + " 已存在；init 只新建数据库，从不改动已有的数据库");
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
            meta.bind(1, "created_at").bind(2, seed.created_at).run();
            for (const auto& [w, file] : seed.workflows)
                insert_workflow(db, w, file, seed.created_at);
            insert_calendar(db, seed.calendar, seed.calendar_source, seed.created_at);
            sql::Stmt staff(db,
                            "INSERT INTO staff (name, role, department, added_at, added_by) VALUES (?, ?, ?, "
                            "?, ?)");
            staff.bind(1, seed.supervisor.name).bind(2, role_name(seed.supervisor.role));
            staff.bind(3, seed.supervisor.department).bind(4, seed.created_at).bind(5, seed.supervisor.name);
            staff.run();
            tx.commit();
        }  // closed: the WAL is checkpointed into the file and removed
        if (::link(tmp.c_str(), path.c_str()) != 0) {
            const int error = errno;
            if (error == EEXIST) throw refused(path + " 已存在；init 只新建数据库，从不改动已有的数据库");
            if (error == ENOSPC) throw storage_error("无法创建 " + path + "：磁盘已满，请腾出空间后再试");
            throw storage_error("无法创建 " + path + "：" + std::strerror(error));
        }
        remove_tmp();
    } catch (...) {
        remove_tmp();
        throw;
    }
}

SqliteStore::SqliteStore(const std::string& path) : impl_(std::make_unique<Impl>()) {
    impl_->path = path;
    if (!file_exists(path))
        throw not_found(path + " 处没有数据库；请用 `minsheng init` 新建，或用 --db 指定数据库文件");
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
    impl_->open(sql::Db::Mode::ReadWrite);
    try {
        read_header();
    } catch (const Error& e) {
        const int code = sqlite3_extended_errcode(impl_->db->handle()) & 0xff;
        const int os = impl_->db->system_errno();
        if (code == SQLITE_FULL || os == ENOSPC || os == EDQUOT)
            throw storage_error("无法打开 " + path + "：磁盘已满，请腾出空间后重新运行命令");
        const bool cannot_write = os == EROFS || os == EACCES || os == EPERM || code == SQLITE_READONLY ||
                                  code == SQLITE_CANTOPEN || ::access(path.c_str(), W_OK) != 0;
        if (code == SQLITE_NOTADB || !cannot_write)
            throw storage_error(path + " 不是 minsheng 数据库（" + std::string(e.what()) + "），文件未改动");
        // Read-only media, or no permission to write the file or its folder (where the WAL's files live):
        // reads still work, writes are refused with that reason.
        impl_->read_only = os == EROFS ? "它在只读的文件系统上" : "没有写入它或其所在文件夹的权限";
        // Read-only with its WAL when the WAL's files are there to read, else the file alone (then nothing
        // can be in a WAL: the last writer checkpointed and removed it).
        try {
            impl_->open(sql::Db::Mode::ReadOnly);
            read_header();
        } catch (const Error&) {
            impl_->open(sql::Db::Mode::ReadOnlyImmutable);
            try {
                read_header();
            } catch (const Error& again) {
                throw storage_error(path + " 无法读取（" + std::string(again.what()) + "），文件未改动");
            }
        }
    }
    auto& db = *impl_->db;
    if (app_id != kApplicationId) throw storage_error(path + " 不是 minsheng 数据库，文件未改动");
    if (version > schema_version())
        throw storage_error(path + " 的数据库结构版本为 " + std::to_string(version) + "，比本程序支持的（" +
                            std::to_string(schema_version()) + "）新；请升级 minsheng。文件未改动");
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
            throw storage_error(path + " 是只读的（" + impl_->read_only +
                                "），而它由旧版 minsheng 建立，须先升级数据库结构");
        // A migration rewrites whole tables in one transaction: its statement journals (the pages a statement
        // would restore) go to a temporary file, not to memory as a command's few pages do, so converting a
        // large station keeps memory flat.
        db.exec("PRAGMA temp_store = FILE");
        impl_->write([&] { migrate(db); });
        db.exec("PRAGMA temp_store = MEMORY");
        // Version 5 folds addresses further (traditional characters, numerals): the keys are computed again.
        // Before 6 there was no search index, which the rebuild fills from the cases it replays.
        impl_->rebuild_projection = version < 6;
    }
}

SqliteStore::~SqliteStore() = default;

bool SqliteStore::projection_needs_rebuild() const {
    return impl_->rebuild_projection;
}

void SqliteStore::write(const std::function<void()>& body) {
    impl_->write(body);
}

void SqliteStore::read(const std::function<void()>& body) {
    read_retrying([&] {
        const sql::ReadTransaction snapshot(*impl_->db);
        body();
        return 0;
    });
}

std::string SqliteStore::read_only_reason() const {
    return impl_->read_only;
}

std::int64_t SqliteStore::data_version() {
    return read_retrying([&] {
        auto st = impl_->stmt("PRAGMA data_version");
        st->step();
        return st->integer(0);
    });
}

void SqliteStore::settle() {
    if (impl_->depth > 0) return;
    sqlite3_wal_checkpoint_v2(impl_->db->handle(), nullptr, SQLITE_CHECKPOINT_TRUNCATE, nullptr, nullptr);
}

void SqliteStore::bulk_mode(bool on) {
    // A larger page cache for one big transaction (fewer pages spilled to the WAL and read back), still well
    // inside the 32 MB a command may use; back to SQLite's default afterwards.
    sqlite3_exec(impl_->db->handle(), on ? "PRAGMA cache_size = -8000" : "PRAGMA cache_size = -2000", nullptr,
                 nullptr, nullptr);
    // The search texts deferred to the end of the transaction (index_case_text) wait in a temporary table
    // on disk, not in memory, however many rows the import has.
    if (impl_->depth == 0)
        sqlite3_exec(impl_->db->handle(), on ? "PRAGMA temp_store = FILE" : "PRAGMA temp_store = MEMORY",
                     nullptr, nullptr, nullptr);
    impl_->bulk = on;
}

void SqliteStore::set_lock_wait(std::chrono::milliseconds wait) {
    impl_->lock_wait = wait;
    // One attempt waits in SQLite's busy handler at most this long too (ten seconds by default).
    sqlite3_busy_timeout(impl_->db->handle(), static_cast<int>(std::min<std::int64_t>(wait.count(), 10000)));
}

// ---------------------------------------------------------------------------------------------------------
// The log

LogHead SqliteStore::log_head() {
    if (impl_->depth > 0 && impl_->tx.head) return *impl_->tx.head;
    LogHead h;
    {
        auto st = impl_->stmt("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1");
        if (st->step()) h = LogHead{st->integer(0), hex_of(st->blob(1))};
    }
    if (impl_->depth > 0) impl_->tx.head = h;
    return h;
}

std::optional<std::string> SqliteStore::recorded_head() {
    auto st = impl_->stmt("SELECT value FROM meta WHERE key = 'head'");
    if (!st->step()) return std::nullopt;
    return st->text(0);
}

void SqliteStore::append(const LogEntry& e) {
    auto ins = impl_->stmt(
        "INSERT INTO events (seq, case_id, action, at, actor, recorded_at, data, hash) VALUES (?, ?, ?, ?, "
        "?, "
        "?, ?, ?)");
    ins->bind(1, e.seq).bind(2, e.case_id).bind(3, e.action).bind(4, e.at).bind(5, e.actor);
    ins->bind(6, e.recorded_at).bind(7, e.data).bind_blob(8, bytes_of(e.hash)).run();
    impl_->tx.head = LogHead{e.seq, e.hash};
    impl_->tx.head_dirty = true;
    // Who has acted on the case, for --mine (SPEC Part 2 "Finding cases"), with the case row's phase and
    // receipt as they are now. A new case has no row yet: save_case adds its people with the row, in one
    // write each (not a placeholder rewritten, which cost an import a fifth more time).
    if (!e.case_id.empty()) {
        auto actor = impl_->stmt(
            "INSERT OR IGNORE INTO case_actors (case_id, actor, phase, received_at) SELECT id, ?2, phase, "
            "received_at FROM cases WHERE id = ?1");
        actor->bind(1, e.case_id).bind(2, e.actor).run();
    }
}

void SqliteStore::scan_log(const std::function<void(const LogEntry&)>& each) {
    sql::Stmt st(*impl_->db, std::string(kLogColumns) + " ORDER BY seq");
    std::string prev = kNoPreviousHash;
    while (st.step()) {
        LogEntry e = entry_from(st, std::move(prev));
        prev = e.hash;
        each(e);
    }
}

std::optional<LogEntry> SqliteStore::log_entry(std::int64_t seq) {
    std::string prev = kNoPreviousHash;
    {
        auto before = impl_->stmt("SELECT hash FROM events WHERE seq < ? ORDER BY seq DESC LIMIT 1");
        before->bind(1, seq);
        if (before->step()) prev = hex_of(before->blob(0));
    }
    auto st = impl_->stmt(std::string(kLogColumns) + " WHERE seq = ?");
    st->bind(1, seq);
    if (!st->step()) return std::nullopt;
    return entry_from(*st, std::move(prev));
}

std::vector<Event> SqliteStore::case_events(const std::string& id, const std::optional<std::string>& before) {
    auto st = impl_->stmt(
        before ? "SELECT seq, action, at, actor, data, recorded_at FROM events WHERE case_id = ? AND "
                 "at < ? ORDER BY seq"
               : "SELECT seq, action, at, actor, data, recorded_at FROM events WHERE case_id = ? "
                 "ORDER BY seq");
    st->bind(1, id);
    if (before) st->bind(2, *before);
    std::vector<Event> out;
    while (st->step())
        out.push_back(event_from(*st, id, 0));
    return out;
}

std::vector<Event> SqliteStore::case_events_of(const std::string& id,
                                               const std::vector<std::string>& actions) {
    // Two actions per indexed read of the case's events (events_by_case), the reads merged by sequence
    // number: a fixed statement with bound values, however many actions are asked for.
    auto st = impl_->stmt(
        "SELECT seq, action, at, actor, data, recorded_at FROM events WHERE case_id = ? AND action IN (?, ?) "
        "ORDER BY seq");
    std::vector<Event> out;
    for (std::size_t i = 0; i < actions.size(); i += 2) {
        const auto from = out.size();
        st->reset();
        st->bind(1, id).bind(2, actions[i]).bind(3, actions[i + 1 < actions.size() ? i + 1 : i]);
        while (st->step())
            out.push_back(event_from(*st, id, 0));
        std::inplace_merge(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(from), out.end(),
                           [](const Event& a, const Event& b) { return a.seq < b.seq; });
    }
    return out;
}

void SqliteStore::scan_case_events(const std::function<void(const Event&)>& each) {
    sql::Stmt st(*impl_->db,
                 "SELECT case_id, seq, action, at, actor, data, recorded_at FROM events WHERE case_id <> '' "
                 "ORDER BY case_id, seq");
    while (st.step())
        each(event_from(st, st.text(0), 1));
}

std::int64_t SqliteStore::cases_missing_from_projection() {
    auto st = impl_->stmt(
        "SELECT count(DISTINCT case_id) FROM events WHERE case_id <> '' AND case_id NOT IN (SELECT id FROM "
        "cases)");
    st->step();
    return st->integer(0);
}

// ---------------------------------------------------------------------------------------------------------
// The projection

std::optional<CaseState> SqliteStore::load_case(const std::string& id) {
    if (impl_->depth > 0 && impl_->tx.last_saved && impl_->tx.last_saved->id == id)
        return impl_->tx.last_saved;
    auto st = impl_->stmt(std::string("SELECT ") + storage_detail::kCaseColumns + " FROM cases c WHERE id = ?");
    st->bind(1, id);
    if (!st->step()) return std::nullopt;
    return storage_detail::read_case_row(*impl_->stmts, *st);
}

// A new case's rows are inserted; an existing case's are updated (storage/case_rows.h).
void SqliteStore::save_case(const CaseState& s, bool is_new) {
    if (is_new)
        storage_detail::insert_case_rows(*impl_->stmts, s);
    else if (!storage_detail::update_case_rows(*impl_->db, *impl_->stmts, s))
        throw storage_error("案件 " + s.id + " 在保存时消失了");
    // The case's phase and receipt beside each person who acted on it (migration 12: "my cases in a phase"
    // from one index), written with the row they copy; rows already right are left alone. A new case's
    // people are those of its events so far (append found no row to copy).
    // (No DISTINCT: OR IGNORE drops a second event's person, without the temporary b-tree DISTINCT builds; and
    // no UPDATE after it, which would find every row just written already right.)
    if (is_new) {
        auto people = impl_->stmt(
            "INSERT OR IGNORE INTO case_actors (case_id, actor, phase, received_at) SELECT case_id, actor, ?1, "
            "?2 FROM events WHERE case_id = ?3");
        people->bind(1, phase_name(s.phase)).bind(2, s.received_at).bind(3, s.id).run();
    } else {
        auto actors = impl_->stmt(
            "UPDATE case_actors SET phase = ?1, received_at = ?2 WHERE case_id = ?3 AND (phase <> ?1 OR "
            "received_at <> ?2)");
        actors->bind(1, phase_name(s.phase)).bind(2, s.received_at).bind(3, s.id).run();
    }
    if (impl_->depth > 0) impl_->tx.last_saved = s;
}

void SqliteStore::clear_cases() {
    storage_detail::delete_all_case_rows(*impl_->db);
    impl_->db->exec("DELETE FROM case_search");
    impl_->db->exec("DELETE FROM case_search_rows");
    impl_->db->exec("DELETE FROM case_phones");
    impl_->tx.last_saved.reset();
}

std::vector<std::pair<std::string, std::string>> SqliteStore::open_cases_at(const std::string& category,
                                                                            const std::string& address_key) {
    auto match = impl_->stmt(
        "SELECT id, received_at FROM cases WHERE address_hash = ? AND category = ? AND address_key = ? AND "
        "phase NOT IN ('closed', 'rejected') AND phase <> 'merged'");
    match->bind(1, address_hash(category, address_key)).bind(2, category).bind(3, address_key);
    std::vector<std::pair<std::string, std::string>> out;
    while (match->step())
        out.emplace_back(match->text(0), match->text(1));
    return out;
}

void SqliteStore::scan_cases_at_address(const std::string& address_key, bool and_longer,
                                        const std::function<void(const CaseState&)>& each) {
    // A key starting with K sorts from K up to K followed by 0xFF, a byte no UTF-8 text holds.
    const std::string select = std::string("SELECT ") + storage_detail::kCaseColumns +
                               " FROM cases c INDEXED BY cases_by_address_key WHERE ";
    auto st = impl_->stmt(select + (and_longer ? "address_key >= ? AND address_key < ?" : "address_key = ?"));
    st->bind(1, address_key);
    if (and_longer) st->bind(2, address_key + "\xFF");
    while (st->step())
        each(storage_detail::read_case_row(*impl_->stmts, *st));
}

namespace {

// Characters (code points) of UTF-8 text: the trigram tokenizer counts these, not bytes.
std::size_t count_characters(const std::string& text) {
    std::size_t n = 0;
    for (unsigned char ch : text)
        n += (ch & 0xC0) != 0x80;
    return n;
}

}  // namespace

namespace {

// A person's cases in one phase (mine=1&phase=) are read from case_actors_by_actor, in received order: the
// range of their (actor, phase) rows, each joined to its case. Not with a deadline question (read through
// the running cases' deadline index) nor the rule-6 check (its partial index holds a handful of rows).
bool by_actor_and_phase(const CaseQuery& q) {
    const bool by_deadline = q.deadline_before || q.deadline_until || q.deadline_from;
    return q.actor && q.phase && !by_deadline && !q.unknown_deadline_only;
}

// Whether a person's cases in a phase are all the query asks: then its count is the length of their range in
// the index, without reading a case.
bool actor_and_phase_alone(const CaseQuery& q) {
    return by_actor_and_phase(q) && !q.category && !q.department && !q.running_only && !q.last_event_before &&
           !q.text && !q.phone_digits && !q.typical_only && !q.received_from && !q.received_to && !q.reporter;
}

// "FROM cases c … WHERE …" for a CaseQuery: fixed SQL fragments chosen by which filters are present, every
// value bound by bind_case_query. scan_cases and count_cases share it, so a count is of exactly the rows the
// scan gives. Deadline questions read only running cases (their partial index), never the whole table.
std::string case_query_from(const CaseQuery& q) {
    const bool by_deadline = q.deadline_before || q.deadline_until || q.deadline_from;
    // CROSS JOIN: the person's rows are the outer loop, each case found by its id.
    std::string sql =
        by_actor_and_phase(q)
            ? " FROM case_actors a INDEXED BY case_actors_by_actor CROSS JOIN cases c ON c.id = a.case_id "
              "WHERE a.actor = ?9 AND a.phase = ?1"
        : by_deadline ? " FROM cases c INDEXED BY cases_running_by_deadline WHERE 1 = 1"
        // The rule-6 check before every list: the handful of cases whose deadline is unknown, from their
        // partial index even with a phase or a category, whose own index SQLite (without statistics) prefers,
        // and which read every case in the phase (4.8k rows and 6 MB of pages for 办理 at 100k) to find none.
        : q.unknown_deadline_only ? " FROM cases c INDEXED BY cases_deadline_unknown WHERE 1 = 1"
                                  : " FROM cases c WHERE 1 = 1";
    if (q.phase && !by_actor_and_phase(q)) sql += " AND c.phase = ?1";
    if (q.category) sql += " AND c.category = ?2";
    if (q.department)
        // Each case's tasks probed by their primary key, the cases read in received order: no sort, so flat
        // memory whatever the number of matches (schema.cpp, migration 9).
        sql += " AND EXISTS (SELECT 1 FROM case_tasks d WHERE d.case_id = c.id AND d.department = ?3)";
    if (q.deadline_before)
        sql += q.or_unknown ? " AND c.phase IN ('intake', 'coordination') AND (c.deadline < ?4 OR c.deadline "
                              "IS NULL OR c.suspended = 1)"
                            : " AND c.phase IN ('intake', 'coordination') AND (c.deadline < ?4 OR "
                              "c.suspended = 1)";
    if (q.deadline_until) sql += " AND c.phase IN ('intake', 'coordination') AND c.deadline <= ?5";
    if (q.deadline_from) sql += " AND c.phase IN ('intake', 'coordination') AND c.deadline >= ?15";
    // Exactly the terms of the partial index cases_deadline_unknown (migration 10), so SQLite reads it.
    if (q.unknown_deadline_only) sql += " AND c.deadline IS NULL AND c.phase <> 'rejected'";
    if (q.running_only) sql += " AND c.phase IN ('intake', 'coordination')";
    if (q.last_event_before) sql += " AND +c.last_event_at < ?6";
    // Finding cases. Text of three characters or more goes through the trigram index; shorter text (a
    // two-character name such as 张三) cannot, and is matched with LIKE over the indexed text instead.
    if (q.text)
        sql += count_characters(*q.text) >= 3
                   ? " AND c.id IN (SELECT r.case_id FROM case_search s JOIN case_search_rows r ON r.row = "
                     "s.rowid WHERE case_search MATCH ?7)"
                   : " AND c.id IN (SELECT r.case_id FROM case_search s JOIN case_search_rows r ON r.row = "
                     "s.rowid WHERE s.body LIKE ?7 ESCAPE '\\')";
    if (q.phone_digits)
        sql +=
            " AND c.id IN (SELECT p.case_id FROM case_phones p WHERE p.digits >= ?8 AND p.digits < ?8 || "
            "':')";
    if (q.actor && !by_actor_and_phase(q)) {
        // Alone, the person's own cases are read from their list (a coordinator's are few). With a filter
        // read through its own index (a phase, a category, a deadline) each of its rows is probed instead:
        // the list is not built, which for a supervisor who acted on every case was 100k ids in memory and
        // 60 ms a query at 100k cases.
        const bool narrowed =
            q.phase || q.category || by_deadline || q.unknown_deadline_only || q.running_only;
        // (A phase without a deadline question is read from the person's own rows: by_actor_and_phase.)
        sql += narrowed ? " AND EXISTS (SELECT 1 FROM case_actors a WHERE a.actor = ?9 AND a.case_id = c.id)"
                        : " AND c.id IN (SELECT a.case_id FROM case_actors a WHERE a.actor = ?9)";
    }
    if (q.typical_only) sql += " AND c.typical = 1";
    if (q.received_from) sql += " AND c.received_at >= ?10";
    if (q.received_to) sql += " AND c.received_at < ?11 || 'U'";
    // The text filter found the candidates; the reporters' own names decide.
    if (q.reporter)
        sql +=
            " AND EXISTS (SELECT 1 FROM case_reporters p WHERE p.case_id = c.id AND instr(p.name, ?12) > 0)";
    return sql;
}

// The order of a scan: received first, the id closing it; the same order from the person's index rows.
std::string case_query_order(const CaseQuery& q) {
    return by_actor_and_phase(q) ? " ORDER BY a.received_at, a.case_id" : " ORDER BY c.received_at, c.id";
}

void bind_case_query(sql::Stmt& st, const CaseQuery& q) {
    if (q.phase) st.bind(1, *q.phase);
    if (q.category) st.bind(2, *q.category);
    if (q.department) st.bind(3, *q.department);
    if (q.deadline_before) st.bind(4, *q.deadline_before);
    if (q.deadline_until) st.bind(5, *q.deadline_until);
    if (q.last_event_before) st.bind(6, *q.last_event_before);
    if (q.text) {
        if (count_characters(*q.text) >= 3) {
            // One FTS5 string: the text as a phrase, its double quotes doubled.
            std::string phrase = "\"";
            for (char ch : *q.text)
                phrase += ch == '"' ? std::string("\"\"") : std::string(1, ch);
            st.bind(7, phrase + "\"");
        } else {
            std::string pattern = "%";
            for (char ch : *q.text) {
                if (ch == '%' || ch == '_' || ch == '\\') pattern += '\\';
                pattern += ch;
            }
            st.bind(7, pattern + "%");
        }
    }
    if (q.phone_digits) st.bind(8, *q.phone_digits);
    if (q.actor) st.bind(9, *q.actor);
    if (q.received_from) st.bind(10, *q.received_from);
    if (q.received_to) st.bind(11, *q.received_to);
    if (q.reporter) st.bind(12, *q.reporter);
    if (q.deadline_from) st.bind(15, *q.deadline_from);
}

}  // namespace

void SqliteStore::scan_cases(const CaseQuery& q, const std::function<void(const CaseState&)>& each) {
    // With a page, SQLite steps over the first `offset` rows without their reporters and tasks being read
    // and stops after `limit`.
    std::string sql = std::string("SELECT ") + storage_detail::kCaseColumns + case_query_from(q) +
                      case_query_order(q);
    if (q.limit) sql += " LIMIT ?13 OFFSET ?14";
    sql::Stmt st(*impl_->db, sql);
    bind_case_query(st, q);
    if (q.limit) st.bind(13, *q.limit).bind(14, q.offset);
    while (st.step())
        each(storage_detail::read_case_row(*impl_->stmts, st));
}

std::int64_t SqliteStore::count_cases(const CaseQuery& q) {
    sql::Stmt st(*impl_->db, actor_and_phase_alone(q)
                                 ? std::string("SELECT count(*) FROM case_actors a INDEXED BY "
                                               "case_actors_by_actor WHERE a.actor = ?9 AND a.phase = ?1")
                                 : "SELECT count(*)" + case_query_from(q));
    bind_case_query(st, q);
    st.step();
    return st.integer(0);
}

void SqliteStore::index_case_text(const std::string& id, const std::string& text,
                                  const std::vector<std::string>& phone_digits) {
    auto row = impl_->stmt("INSERT OR IGNORE INTO case_search_rows (case_id) VALUES (?)");
    row->bind(1, id).run();
    const bool existed = sqlite3_changes(impl_->db->handle()) == 0;
    std::int64_t r = sqlite3_last_insert_rowid(impl_->db->handle());
    if (existed) {
        auto get = impl_->stmt("SELECT row FROM case_search_rows WHERE case_id = ?");
        get->bind(1, id).step();
        r = get->integer(0);
    }
    if (impl_->bulk && impl_->depth > 0) {
        // In a bulk transaction the text waits for its end (Impl::flush_search), the last one given for a
        // case winning; `existed` stays as first recorded: whether case_search had the row before.
        if (!impl_->tx.search_pending) {
            impl_->db->exec(
                "CREATE TEMP TABLE IF NOT EXISTS search_pending (row INTEGER PRIMARY KEY, body TEXT NOT "
                "NULL, "
                "existed INTEGER NOT NULL)");
            impl_->tx.search_pending = true;
        }
        auto put = impl_->stmt(
            "INSERT INTO temp.search_pending (row, body, existed) VALUES (?, ?, ?) ON CONFLICT (row) DO "
            "UPDATE SET body = excluded.body");
        put->bind(1, r).bind(2, text).bind(3, existed ? 1 : 0).run();
    } else {
        if (existed) {  // a new row has no text to delete (and FTS5 need not look for one)
            auto del = impl_->stmt("DELETE FROM case_search WHERE rowid = ?");
            del->bind(1, r).run();
        }
        auto ins = impl_->stmt("INSERT INTO case_search (rowid, body) VALUES (?, ?)");
        ins->bind(1, r).bind(2, text).run();
    }
    if (existed) {  // a case indexed for the first time has no phones to forget
        auto drop = impl_->stmt("DELETE FROM case_phones WHERE case_id = ?");
        drop->bind(1, id).run();
    }
    for (const auto& d : phone_digits) {
        if (d.empty()) continue;
        auto phone = impl_->stmt("INSERT OR IGNORE INTO case_phones (digits, case_id) VALUES (?, ?)");
        phone->bind(1, d).bind(2, id).run();
    }
}

void SqliteStore::scan_ids_changed_since(const std::string& bound,
                                         const std::function<void(const std::string&)>& each) {
    sql::Stmt st(*impl_->db, "SELECT id FROM cases WHERE last_event_at >= ?1 AND received_at < ?1");
    st.bind(1, bound);
    while (st.step())
        each(st.text(0));
}

void SqliteStore::for_ids_deadline_from(const std::string& date,
                                        const std::function<void(const std::string&)>& each) {
    auto& db = *impl_->db;
    db.exec("CREATE TEMP TABLE IF NOT EXISTS pending_ids (id TEXT PRIMARY KEY) WITHOUT ROWID");
    db.exec("DELETE FROM pending_ids");
    {
        sql::Stmt pick(
            db, "INSERT INTO pending_ids SELECT id FROM cases WHERE deadline IS NULL OR deadline >= ?");
        pick.bind(1, date).run();
    }
    {
        sql::Stmt ids(db, "SELECT id FROM pending_ids ORDER BY id");
        while (ids.step())
            each(ids.text(0));
    }
    db.exec("DELETE FROM pending_ids");
}

void SqliteStore::scan_projection(const std::function<void(const ProjectionRow&)>& each) {
    sql::Stmt cases(*impl_->db, std::string("SELECT ") + storage_detail::kCaseColumns +
                                    ", address_hash FROM cases c ORDER BY id");
    constexpr int kAddressHash = 31;
    ProjectionRow row;
    while (cases.step()) {
        row.id = cases.text(0);
        try {
            row.state = storage_detail::read_case_row(*impl_->stmts, cases);
        } catch (const std::exception&) {
            row.state.reset();
        }
        row.category = cases.text(1);
        row.address_key = cases.text(5);
        row.received_at = cases.text(7);
        row.phase = cases.text(8);
        row.step = cases.text(9);
        row.suspended = cases.integer(10) != 0;
        row.deadline = cases.is_null(17) ? std::nullopt : std::optional<std::string>(cases.text(17));
        row.typical = cases.integer(14) != 0;
        row.last_event_at = cases.text(23);
        row.index_keys_ok = cases.integer(kAddressHash) == address_hash(row.category, row.address_key);
        {  // and the phase and receipt kept beside each person who acted on the case (save_case)
            auto stale = impl_->stmt(
                "SELECT 1 FROM case_actors WHERE case_id = ?1 AND (phase <> ?2 OR received_at <> ?3) LIMIT "
                "1");
            stale->bind(1, row.id).bind(2, row.phase).bind(3, row.received_at);
            if (stale->step()) row.index_keys_ok = false;
        }
        row.departments.clear();
        auto deps = impl_->stmt("SELECT department FROM case_tasks WHERE case_id = ?");
        deps->bind(1, row.id);
        while (deps->step())
            row.departments.push_back(deps->text(0));
        each(row);
    }
}

// ---------------------------------------------------------------------------------------------------------
// Case numbers, staff, workflows, calendar

std::int64_t SqliteStore::next_case_number(int year) {
    auto& tx = impl_->tx;
    auto it = tx.next_ids.find(year);
    if (it == tx.next_ids.end()) {
        auto get = impl_->stmt("SELECT next FROM id_counters WHERE year = ?");
        get->bind(1, year);
        it = tx.next_ids.emplace(year, get->step() ? get->integer(0) : 1).first;
    }
    const std::int64_t n = it->second++;
    tx.next_ids_dirty[year] = true;
    return n;
}

std::optional<StaffMember> SqliteStore::staff(const std::string& name) {
    auto st = impl_->stmt("SELECT role, department FROM staff WHERE name = ?");
    st->bind(1, name);
    if (!st->step()) return std::nullopt;
    return StaffMember{name, role_from_name(st->text(0)).value_or(Role::Coordinator), st->text(1)};
}

std::vector<std::string> SqliteStore::staff_names() {
    std::vector<std::string> out;
    sql::Stmt all(*impl_->db, "SELECT name FROM staff ORDER BY name");
    while (all.step())
        out.push_back(all.text(0));
    return out;
}

void SqliteStore::add_staff(const StaffMember& m, const std::string& added_at, const std::string& added_by) {
    sql::Stmt ins(*impl_->db,
                  "INSERT INTO staff (name, role, department, added_at, added_by) VALUES (?, ?, ?, ?, ?)");
    ins.bind(1, m.name).bind(2, role_name(m.role)).bind(3, m.department);
    ins.bind(4, added_at).bind(5, added_by).run();
}

// ---------------------------------------------------------------------------------------------------------
// Sign-in

std::optional<std::string> SqliteStore::password_hash(const std::string& name) {
    auto st = impl_->stmt("SELECT hash FROM staff_passwords WHERE name = ?");
    st->bind(1, name);
    if (!st->step()) return std::nullopt;
    return st->text(0);
}

void SqliteStore::set_password_hash(const std::string& name, const std::string& hash,
                                    const std::string& set_at) {
    auto st = impl_->stmt("INSERT OR REPLACE INTO staff_passwords (name, hash, set_at) VALUES (?, ?, ?)");
    st->bind(1, name).bind(2, hash).bind(3, set_at).run();
}

void SqliteStore::put_session(const SessionRow& s) {
    auto st = impl_->stmt(
        "INSERT INTO sessions (token_hash, name, csrf_token, created, last_seen) VALUES (?, ?, ?, ?, ?)");
    st->bind(1, s.token_hash).bind(2, s.name).bind(3, s.csrf_token).bind(4, s.created).bind(5, s.last_seen);
    st->run();
}

std::optional<SessionRow> SqliteStore::session(const std::string& token_hash) {
    auto st = impl_->stmt("SELECT name, csrf_token, created, last_seen FROM sessions WHERE token_hash = ?");
    st->bind(1, token_hash);
    if (!st->step()) return std::nullopt;
    return SessionRow{token_hash, st->text(0), st->text(1), st->integer(2), st->integer(3)};
}

void SqliteStore::touch_session(const std::string& token_hash, std::int64_t at) {
    auto st = impl_->stmt("UPDATE sessions SET last_seen = ? WHERE token_hash = ?");
    st->bind(1, at).bind(2, token_hash).run();
}

void SqliteStore::delete_session(const std::string& token_hash) {
    auto st = impl_->stmt("DELETE FROM sessions WHERE token_hash = ?");
    st->bind(1, token_hash).run();
}

void SqliteStore::delete_sessions_of(const std::string& name) {
    auto st = impl_->stmt("DELETE FROM sessions WHERE name = ?");
    st->bind(1, name).run();
}

void SqliteStore::delete_sessions_idle_before(std::int64_t before) {
    auto st = impl_->stmt("DELETE FROM sessions WHERE last_seen < ?");
    st->bind(1, before).run();
}

void SqliteStore::add_signin_failure(const std::string& name, std::int64_t at, std::int64_t forget_before) {
    auto forget = impl_->stmt("DELETE FROM signin_failures WHERE at < ?");
    forget->bind(1, forget_before).run();
    auto st = impl_->stmt("INSERT INTO signin_failures (name, at) VALUES (?, ?)");
    st->bind(1, name).bind(2, at).run();
}

std::vector<std::int64_t> SqliteStore::signin_failures(const std::string& name, int limit) {
    auto st = impl_->stmt("SELECT at FROM signin_failures WHERE name = ? ORDER BY at DESC LIMIT ?");
    st->bind(1, name).bind(2, limit);
    std::vector<std::int64_t> out;
    while (st->step())
        out.push_back(st->integer(0));
    return out;
}

void SqliteStore::clear_signin_failures(const std::string& name) {
    auto st = impl_->stmt("DELETE FROM signin_failures WHERE name = ?");
    st->bind(1, name).run();
}

std::vector<WorkflowInfo> SqliteStore::workflows() {
    sql::Stmt st(
        *impl_->db,
        "SELECT category, name, version, deadline_days, loaded_at, description FROM workflows ORDER BY "
        "category, version");
    std::vector<WorkflowInfo> out;
    while (st.step())
        out.push_back({st.text(0), st.text(1), static_cast<int>(st.integer(2)),
                       static_cast<int>(st.integer(3)), st.text(4), st.text(5)});
    return out;
}

std::optional<StoredWorkflow> SqliteStore::workflow(const std::string& category, std::optional<int> version) {
    auto st = impl_->stmt(
        version ? "SELECT version, source, file, compiled FROM workflows WHERE category = ? AND "
                  "version = ?"
                : "SELECT version, source, file, compiled FROM workflows WHERE category = ? ORDER BY "
                  "version DESC LIMIT 1");
    st->bind(1, category);
    if (version) st->bind(2, *version);
    if (!st->step()) return std::nullopt;
    return StoredWorkflow{category, static_cast<int>(st->integer(0)), st->text(1), st->text(2), st->text(3)};
}

std::optional<WorkflowOpening> SqliteStore::opening(const std::string& category) {
    auto st = impl_->stmt(
        "SELECT version, deadline_days, initial_step FROM workflows WHERE category = ? ORDER BY version DESC "
        "LIMIT 1");
    st->bind(1, category);
    if (!st->step()) return std::nullopt;
    return WorkflowOpening{category, static_cast<int>(st->integer(0)), static_cast<int>(st->integer(1)),
                           st->text(2)};
}

std::optional<std::string> SqliteStore::step_label(const std::string& category, int version,
                                                   const std::string& step) {
    auto st = impl_->stmt("SELECT label FROM workflow_steps WHERE category = ? AND version = ? AND step = ?");
    st->bind(1, category).bind(2, version).bind(3, step);
    if (st->step()) return st->text(0);
    return std::nullopt;
}

void SqliteStore::put_workflow(const Workflow& w, const std::string& file, const std::string& loaded_at) {
    insert_workflow(*impl_->db, w, file, loaded_at);
}

std::vector<CalendarYear> SqliteStore::calendar_data() {
    std::map<int, CalendarYear> years;
    {
        auto ys = impl_->stmt("SELECT year, provisional FROM calendar_years");
        while (ys->step()) {
            auto& y = years[static_cast<int>(ys->integer(0))];
            y.year = static_cast<int>(ys->integer(0));
            y.provisional = ys->integer(1) != 0;
        }
    }
    auto ds = impl_->stmt("SELECT date, year, working, name FROM calendar_days ORDER BY date");
    while (ds->step()) {
        auto& y = years[static_cast<int>(ds->integer(1))];
        (ds->integer(2) ? y.workdays : y.holidays).emplace_back(parse_date(ds->text(0)), ds->text(3));
    }
    std::vector<CalendarYear> list;
    for (auto& [_, y] : years)
        list.push_back(std::move(y));
    return list;
}

std::vector<CalendarYearInfo> SqliteStore::calendar_years() {
    std::vector<CalendarYearInfo> out;
    auto st = impl_->stmt("SELECT year, provisional, source, loaded_at FROM calendar_years ORDER BY year");
    while (st->step())
        out.push_back({static_cast<int>(st->integer(0)), st->integer(1) != 0, st->text(2), st->text(3)});
    return out;
}

void SqliteStore::put_calendar(const std::vector<CalendarYear>& years, const std::string& source,
                               const std::string& loaded_at) {
    insert_calendar(*impl_->db, years, source, loaded_at);
}

std::string SqliteStore::damage() {
    // The file itself first: a damaged page anywhere (an index, a table the log does not read).
    std::string first;
    try {
        sql::Stmt check(*impl_->db, "PRAGMA quick_check(1)");
        first = check.step() ? check.text(0) : "no answer";
    } catch (const Error& e) {
        first = e.what();
    }
    if (first != "ok") {
        std::replace(first.begin(), first.end(), '\n', ' ');
        return "数据库文件已损坏（SQLite：" + first + "）；请从备份恢复";
    }
    // The schema the program relies on: every table and index the migrations create, and nothing else.
    if (const std::string d = schema_difference(*impl_->db, schema_version()); !d.empty())
        return "数据库结构已被改动：" + d + "；请从备份恢复";
    return "";
}

}  // namespace minsheng
