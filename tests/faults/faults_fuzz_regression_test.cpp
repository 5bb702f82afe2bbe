// The fuzz targets' checks run over kept inputs in CI, without libFuzzer: every file in tests/faults/cases/
// (inputs the fuzzers found interesting or that once broke something) and the seed corpora in fuzz/corpus/.
// A file named csv-* goes to the CSV reader check (fuzz/csv_fuzz.cpp), cli-* to the command-line check
// (fuzz/cli_fuzz.cpp); the code is the fuzz targets' own, included here.

#define MINSHENG_FUZZ_NO_ENTRY
#include "fuzz/cli_fuzz.cpp"
#include "fuzz/csv_fuzz.cpp"
#undef MINSHENG_FUZZ_NO_ENTRY

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "prelude.h"

namespace fs = std::filesystem;

namespace {

// The regular files of a folder, sorted, with the given name prefix ("" for all).
std::vector<fs::path> files_in(const fs::path& dir, const std::string& prefix) {
    std::vector<fs::path> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec))
        if (e.is_regular_file() && e.path().filename().string().rfind(prefix, 0) == 0)
            out.push_back(e.path());
    std::sort(out.begin(), out.end());
    return out;
}

const fs::path kCases = fs::path(MINSHENG_SOURCE_DIR) / "tests" / "faults" / "cases";
const fs::path kCorpus = fs::path(MINSHENG_SOURCE_DIR) / "fuzz" / "corpus";

std::string check_csv_file(const fs::path& p) {
    const std::string bytes = read_text(p.string());
    return minsheng::fuzz::check_csv(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
}

}  // namespace

TEST_CASE("kept CSV inputs: the streaming reader agrees with the reference reading", "[faults][fuzz]") {
    auto files = files_in(kCases, "csv-");
    const auto corpus = files_in(kCorpus / "csv", "");
    files.insert(files.end(), corpus.begin(), corpus.end());
    REQUIRE(!files.empty());
    for (const auto& f : files) {
        CAPTURE(f.string());
        CHECK(check_csv_file(f) == "");
    }
}

TEST_CASE("the CSV reader agrees with the reference on hand-made edge cases", "[faults][fuzz]") {
    const std::vector<std::string> inputs = {
        "",
        "\xEF\xBB\xBF",
        "\xEF\xBB",
        "\xEF\xBB\xBF\xEF\xBB\xBF"
        "a",
        "\n",
        "\r",
        "\r\n\r\n",
        "\n\r",
        "a,b\r\nc,d",
        "a,b,\n,\n",
        "\"\"",
        "\"\"\"\"",
        "\"a\r\nb\",\"c\rd\",\"e\nf\"\r\ng",
        "\"unterminated\nline 2\nline 3",
        "\"closed\"x",
        "\"closed\" ,x",
        "a\"b",
        "a,\"b\"\"c\",d\n",
        "\"a\"\r",
        std::string("nul\0byte,x\n", 11),
    };
    for (const auto& in : inputs) {
        CAPTURE(in);
        CHECK(minsheng::fuzz::check_csv(reinterpret_cast<const std::uint8_t*>(in.data()), in.size()) == "");
    }
}

TEST_CASE("kept command-line inputs keep the exit-code, one-line and integrity contract", "[faults][fuzz]") {
    TempDir dir;
    minsheng::fuzz::CliSandbox sandbox(dir.path().string());
    auto files = files_in(kCases, "cli-");
    const auto corpus = files_in(kCorpus / "cli", "");
    files.insert(files.end(), corpus.begin(), corpus.end());
    REQUIRE(!files.empty());
    for (const auto& f : files) {
        CAPTURE(f.string());
        const std::string bytes = read_text(f.string());
        CHECK(sandbox.one(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()) == "");
    }
}
