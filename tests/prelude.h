// What every test file starts from: Catch2, JSON, the shared test helpers (test_support.h) and the names
// the tests use most, declared once here instead of in a `using` block at the top of each file.
#pragma once

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "engine/error.h"
#include "test_support.h"

using Catch::Matchers::Contains;
using minsheng::Error;
using minsheng::ErrorKind;
using nlohmann::json;
using namespace minsheng::test;
