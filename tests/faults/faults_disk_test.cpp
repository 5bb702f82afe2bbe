// Fault injection: a full disk and a read-only database. Writes fail with exit 1 and one clear line, nothing
// is half-written, reads of a read-only station still work, and once space is back the next command works.
//
// A real full disk needs a small file system of its own: as root the test mounts a 1 MB tmpfs; elsewhere (or
// when mounting is not permitted, as in unprivileged containers) it says so and skips.

#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "prelude.h"

namespace fs = std::filesystem;

namespace {

const std::string kCoordinator = "王协调";

// A tmpfs of `size` mounted on a fresh folder, unmounted (lazily, whatever is left open) on destruction.
class SmallDisk {
public:
    explicit SmallDisk(const std::string& size) {
        if (::geteuid() != 0) {
            why_not_ = "not running as root, so no file system of our own can be mounted";
            return;
        }
        const std::string opts = "size=" + size + ",mode=0755";
        if (::mount("tmpfs", dir_.path().c_str(), "tmpfs", 0, opts.c_str()) != 0) {
            why_not_ = std::string("mount -t tmpfs failed: ") + std::strerror(errno);
            return;
        }
        mounted_ = true;
    }
    ~SmallDisk() {
        if (mounted_) ::umount2(dir_.path().c_str(), MNT_DETACH);
    }
    SmallDisk(const SmallDisk&) = delete;
    SmallDisk& operator=(const SmallDisk&) = delete;

    bool mounted() const { return mounted_; }
    const std::string& why_not() const { return why_not_; }
    std::string file(const std::string& name) const { return dir_.file(name); }
    const fs::path& path() const { return dir_.path(); }
    bool remount(bool read_only) {
        const unsigned long flags = MS_REMOUNT | (read_only ? MS_RDONLY : 0);
        return ::mount("tmpfs", dir_.path().c_str(), "tmpfs", flags, nullptr) == 0;
    }
    long long free_bytes() const {
        struct statvfs s {};
        ::statvfs(dir_.path().c_str(), &s);
        return static_cast<long long>(s.f_bavail) * static_cast<long long>(s.f_frsize);
    }

private:
    TempDir dir_;
    bool mounted_ = false;
    std::string why_not_;
};

// Fills the file system with `filler` until fewer than `leave` bytes are free.
void fill(const SmallDisk& disk, const std::string& filler, long long leave) {
    std::ofstream out(filler, std::ios::binary | std::ios::app);
    const std::string block(4096, 'x');
    while (disk.free_bytes() > leave && out) {
        out.write(block.data(), static_cast<std::streamsize>(block.size()));
        out.flush();
    }
}

bool mentions_full_disk(const std::string& err) {
    return err.find("磁盘已满") != std::string::npos;
}

bool mentions_read_only(const std::string& err) {
    return err.find("只读") != std::string::npos;
}

std::string list_json(const std::string& db) {
    const RunResult r = run_minsheng({"--db", db, "--today", "2024-03-05", "--json", "case", "list"});
    INFO(r.err);
    CHECK(r.exit_code == 0);
    return r.out;
}

// Writes that must fail on a full disk: a case action, a new case, an import, a staff member.
std::vector<std::vector<std::string>> writes(const std::string& db, const std::string& id,
                                             const std::string& csv) {
    const std::string big_note(20000, 'n');
    return {
        {"--db", db, "--as", kCoordinator, "case", "do", id, "note", "--note", big_note, "--at",
         "2024-03-05T10:00"},
        {"--db", db, "--as", kCoordinator, "case", "open", "--category", "road", "--address", "满盘路1号",
         "--summary", big_note, "--at", "2024-03-05T10:00"},
        {"--db", db, "--as", kCoordinator, "import", csv},
        {"--db", db, "--as", "督办甲", "staff", "add", "新同事", "--role", "coordinator", "--department",
         big_note},
    };
}

std::string ledger(int rows) {
    std::string csv = "received_at,category,address,summary\n";
    for (int i = 0; i < rows; ++i)
        csv += "2024-03-05,drainage,满盘巷" + std::to_string(i) + "号," + std::string(200, 's') + "\n";
    return csv;
}

// A station in the small disk with one case; returns the case id.
std::string station_with_case(const std::string& db) {
    init_station(db);
    const RunResult r =
        run_minsheng({"--db", db, "--as", kCoordinator, "--json", "case", "open", "--category", "drainage",
                      "--address", "海福巷3号", "--summary", "污水漫溢", "--at", "2024-03-04T09:00"});
    REQUIRE(r.exit_code == 0);
    return json::parse(r.out).at("id");
}

void check_full_disk_refusals(const SmallDisk& disk, const std::string& db, const std::string& id,
                              const std::string& csv) {
    const json before = audit_verify_json(db);
    const std::string list_before = list_json(db);
    fill(disk, disk.file("filler"), 0);  // nothing left at all
    for (const auto& args : writes(db, id, csv)) {
        const RunResult r = run_minsheng(args);
        CAPTURE(args[4], r.exit_code, r.err);
        CHECK(r.exit_code == 1);
        CHECK(one_line(r.err));
        CHECK(mentions_full_disk(r.err));
    }
    // Space back: nothing was half-written, and the next command works.
    fs::remove(disk.file("filler"));
    const json after = audit_verify_json(db);
    CHECK(after.at("events") == before.at("events"));
    CHECK(after.at("cases") == before.at("cases"));
    CHECK(list_json(db) == list_before);
    const RunResult next = run_minsheng({"--db", db, "--as", kCoordinator, "case", "do", id, "note", "--note",
                                         "空间恢复后", "--at", "2024-03-05T11:00"});
    CAPTURE(next.err);
    CHECK(next.exit_code == 0);
    CHECK(audit_verify_json(db).at("events") == before.at("events").get<int>() + 1);
}

}  // namespace

