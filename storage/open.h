// Where the application layer gets a store: the one header front ends reach storage through (by way of
// usecases/). A location is a file path (SQLite); other backends will be chosen here by their URL.
#pragma once

#include <memory>
#include <string>

#include "storage/store.h"

namespace minsheng {

// Opens the station at `location`, migrating it forward (see SqliteStore).
std::unique_ptr<Store> open_store(const std::string& location);

// Creates a new station at `location` holding `seed`; refused (exit 3) when one exists there.
void create_store(const std::string& location, const StationSeed& seed);

}  // namespace minsheng
