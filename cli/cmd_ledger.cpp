// import and export of spreadsheet ledgers (台账): `import FILE.csv` is bulk intake in one transaction (a bad
// row rejects the whole file, naming its line), `export` streams every case as CSV (UTF-8 with a byte-order
// mark, so Excel and WPS open it as UTF-8) or JSON.
#include <errno.h>
#include <iconv.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>

#include "cli/context.h"
#include "cli/csv_reader.h"
#include "cli/output.h"
#include "engine/error.h"
#include "engine/text.h"
#include "usecases/texts.h"

namespace minsheng::cli {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// The ledger's columns, by their English or Chinese header.
enum Column { kReceivedAt, kCategory, kAddress, kSummary, kReporter, kPhone, kChannel, kColumns };

struct ColumnName {
    const char* english;
    const char* chinese;
    bool required;
};
constexpr ColumnName kColumnNames[kColumns] = {
    {"received_at", "受理时间", true}, {"category", "类别", true},    {"address", "地址", true},
    {"summary", "问题描述", true},     {"reporter", "反映人", false}, {"phone", "联系电话", false},
    {"channel", "反映渠道", false},
};

std::string lower_ascii(std::string s) {
    for (auto& c : s)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::optional<Column> column_of(const std::string& header) {
    const std::string h = lower_ascii(trim(header));
    for (int c = 0; c < kColumns; ++c)
        if (h == kColumnNames[c].english || h == kColumnNames[c].chinese) return static_cast<Column>(c);
    return std::nullopt;
}

std::string column_label(int c) {
    return std::string(kColumnNames[c].english) + " (" + kColumnNames[c].chinese + ")";
}

// Spreadsheets rewrite dates their own way: besides SPEC's forms, accept 2023/6/5 9:10 and 2023-6-5.
// Anything else goes to normalize_timestamp unchanged, which refuses it.
std::string ledger_timestamp(const std::string& text) {
    const std::string t = trim(text);
    auto number = [&](size_t& i, size_t min_digits, size_t max_digits, int& out) {
        size_t n = 0;
        out = 0;
        while (i < t.size() && n < max_digits && std::isdigit(static_cast<unsigned char>(t[i]))) {
            out = out * 10 + (t[i] - '0');
            ++i;
            ++n;
        }
        return n >= min_digits && (i == t.size() || !std::isdigit(static_cast<unsigned char>(t[i])));
    };
    size_t i = 0;
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
    if (!number(i, 4, 4, y) || i == t.size() || (t[i] != '-' && t[i] != '/')) return t;
    const char sep = t[i++];
    if (!number(i, 1, 2, mo) || i == t.size() || t[i] != sep) return t;
    ++i;
    if (!number(i, 1, 2, d)) return t;
    char buf[40];
    if (i == t.size()) {
        std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, mo, d);
        return buf;
    }
    if (t[i] != ' ' && t[i] != 'T') return t;
    ++i;
    if (!number(i, 1, 2, h) || i == t.size() || t[i] != ':') return t;
    ++i;
    if (!number(i, 2, 2, mi)) return t;
    bool seconds = false;
    if (i < t.size()) {
        if (t[i] != ':') return t;
        ++i;
        if (!number(i, 2, 2, s) || i != t.size()) return t;
        seconds = true;
    }
    if (seconds)
        std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", y, mo, d, h, mi, s);
    else
        std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d", y, mo, d, h, mi);
    return buf;
}

// Whether a cell holds nothing but white space; cheap for the usual cell that holds text.
bool blank(const std::string& s) {
    for (char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (c > 0x20 && c < 0x80) return false;
    }
    return trim(s).empty();
}

// Line breaks inside a cell are stored as LF whatever the file used.
std::string unify_newlines(const std::string& s) {
    if (s.find('\r') == std::string::npos) return s;
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\r') {
            out += '\n';
            if (i + 1 < s.size() && s[i + 1] == '\n') ++i;
        } else {
            out += s[i];
        }
    }
    return out;
}

// GBK / GB18030 (what Chinese Excel and WPS write by default) converted to UTF-8 as it is read.
class Gb18030Source {
public:
    Gb18030Source(std::FILE* file, std::string name) : file_(file), name_(std::move(name)), in_(1 << 16) {
        cd_ = iconv_open("UTF-8", "GB18030");
        if (cd_ == reinterpret_cast<iconv_t>(-1))
            throw storage_error("this system's iconv cannot convert GB18030 (GBK) to UTF-8");
    }
    ~Gb18030Source() { iconv_close(cd_); }
    Gb18030Source(const Gb18030Source&) = delete;
    Gb18030Source& operator=(const Gb18030Source&) = delete;