TEST_CASE("on a full disk writes fail with one clear line and nothing is half-written", "[faults][disk]") {
    SmallDisk disk("1M");
    if (!disk.mounted()) {
        WARN("skipped: " << disk.why_not());
        SUCCEED("skipped: " << disk.why_not());
        return;
    }
    TempDir scratch;
    const std::string csv = scratch.file("ledger.csv");
    minsheng::test::write_text(csv, ledger(400));
    const std::string db = disk.file("station.db");
    const std::string id = station_with_case(db);

    SECTION("the disk filled up while nothing was running") {
        check_full_disk_refusals(disk, db, id, csv);
    }

    SECTION("the disk has a little room left: writes go until it is gone, then fail cleanly") {
        const json before = audit_verify_json(db);
        fill(disk, disk.file("filler"), 96 * 1024);
        int written = 0;
        RunResult last;
        for (int i = 0; i < 200; ++i) {
            last = run_minsheng({"--db", db, "--as", kCoordinator, "case", "do", id, "note", "--note",
                                 std::string(3000, 'a' + i % 26), "--at", "2024-03-05T10:00"});
            if (last.exit_code != 0) break;
            ++written;
        }
        CAPTURE(written, last.err);
        CHECK(last.exit_code == 1);
        CHECK(one_line(last.err));
        CHECK(mentions_full_disk(last.err));
        fs::remove(disk.file("filler"));
        CHECK(audit_verify_json(db).at("events") == before.at("events").get<int>() + written);
        CHECK(run_minsheng({"--db", db, "--as", kCoordinator, "case", "do", id, "note", "--note", "恢复",
                            "--at", "2024-03-05T11:00"})
                  .exit_code == 0);
    }
}

TEST_CASE("a read-only station refuses writes with one clear line and still answers reads",
          "[faults][disk]") {
    SmallDisk disk("8M");
    if (!disk.mounted()) {
        WARN("skipped: " << disk.why_not());
        SUCCEED("skipped: " << disk.why_not());
        return;
    }
    const std::string db = disk.file("station.db");
    const std::string id = station_with_case(db);
    TempDir scratch;
    const std::string csv = scratch.file("ledger.csv");
    minsheng::test::write_text(csv, ledger(5));
    const std::string list_before = list_json(db);
    const json verified = audit_verify_json(db);
    REQUIRE(disk.remount(true));

    for (const auto& args : writes(db, id, csv)) {
        const RunResult r = run_minsheng(args);
        CAPTURE(args[4], r.exit_code, r.err);
        CHECK(r.exit_code == 1);
        CHECK(one_line(r.err));
        CHECK(mentions_read_only(r.err));
        CHECK(r.err.find("不是 minsheng 数据库") == std::string::npos);
    }
    // Reads still work on read-only media.
    const RunResult list = run_minsheng({"--db", db, "--today", "2024-03-05", "--json", "case", "list"});
    CAPTURE(list.err);
    CHECK(list.exit_code == 0);
    CHECK(list.out == list_before);
    const RunResult show = run_minsheng({"--db", db, "--today", "2024-03-05", "case", "show", id});
    CAPTURE(show.err);
    CHECK(show.exit_code == 0);
    const RunResult v = run_minsheng({"--db", db, "--json", "audit", "verify"});
    CAPTURE(v.err);
    CHECK(v.exit_code == 0);

    REQUIRE(disk.remount(false));
    CHECK(audit_verify_json(db).at("events") == verified.at("events"));
    CHECK(run_minsheng({"--db", db, "--as", kCoordinator, "case", "do", id, "note", "--note", "可写了",
                        "--at", "2024-03-05T11:00"})
              .exit_code == 0);
}

