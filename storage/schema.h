// The database schema and its forward migrations (PRAGMA user_version counts the migrations applied).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace minsheng::sql {
class Db;
}

namespace minsheng {

struct Workflow;

// Marks the file as ours in the SQLite header (PRAGMA application_id): "MSNG".
constexpr int kApplicationId = 0x4D534E47;

// The schema version this build writes and the newest it can read.
int schema_version();

// Applies every migration newer than the file's user_version, inside the caller's transaction.
void migrate(sql::Db& db);
// Applies the migrations newer than the file's user_version up to `up_to` only (tests build the schema of an
// older version this way: migrations never change once shipped).
void migrate(sql::Db& db, int up_to);

// The difference between `db`'s schema (its tables, indexes, views and triggers in sqlite_master, SQLite's
// own objects left out) and the one migrations 1..version create — found by applying those migrations to an
// in-memory database, so a new migration is covered without a list to keep. "" when they agree, else the
// first difference in words: "index cases_running_by_deadline is missing", "table meta is not expected".
std::string schema_difference(sql::Db& db, int version);

// Records a workflow version's step labels (table workflow_steps), inside the caller's transaction.
void store_workflow_steps(sql::Db& db, const Workflow& w);

// The key of the open-case index (cases.address_hash): a 64-bit FNV-1a hash of the category and the
// normalized address. Eight bytes instead of the two texts keep the index small enough to stay in the page
// cache over a million cases; lookups compare the texts too, so collisions are harmless. Migration 2 computes
// it in SQL as minsheng_address_hash(category, address_key).
std::int64_t address_hash(std::string_view category, std::string_view address_key);

}  // namespace minsheng
