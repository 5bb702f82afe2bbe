// A thin RAII layer over SQLite: a connection, prepared statements with bind/step, and a transaction that
// rolls back unless committed. Every failure becomes minsheng::Error(Storage) carrying SQLite's message.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace minsheng::sql {

// Thrown when SQLite answers BUSY/LOCKED: the caller retries the whole transaction.
struct Busy {};

class Db {
public:
    enum class Mode { ReadWrite, Create };
    Db(const std::string& path, Mode mode);
    ~Db();
    Db(const Db&) = delete;
    Db& operator=(const Db&) = delete;

    void exec(const std::string& sql);  // for fixed SQL only (schema, pragmas), never user text
    sqlite3* handle() const { return db_; }
    std::int64_t last_insert_rowid() const;
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
    Stmt& bind_opt(int i, const std::optional<std::string>& v) {
        return v ? bind(i, std::string_view(*v)) : bind_null(i);
    }

    bool step();  // true while a row is available
    void run();   // step to completion, expecting no rows
    void reset();

    std::string text(int col) const;
    std::int64_t integer(int col) const;
    bool is_null(int col) const;

private:
    Db& db_;
    sqlite3_stmt* st_ = nullptr;
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

}  // namespace minsheng::sql
