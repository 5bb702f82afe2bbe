// Times deadline arithmetic on the shipped calendar: add_working_days(d, 20) and working_days_between(a, b)
// over random dates in 2023-2025. Prints the median of 7 batches in ns per call; the target is well under 1
// µs.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "engine/calendar.h"
#include "engine/error.h"

namespace {

constexpr int kCalls = 1000000;
constexpr int kBatches = 7;

template <class Batch>
double median_ns_per_call(Batch batch, std::uint64_t& checksum) {
    std::vector<double> ns;
    for (int b = 0; b < kBatches; ++b) {
        const auto t0 = std::chrono::steady_clock::now();
        checksum += batch();
        const auto t1 = std::chrono::steady_clock::now();
        ns.push_back(std::chrono::duration<double, std::nano>(t1 - t0).count() / kCalls);
    }
    std::sort(ns.begin(), ns.end());
    return ns[kBatches / 2];
}

}  // namespace

int main() {
    const std::string path = MINSHENG_SOURCE_DIR "/workflows/calendar/cn-holidays.yaml";
    try {
        std::ifstream in(path, std::ios::binary);
        if (!in) {
            std::fprintf(stderr, "bench_deadline: cannot read %s\n", path.c_str());
            return 1;
        }
        std::ostringstream text;
        text << in.rdbuf();
        const minsheng::Calendar calendar(minsheng::parse_calendar_yaml(text.str(), path));

        // Inputs are drawn before timing so the batches measure the calendar, not the generator.
        std::mt19937 rng(20230601u);
        const minsheng::Date from = minsheng::parse_date("2023-01-01");
        const long span = (minsheng::parse_date("2025-12-31") - from).days();
        std::uniform_int_distribution<long> pick(0, span);
        std::vector<minsheng::Date> starts, ends;
        starts.reserve(kCalls);
        ends.reserve(kCalls);
        for (int i = 0; i < kCalls; ++i) {
            starts.push_back(from + boost::gregorian::days(pick(rng)));
            ends.push_back(from + boost::gregorian::days(pick(rng)));
        }

        std::uint64_t checksum = 0;
        const double add_ns = median_ns_per_call(
            [&] {
                std::uint64_t sum = 0;
                for (const auto& d : starts)
                    sum += calendar.add_working_days(d, 20).day_number();
                return sum;
            },
            checksum);
        const double between_ns = median_ns_per_call(
            [&] {
                std::uint64_t sum = 0;
                for (int i = 0; i < kCalls; ++i) {
                    sum += static_cast<std::uint64_t>(calendar.working_days_between(starts[i], ends[i]));
                }
                return sum;
            },
            checksum);

        std::printf("add_working_days(d, 20):    %7.1f ns/call (median of %d x %d)\n", add_ns, kBatches,
                    kCalls);
        std::printf("working_days_between(a, b): %7.1f ns/call (median of %d x %d)\n", between_ns, kBatches,
                    kCalls);
        std::printf("checksum %llu\n", static_cast<unsigned long long>(checksum));
        return 0;
    } catch (const minsheng::Error& e) {
        std::fprintf(stderr, "bench_deadline: %s\n", e.what());
        return e.exit_code();
    }
}