    std::size_t read(char* out, std::size_t capacity) {
        for (;;) {
            if (!eof_ && len_ < in_.size()) {
                const std::size_t n = std::fread(in_.data() + len_, 1, in_.size() - len_, file_);
                if (n == 0) eof_ = true;
                len_ += n;
            }
            if (len_ == 0) return 0;
            char* ip = in_.data();
            std::size_t il = len_;
            char* op = out;
            std::size_t ol = capacity;
            const std::size_t rc = iconv(cd_, &ip, &il, &op, &ol);
            const int error = rc == static_cast<std::size_t>(-1) ? errno : 0;
            const std::size_t produced = capacity - ol;
            line_ += std::count(out, out + produced, '\n');
            std::memmove(in_.data(), ip, il);
            len_ = il;
            if (error == EILSEQ)
                throw refused(
                    name_ + ":" + std::to_string(line_) +
                    ": not valid GBK/GB18030 text (is the file UTF-8? then leave out --encoding gbk)");
            if (error == EINVAL && eof_)
                throw refused(name_ + ":" + std::to_string(line_) +
                              ": the file ends in the middle of a GBK/GB18030 character");
            if (produced > 0) return produced;
            if (error == 0 && eof_ && len_ == 0) return 0;
        }
    }

private:
    std::FILE* file_;
    std::string name_;
    iconv_t cd_;
    std::vector<char> in_;
    std::size_t len_ = 0;
    bool eof_ = false;
    long line_ = 1;
};

struct FileCloser {
    void operator()(std::FILE* f) const { std::fclose(f); }
};

std::unique_ptr<std::FILE, FileCloser> open_input(const std::string& path) {
    std::error_code ec;
    if (!fs::exists(path, ec)) throw not_found("no such file: " + path);
    if (fs::is_directory(path, ec)) throw usage_error(path + " is a directory, not a CSV file");
    std::unique_ptr<std::FILE, FileCloser> f(std::fopen(path.c_str(), "rb"));
    if (!f) throw not_found("cannot read " + path + ": " + std::strerror(errno));
    return f;
}

