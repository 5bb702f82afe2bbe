// RAII over the SQLite C API (see sqlite.h).
#include "storage/sqlite.h"

#include <sqlite3.h>

#include <cerrno>
#include <cstdio>

#include "engine/error.h"

namespace minsheng::sql {

namespace {
bool is_busy(int rc) {
    const int primary = rc & 0xff;
    return primary == SQLITE_BUSY || primary == SQLITE_LOCKED;
}
}  // namespace

namespace {
// A path as an SQLite URI filename (only %, ? and # need escaping).
std::string uri_of(const std::string& path) {
    std::string out = "file:";
    for (char c : path) {
        if (c == '%' || c == '?' || c == '#') {
            char buf[4];
            std::snprintf(buf, sizeof buf, "%%%02X", static_cast<unsigned char>(c));
            out += buf;
        } else {
            out += c;
        }
    }
    return out;
}
}  // namespace

Db::Db(const std::string& path, Mode mode) {
    // SQLite's memory statistics, which nothing here reads, take a global mutex on every allocation: an
    // import row makes hundreds (3% of an import's instructions in callgrind went to lock and unlock). Set
    // before SQLite initialises, i.e. before the process's first connection; later calls change nothing.
    static const bool configured = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) == SQLITE_OK;
    (void)configured;
    int flags = SQLITE_OPEN_NOMUTEX;
    std::string name = path;
    switch (mode) {
        case Mode::Create:
            flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
            break;
        case Mode::ReadWrite:
            flags |= SQLITE_OPEN_READWRITE;
            break;
        case Mode::ReadOnly:
            flags |= SQLITE_OPEN_READONLY;
            break;
        case Mode::ReadOnlyImmutable:
            flags |= SQLITE_OPEN_READONLY | SQLITE_OPEN_URI;
            name = uri_of(path) + "?immutable=1";
            break;
    }
    const int rc = sqlite3_open_v2(name.c_str(), &db_, flags, nullptr);
    if (rc != SQLITE_OK) {
        const std::string msg = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
        sqlite3_close_v2(db_);
        db_ = nullptr;
        throw Failure(rc, "无法打开数据库 " + path + "：" + msg);
    }
    sqlite3_extended_result_codes(db_, 1);
    // Writers from several processes wait for each other instead of failing.
    sqlite3_busy_timeout(db_, 10000);
}

Db::~Db() {
    sqlite3_close_v2(db_);
}

int Db::system_errno() const {
    return db_ ? sqlite3_system_errno(db_) : 0;
}

void Db::fail(int rc, std::string_view context) const {
    if (is_busy(rc)) throw Busy{};
    const int extended = db_ ? sqlite3_extended_errcode(db_) : rc;
    std::string msg = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    const int primary = rc & 0xff;
    // What the operating system said, when it explains the failure better than SQLite's code. SQLite's own
    // words stay in brackets with its extended code, for whoever reads the log afterwards.
    const std::string detail = "（SQLite：" + msg + "，代码 " + std::to_string(extended) + "）";
    const int os = system_errno();
    if (primary == SQLITE_FULL || os == ENOSPC || os == EDQUOT)
        msg = "磁盘已满" + detail + "；请腾出空间后重新运行命令";
    else if (primary == SQLITE_READONLY || os == EROFS)
        msg = "数据库只读" + detail;
    else if (os == EACCES || os == EPERM)
        msg = "没有写入数据库或其所在文件夹的权限，对你来说它是只读的" + detail;
    else
        msg = "数据库出错" + detail;
    throw Failure(extended, context.empty() ? msg : std::string(context) + "：" + msg);
}

void Db::exec(const std::string& sql) {
    char* err = nullptr;
    const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
    sqlite3_free(err);
    if (rc != SQLITE_OK) fail(rc, "");
}

std::int64_t Db::last_insert_rowid() const {
    return sqlite3_last_insert_rowid(db_);
}

Stmt::Stmt(Db& db, std::string_view sql) : db_(db) {
    const int rc = sqlite3_prepare_v2(db.handle(), sql.data(), static_cast<int>(sql.size()), &st_, nullptr);
    if (rc != SQLITE_OK) db.fail(rc, "");
}

Stmt::~Stmt() {
    sqlite3_finalize(st_);
}

Stmt& Stmt::bind(int i, std::string_view v) {
    const int rc = sqlite3_bind_text(st_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    if (rc != SQLITE_OK) db_.fail(rc, "");
    return *this;
}

Stmt& Stmt::bind(int i, std::int64_t v) {
    const int rc = sqlite3_bind_int64(st_, i, v);
    if (rc != SQLITE_OK) db_.fail(rc, "");
    return *this;
}

Stmt& Stmt::bind_null(int i) {
    const int rc = sqlite3_bind_null(st_, i);
    if (rc != SQLITE_OK) db_.fail(rc, "");
    return *this;
}

Stmt& Stmt::bind_blob(int i, std::string_view bytes) {
    const int rc = sqlite3_bind_blob(st_, i, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
    if (rc != SQLITE_OK) db_.fail(rc, "");
    return *this;
}

bool Stmt::step() {
    const int rc = sqlite3_step(st_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    db_.fail(rc, "");
}

void Stmt::run() {
    while (step()) {
    }
}

void Stmt::reset() {
    sqlite3_reset(st_);
    sqlite3_clear_bindings(st_);
}

void Stmt::rewind() {
    sqlite3_reset(st_);
}

std::string Stmt::text(int col) const {
    const auto* p = sqlite3_column_text(st_, col);
    if (!p) return {};
    return std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(sqlite3_column_bytes(st_, col)));
}

std::string_view Stmt::view(int col) const {
    const auto* p = sqlite3_column_text(st_, col);
    if (!p) return {};
    return {reinterpret_cast<const char*>(p), static_cast<size_t>(sqlite3_column_bytes(st_, col))};
}

std::string_view Stmt::blob(int col) const {
    const auto* p = sqlite3_column_blob(st_, col);
    if (!p) return {};
    return {static_cast<const char*>(p), static_cast<size_t>(sqlite3_column_bytes(st_, col))};
}

std::int64_t Stmt::integer(int col) const {
    return sqlite3_column_int64(st_, col);
}
bool Stmt::is_null(int col) const {
    return sqlite3_column_type(st_, col) == SQLITE_NULL;
}

StmtCache::Lease StmtCache::get(const std::string& sql) {
    auto it = stmts_.find(sql);
    if (it == stmts_.end()) it = stmts_.emplace(sql, std::make_unique<Stmt>(db_, sql)).first;
    return Lease(*it->second);
}

Transaction::Transaction(Db& db) : db_(db) {
    db_.exec("BEGIN IMMEDIATE");
}

Transaction::~Transaction() {
    if (!done_) sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void Transaction::commit() {
    db_.exec("COMMIT");
    done_ = true;
}

ReadTransaction::ReadTransaction(Db& db) : db_(db) {
    if (sqlite3_get_autocommit(db_.handle()) == 0) return;  // already in one
    db_.exec("BEGIN");
    began_ = true;
}

ReadTransaction::~ReadTransaction() {
    if (began_) sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

}  // namespace minsheng::sql
