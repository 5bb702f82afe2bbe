// A thin RAII layer over SQLite: a connection, prepared statements with bind/step, and a transaction that
// rolls back unless committed. Every failure becomes minsheng::Error(Storage) carrying SQLite's message.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>

#include "engine/error.h"

struct sqlite3;
struct sqlite3_stmt;

namespace minsheng::sql {

// Thrown when SQLite answers BUSY/LOCKED: the caller retries the whole transaction. A minsheng::Busy, so
// that a path which does not retry still ends in the front end's one-line error, never std::terminate.
struct Busy : minsheng::Busy {};

// Every other SQLite failure: a storage Error (exit 1) that also keeps SQLite's extended result code
// (e.g. SQLITE_IOERR_WRITE = 778), for logs and for callers that tell failures apart.
class Failure : public Error {
public:
    Failure(int extended_code, const std::string& message)
        : Error(ErrorKind::Storage, message), extended_code_(extended_code) {}
    int extended_code() const { return extended_code_; }

private:
    int extended_code_;
};

class Db {
public:
    // ReadOnly / ReadOnlyImmutable: for a station on read-only media or without write permission. ReadOnly
    // reads through an existing WAL; ReadOnlyImmutable, when SQLite cannot create the WAL's files, reads the
    // file alone without locks (nothing can write it meanwhile).
    enum class Mode { ReadWrite, Create, ReadOnly, ReadOnlyImmutable };
    Db(const std::string& path, Mode mode);
    ~Db();
    Db(const Db&) = delete;
    Db& operator=(const Db&) = delete;

    void exec(const std::string& sql);  // for fixed SQL only (schema, pragmas), never user text
    sqlite3* handle() const { return db_; }
    std::int64_t last_insert_rowid() const;
    int system_errno() const;  // the OS error behind the last failure, 0 when none
    [[noreturn]] void fail(int rc, std::string_view context) const;

private:
    sqlite3* db_ = nullptr;
};

class Stmt {
public:
    Stmt(Db& db, std::string_view sql);
    ~Stmt();
    Stmt(const Stmt&) = delete;
    Stmt& operator=(const Stmt&) = delete;

    // Binds are 1-based and chainable.
    Stmt& bind(int i, std::string_view v);
    Stmt& bind(int i, std::int64_t v);
    Stmt& bind(int i, int v) { return bind(i, static_cast<std::int64_t>(v)); }
    Stmt& bind_null(int i);
    Stmt& bind_blob(int i, std::string_view bytes);  // the bytes as a BLOB (a hash), not as text
    Stmt& bind_opt(int i, const std::optional<std::string>& v) {
        return v ? bind(i, std::string_view(*v)) : bind_null(i);
    }

    bool step();    // true while a row is available
    void run();     // step to completion, expecting no rows
    void reset();   // ready to run again, bindings cleared
    void rewind();  // ready to run again, bindings kept (to be replaced)

    std::string text(int col) const;
    std::string_view view(int col) const;  // valid until the next step or reset
    std::string_view blob(int col) const;  // the column's bytes as stored, valid until the next step or reset
    std::int64_t integer(int col) const;
    bool is_null(int col) const;

private:
    Db& db_;
    sqlite3_stmt* st_ = nullptr;
};

// Statements prepared once per connection and reused: `get` hands out a lease that resets the statement when
// it goes out of scope, so a cached statement never keeps a read snapshot open. Bindings are kept for speed:
// every use binds every parameter. Destroy the cache before its Db.
class StmtCache {
public:
    explicit StmtCache(Db& db) : db_(db) {}
    StmtCache(const StmtCache&) = delete;
    StmtCache& operator=(const StmtCache&) = delete;

    class Lease {
    public:
        explicit Lease(Stmt& s) : s_(&s) {}
        ~Lease() { s_->rewind(); }
        Lease(const Lease&) = delete;
        Lease& operator=(const Lease&) = delete;
        Stmt* operator->() const { return s_; }
        Stmt& operator*() const { return *s_; }

    private:
        Stmt* s_;
    };

    // `sql` must be fixed text (a literal or built only from fixed fragments), never user input.
    Lease get(const std::string& sql);

private:
    Db& db_;
    std::unordered_map<std::string, std::unique_ptr<Stmt>> stmts_;
};

// BEGIN IMMEDIATE in the constructor, ROLLBACK in the destructor unless commit() ran. Never throws on
// destruction.
class Transaction {
public:
    explicit Transaction(Db& db);
    ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    void commit();

private:
    Db& db_;
    bool done_ = false;
};

// A read transaction: every statement run while it lives reads the same snapshot of the database (in WAL
// mode, writers go on meanwhile), so a read made of several queries sees one state. Inside a transaction
// already (a write's), it adds nothing. Ends (ROLLBACK: nothing to keep) on destruction; never throws there.
class ReadTransaction {
public:
    explicit ReadTransaction(Db& db);
    ~ReadTransaction();
    ReadTransaction(const ReadTransaction&) = delete;
    ReadTransaction& operator=(const ReadTransaction&) = delete;

private:
    Db& db_;
    bool began_ = false;
};

}  // namespace minsheng::sql