void run_import(Context& ctx, const std::string& path, const std::string& encoding_given, bool dry_run) {
    const std::string encoding = lower_ascii(encoding_given);
    const bool gbk =
        encoding == "gbk" || encoding == "gb18030" || encoding == "gb2312" || encoding == "cp936";
    if (!gbk && encoding != "utf-8" && encoding != "utf8")
        throw usage_error("unknown --encoding '" + encoding_given + "': use utf-8 or gbk");
    Station st(ctx.db_path);
    auto file = open_input(path);
    std::unique_ptr<Gb18030Source> converter;
    CsvReader::Source source = file_source(file.get());
    if (gbk) {
        converter = std::make_unique<Gb18030Source>(file.get(), path);
        source = [c = converter.get()](char* buf, std::size_t cap) { return c->read(buf, cap); };
    }
    CsvReader reader(std::move(source));

    auto fail = [&](long line, const std::string& why) {
        return refused(path + ":" + std::to_string(line) + ": " + why);
    };
    std::vector<std::string> fields;
    auto read = [&] {
        try {
            return reader.next(fields);
        } catch (const CsvError& e) {
            throw fail(e.line(), e.what());
        }
    };
    auto blank_row = [&] { return std::all_of(fields.begin(), fields.end(), blank); };

    // The header names the columns; columns it does not know (an export's id, phase …) are skipped.
    int where[kColumns];
    std::fill(std::begin(where), std::end(where), -1);
    size_t header_size = 0;
    auto read_header = [&] {
        if (!read()) throw fail(1, "the file is empty: expected a header row naming the columns");
        const long line = reader.record_line();
        if (!fields.empty() && (fields[0].rfind("\xFF\xFE", 0) == 0 || fields[0].rfind("\xFE\xFF", 0) == 0))
            throw fail(line,
                       "the file is UTF-16 (Excel's \"Unicode text\"); save it as \"CSV UTF-8\" instead");
        header_size = fields.size();
        for (size_t i = 0; i < fields.size(); ++i) {
            if (!is_valid_utf8(fields[i]))
                throw fail(line,
                           "the header is not valid UTF-8 (if Excel or WPS saved it as GBK, add "
                           "--encoding gbk)");
            if (auto c = column_of(fields[i])) {
                if (where[*c] >= 0) throw fail(line, "the column " + column_label(*c) + " appears twice");
                where[*c] = static_cast<int>(i);
            }
        }
        std::string missing;
        for (int c = 0; c < kColumns; ++c)
            if (kColumnNames[c].required && where[c] < 0)
                missing += (missing.empty() ? "" : ", ") + column_label(c);
        if (!missing.empty())
            throw fail(line, "missing required column(s) " + missing +
                                 "; the header must name received_at, category, address and summary "
                                 "(受理时间, 类别, 地址, 问题描述)");
    };

    bool header_done = false;
    auto next = [&](ImportRow& row) {
        if (!header_done) {
            read_header();
            header_done = true;
        }
        for (;;) {
            if (!read()) return false;
            if (!blank_row()) break;  // blank lines and rows of empty cells are skipped
        }
        const long line = reader.record_line();
        row.line = static_cast<int>(line);
        if (fields.size() < header_size)
            throw fail(line, "the row has " + std::to_string(fields.size()) + " fields but the header has " +
                                 std::to_string(header_size));
        for (size_t i = header_size; i < fields.size(); ++i)
            if (!blank(fields[i]))
                throw fail(line, "the row has " + std::to_string(fields.size()) +
                                     " fields but the header has " + std::to_string(header_size));
        // The formula guard every CSV the program writes carries comes off, so an export imports back the
        // same text.
        for (auto& f : fields)
            if (!f.empty() && f[0] == '\'') f = csv_unguard(f);
        static const std::string none;
        static const std::vector<std::string> labels = [] {
            std::vector<std::string> l;
            for (int c = 0; c < kColumns; ++c)
                l.push_back(column_label(c));
            return l;
        }();
        const std::string* cells[kColumns];
        for (int c = 0; c < kColumns; ++c) {
            const std::string& v = where[c] >= 0 ? fields[static_cast<size_t>(where[c])] : none;
            try {
                require_text(v, labels[static_cast<size_t>(c)], c == kSummary);
            } catch (const Error& e) {
                std::string why = e.what();
                if (!is_valid_utf8(v)) why += " (if Excel or WPS saved the file as GBK, add --encoding gbk)";
                throw fail(line, why);
            }
            if (kColumnNames[c].required && blank(v))
                throw fail(line, "the " + column_label(c) + " is empty");
            cells[c] = &v;
        }
        auto cell = [&](Column c) -> const std::string& { return *cells[c]; };
        const std::string& received = cell(kReceivedAt);
        try {
            row.report.at = normalize_timestamp(ledger_timestamp(received));
        } catch (const Error&) {
            throw fail(line, "bad received_at (受理时间) '" + received +
                                 "': expected YYYY-MM-DD or YYYY-MM-DD HH:MM[:SS] (also 2023/6/5 9:10)");
        }
        row.category = cell(kCategory);  // the station trims it, once per distinct spelling
        row.report.address = cell(kAddress);
        row.report.summary = unify_newlines(cell(kSummary));
        row.report.reporter = trim(cell(kReporter));
        row.report.phone = trim(cell(kPhone));
        row.report.channel = trim(cell(kChannel));
        row.report.latest_at = ctx.latest_at;
        return true;
    };

    const ImportResult r = st.import_reports(path, next, ctx.actor, ctx.now, dry_run);
    if (r.without_deadline > 0)
        *ctx.err << "minsheng: 提醒：新案件中有 " << r.without_deadline << " 件暂无办理期限："
                 << r.deadline_problem << '\n';
    if (ctx.json) {
        *ctx.out << json{{"cases", r.cases}, {"repeats", r.repeats}, {"rows", r.rows}, {"dry_run", dry_run}}
                 << '\n';
    } else {
        const std::string counts = std::to_string(r.rows) + " 行：新案件 " + std::to_string(r.cases) +
                                   " 件，重复反映 " + std::to_string(r.repeats) + " 次";
        if (dry_run)
            *ctx.out << "试导入（未写入）：" << path << " 共 " << counts << '\n';
        else
            *ctx.out << "已导入 " << path << "：" << counts << '\n';
    }
}

