// The thin SQLite layer's failures: a lock is a std::exception the front ends can always catch, and every
// other failure keeps SQLite's extended result code beside a Chinese message.
#include <sqlite3.h>

#include <exception>
#include <thread>
#include <type_traits>

#include "prelude.h"
#include "storage/sqlite.h"

namespace sql = minsheng::sql;

static_assert(std::is_base_of_v<std::exception, sql::Busy>,
              "Busy must reach a front end's catch (const std::exception&), never std::terminate");
static_assert(std::is_base_of_v<minsheng::Error, sql::Failure>, "a failure is a storage Error (exit 1)");

TEST_CASE("a failed statement keeps SQLite's extended result code and says what happened in Chinese",
          "[storage][sqlite]") {
    TempDir dir;
    sql::Db db(dir.file("t.db"), sql::Db::Mode::Create);
    db.exec("CREATE TABLE t (k TEXT PRIMARY KEY)");
    sql::Stmt put(db, "INSERT INTO t (k) VALUES (?)");
    put.bind(1, std::string_view("海福巷3号")).run();
    put.reset();
    try {
        put.bind(1, std::string_view("海福巷3号")).run();
        FAIL("a duplicate key was accepted");
    } catch (const sql::Failure& e) {
        CHECK(e.extended_code() == SQLITE_CONSTRAINT_PRIMARYKEY);
        CHECK(e.kind() == minsheng::ErrorKind::Storage);
        const std::string what = e.what();
        CHECK(what.find("数据库出错") != std::string::npos);
        CHECK(what.find(std::to_string(SQLITE_CONSTRAINT_PRIMARYKEY)) != std::string::npos);
    }
}

TEST_CASE("a lock held by another connection surfaces as Busy, a std::exception with a Chinese message",
          "[storage][sqlite]") {
    TempDir dir;
    const std::string path = dir.file("t.db");
    sql::Db writer(path, sql::Db::Mode::Create);
    writer.exec("CREATE TABLE t (k INTEGER)");
    writer.exec("BEGIN IMMEDIATE");
    sql::Db other(path, sql::Db::Mode::ReadWrite);
    sqlite3_busy_timeout(other.handle(), 0);  // answer at once instead of waiting ten seconds
    try {
        other.exec("BEGIN IMMEDIATE");
        FAIL("a second writer got the lock");
    } catch (const std::exception& e) {
        CHECK(dynamic_cast<const sql::Busy*>(&e) != nullptr);
        CHECK(std::string(e.what()).find("占用") != std::string::npos);
    }
    writer.exec("ROLLBACK");
}