namespace {

// Runs the program as an unprivileged user (nobody), for permission checks that root would bypass.
RunResult run_as_nobody(const std::vector<std::string>& args, const std::string& io_dir) {
    const std::string out = io_dir + "/out", err = io_dir + "/err";
    const pid_t pid = ::fork();
    if (pid == 0) {
        std::FILE* o = std::freopen(out.c_str(), "w", stdout);
        std::FILE* e = std::freopen(err.c_str(), "w", stderr);
        (void)o;
        (void)e;
        if (::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(126);
        ::unsetenv("MINSHENG_DB");
        ::unsetenv("MINSHENG_ACTOR");
        ::unsetenv("MINSHENG_TODAY");
        std::vector<std::string> argv_s = {MINSHENG_BIN};
        argv_s.insert(argv_s.end(), args.begin(), args.end());
        std::vector<char*> argv;
        for (auto& a : argv_s)
            argv.push_back(a.data());
        argv.push_back(nullptr);
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    RunResult r;
    r.exit_code = exit_code_of(status);
    r.out = minsheng::test::read_text(out);
    r.err = minsheng::test::read_text(err);
    return r;
}

}  // namespace

TEST_CASE("a station file and folder without write permission: writes refused clearly, reads work",
          "[faults][disk]") {
    TempDir dir;
    const std::string db = fresh_station(dir);
    const std::string id =
        json::parse(run_minsheng({"--db", db, "--as", kCoordinator, "--json", "case", "open", "--category",
                                  "drainage", "--address", "只读巷1号", "--summary", "井盖缺失", "--at",
                                  "2024-03-04T09:00"})
                        .out)
            .at("id");
    const std::string list_before = list_json(db);
    const std::string bytes_before = minsheng::test::read_text(db);
    TempDir io;
    fs::permissions(io.path(), fs::perms::all, fs::perm_options::add);
    fs::permissions(db, fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
    fs::permissions(dir.path(), fs::perms::owner_read | fs::perms::owner_exec | fs::perms::group_read |
                                    fs::perms::group_exec | fs::perms::others_read | fs::perms::others_exec);
    const bool root = ::geteuid() == 0;
    auto run = [&](const std::vector<std::string>& args) {
        return root ? run_as_nobody(args, io.path().string()) : run_minsheng(args);
    };
    // Root ignores permissions; the program then runs as nobody, who can reach the build tree only when every
    // folder on the way is world-readable.
    if (root && run({"--help"}).exit_code != 0) {
        WARN("skipped: the program cannot be run as user nobody from " << MINSHENG_BIN);
        return;
    }
    const RunResult w = run({"--db", db, "--as", kCoordinator, "case", "do", id, "note", "--note", "只读",
                             "--at", "2024-03-05T10:00"});
    CAPTURE(w.exit_code, w.err);
    CHECK(w.exit_code == 1);
    CHECK(one_line(w.err));
    CHECK(mentions_read_only(w.err));
    CHECK(w.err.find("不是 minsheng 数据库") == std::string::npos);
    const RunResult r = run({"--db", db, "--today", "2024-03-05", "--json", "case", "list"});
    CAPTURE(r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.out == list_before);
    CHECK(minsheng::test::read_text(db) == bytes_before);
    fs::permissions(dir.path(), fs::perms::owner_all, fs::perm_options::add);
    fs::permissions(db, fs::perms::owner_write, fs::perm_options::add);
}
