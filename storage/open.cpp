// Backend choice by location (see open.h).
#include "storage/open.h"

#include "storage/sqlite_store.h"

namespace minsheng {

std::unique_ptr<Store> open_store(const std::string& location) {
    return std::make_unique<SqliteStore>(location);
}

void create_store(const std::string& location, const StationSeed& seed) {
    SqliteStore::create(location, seed);
}

}  // namespace minsheng
