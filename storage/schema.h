// The database schema and its forward migrations (PRAGMA user_version counts the migrations applied).
#pragma once

namespace minsheng::sql {
class Db;
}

namespace minsheng {

// Marks the file as ours in the SQLite header (PRAGMA application_id): "MSNG".
constexpr int kApplicationId = 0x4D534E47;

// The schema version this build writes and the newest it can read.
int schema_version();

// Applies every migration newer than the file's user_version, inside the caller's transaction.
void migrate(sql::Db& db);

}  // namespace minsheng