// The CSV columns of an export: SPEC's case-object keys, then the import columns a spreadsheet round trip
// needs (the first reporter's name, phone and channel).
const std::vector<std::string>& export_columns() {
    static const std::vector<std::string> keys = {"id",
                                                  "category",
                                                  "workflow_version",
                                                  "phase",
                                                  "step",
                                                  "step_label",
                                                  "address",
                                                  "summary",
                                                  "received_at",
                                                  "deadline",
                                                  "deadline_provisional",
                                                  "overdue",
                                                  "suspended",
                                                  "working_days_left",
                                                  "working_days_overdue",
                                                  "repeat_count",
                                                  "reopen_count",
                                                  "departments",
                                                  "department_tasks",
                                                  "escalation_level",
                                                  "escalation",
                                                  "typical",
                                                  "reporters",
                                                  "fields",
                                                  "deadline_problem",
                                                  "resolved_on",
                                                  "reporter",
                                                  "phone",
                                                  "channel"};
    return keys;
}

// A JSON value as one CSV cell: text as is, arrays of plain values joined with ';', objects and arrays of
// objects as compact JSON.
std::string cell_text(const json& v) {
    if (v.is_null()) return "";
    if (v.is_string()) return v.get<std::string>();
    if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
    if (v.is_array() && std::all_of(v.begin(), v.end(), [](const json& x) { return x.is_primitive(); })) {
        std::string out;
        for (const auto& x : v)
            out += (out.empty() ? "" : ";") + cell_text(x);
        return out;
    }
    return v.dump();
}

void run_export(Context& ctx, const std::string& format) {
    Station st(ctx.db_path);
    std::ostream& out = *ctx.out;
    // Step labels looked up once per workflow version, not once per case.
    std::map<std::pair<std::string, int>, std::string> labels;
    auto label_of = [&](const CaseState& c) -> const std::string& {
        auto key = std::make_pair(c.category + "\x1f" + c.step, c.workflow_version);
        auto it = labels.find(key);
        if (it == labels.end()) it = labels.emplace(key, st.workflow_label(c)).first;
        return it->second;
    };
    const bool csv = format == "csv";
    std::vector<std::string> row;  // one case's cells, reused
    // Nothing is written before the first case: a refusal (a clock the calendar cannot tell) comes before it.
    bool first = true;
    auto begin = [&] {
        if (!first) return;
        if (csv) {
            out << "\xEF\xBB\xBF";
            csv_row(out, export_columns());
        } else {
            out << "[\n";
        }
    };
    st.list_cases(CaseFilter{}, ctx.today, [&](const CaseState& c, const ClockView& v) {
        const json j = case_object(c, v, label_of(c), nullptr);
        begin();
        if (!csv) {
            out << (first ? "" : ",\n") << j.dump();
            first = false;
            return;
        }
        first = false;
        const Reporter none;
        const Reporter& r = c.reporters.empty() ? none : c.reporters.front();
        row.clear();
        for (const auto& key : export_columns()) {
            if (key == "reporter")
                row.push_back(r.name);
            else if (key == "phone")
                row.push_back(r.phone);
            else if (key == "channel")
                row.push_back(r.channel);
            else if (auto it = j.find(key); it != j.end())
                row.push_back(cell_text(*it));
            else
                row.emplace_back();
        }
        csv_row(out, row);
    });
    if (!csv)
        out << (first ? "[]\n" : "\n]\n");
    else
        begin();  // an empty station still gets its header
    out.flush();
    if (!out) throw storage_error("cannot write the export (disk full or closed pipe?)");
}

}  // namespace

void add_ledger_commands(CLI::App& app, Commands& commands) {
    auto* import = app.add_subcommand("import", texts::help("import"));
    auto path = std::make_shared<std::string>();
    auto encoding = std::make_shared<std::string>("utf-8");
    auto dry_run = std::make_shared<bool>(false);
    import->add_option("FILE", *path, texts::help("import.FILE"))->required();
    import->add_option("--encoding", *encoding, texts::help("import.--encoding"));
    import->add_flag("--dry-run", *dry_run, texts::help("import.--dry-run"));
    commands.emplace_back(import, [=](Context& ctx) { run_import(ctx, *path, *encoding, *dry_run); });

    auto* exp = app.add_subcommand("export", texts::help("export"));
    auto format = std::make_shared<std::string>("csv");
    exp->add_option("--format", *format, texts::help("export.--format"))
        ->check(CLI::IsMember({"csv", "json"}));
    commands.emplace_back(exp, [=](Context& ctx) { run_export(ctx, *format); });
}

}  // namespace minsheng::cli
