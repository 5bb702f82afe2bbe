// import and export of spreadsheet ledgers (台账, SPEC Part 2 "Ledgers"): `import FILE.csv` is bulk intake in
// one transaction (every bad row is listed, FILE:LINE each, and nothing is written), `export` streams every
// case as the station's ledger — CSV (UTF-8 with a byte-order mark, so Excel and WPS open it as UTF-8) or
// xlsx — or as JSON. What the columns mean (names, synonyms, date forms, the 其他反映人 cell, the export row)
// is the application layer's: usecases/ledger.h. This file reads and writes the file formats.
#include <errno.h>
#include <iconv.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>

#include "cli/context.h"
#include "cli/csv_reader.h"
#include "cli/ledger_io.h"
#include "cli/out_file.h"
#include "cli/output.h"
#include "engine/error.h"
#include "engine/text.h"
#include "usecases/ledger.h"
#include "usecases/texts.h"

namespace minsheng::cli {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string lower_ascii(std::string s) {
    for (auto& c : s)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
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
            throw storage_error("本系统的 iconv 无法把 GB18030（GBK）转换为 UTF-8");
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
                throw refused(name_ + ":" + std::to_string(line_) +
                              "：不是有效的 GBK/GB18030 文本（文件是 UTF-8 吗？那就去掉 --encoding gbk）");
            if (error == EINVAL && eof_)
                throw refused(name_ + ":" + std::to_string(line_) +
                              "：文件在一个 GBK/GB18030 字符的中间结束了");
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
    require_input_file(path, " CSV 文件");
    std::unique_ptr<std::FILE, FileCloser> f(std::fopen(path.c_str(), "rb"));
    if (!f) throw not_found("无法读取 " + path + "：" + std::strerror(errno));
    return f;
}

struct ImportOptions {
    std::string path;
    std::string encoding = "utf-8";
    bool dry_run = false;
    bool ignore_unknown = false;
};

constexpr int kInputs = kLedgerInputColumns;

// The command line's words for fixing an import problem: the flags to add (the web words its own).
std::string cli_hint(ImportHint hint) {
    switch (hint) {
        case ImportHint::NotUtf8:
            return "（若 Excel 或 WPS 按 GBK 保存了文件，请加 --encoding gbk）";
        case ImportHint::UnknownColumns:
            return "，或加 --ignore-unknown 忽略它们";
        case ImportHint::None:
            break;
    }
    return "";
}

}  // namespace

ImportResult import_ledger(Station& st, const LedgerImport& o,
                           const std::function<void(const ImportPlan&)>& plan) {
    const std::string& path = o.source;
    const std::string encoding = lower_ascii(o.encoding);
    const bool gbk =
        encoding == "gbk" || encoding == "gb18030" || encoding == "gb2312" || encoding == "cp936";
    if (!gbk && encoding != "utf-8" && encoding != "utf8")
        throw usage_error("未知的 --encoding '" + o.encoding + "'：请用 utf-8 或 gbk");
    auto file = open_input(o.path);
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

    // The header names the columns (usecases/ledger.h knows their names); an unknown one is refused unless
    // --ignore-unknown, so a column the station would drop (电话 misread, 备注) never vanishes unseen.
    int where[kInputs];
    std::fill(std::begin(where), std::end(where), -1);
    size_t header_size = 0;
    bool exported = false;  // the file is a ledger this program exported (it has 编号)
    auto read_header = [&] {
        if (!read()) throw fail(1, "文件是空的：第一行应是列名（表头）");
        const long line = reader.record_line();
        if (!fields.empty() && (fields[0].rfind("\xFF\xFE", 0) == 0 || fields[0].rfind("\xFE\xFF", 0) == 0))
            throw fail(line, "文件是 UTF-16 编码（Excel 的“Unicode 文本”）；请另存为“CSV UTF-8”");
        header_size = fields.size();
        std::string unknown;
        for (size_t i = 0; i < fields.size(); ++i) {
            if (!is_valid_utf8(fields[i]))
                throw ImportRefusal(
                    fail(line, "表头不是有效的 UTF-8").with_cli_hint(cli_hint(ImportHint::NotUtf8)),
                    ImportHint::NotUtf8);
            const auto c = ledger_column(fields[i]);
            if (!c) {
                if (!blank(fields[i])) unknown += (unknown.empty() ? "'" : "、'") + trim(fields[i]) + "'";
                continue;
            }
            if (*c == LedgerColumn::Exported) {
                if (trim(fields[i]) == "编号") exported = true;
                continue;
            }
            const int k = static_cast<int>(*c);
            if (where[k] >= 0) throw fail(line, "列 " + ledger_column_label(*c) + " 出现了两次");
            where[k] = static_cast<int>(i);
        }
        if (!unknown.empty() && !o.ignore_unknown)
            throw ImportRefusal(fail(line, "未知的列 " + unknown + "（已知的列：" + known_ledger_columns() +
                                               "）；不要的列请删除")
                                    .with_cli_hint(cli_hint(ImportHint::UnknownColumns)),
                                ImportHint::UnknownColumns);
        std::string missing;
        for (auto c :
             {LedgerColumn::ReceivedAt, LedgerColumn::Category, LedgerColumn::Address, LedgerColumn::Summary})
            if (where[static_cast<int>(c)] < 0)
                missing += (missing.empty() ? "" : "、") + ledger_column_label(c, false);
        if (!missing.empty())
            throw fail(
                line,
                "缺少必需的列 " + missing +
                    "；表头必须有 受理时间、类别、地址、问题描述（received_at, category, address, summary）");
    };

    static const std::string none;
    // The columns' names for messages, made once: building them for every cell was 3% of an import.
    std::string labels[kInputs];
    for (int c = 0; c < kInputs; ++c)
        labels[c] = ledger_column_label(static_cast<LedgerColumn>(c));
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
        row = ImportRow{};
        row.line = static_cast<int>(line);
        row.own_case = exported;
        bool extra = fields.size() < header_size;
        for (size_t i = header_size; i < fields.size(); ++i)
            extra = extra || !blank(fields[i]);
        if (extra) {
            row.problem = "这一行有 " + std::to_string(fields.size()) + " 列，而表头只有 " +
                          std::to_string(header_size) + " 列";
            return true;
        }
        // The formula guard every CSV the program writes carries comes off, so an export imports back the
        // same text.
        for (auto& f : fields)
            if (!f.empty() && f[0] == '\'') f = csv_unguard(f);
        const std::string* cells[kInputs];
        for (int c = 0; c < kInputs; ++c) {
            const auto col = static_cast<LedgerColumn>(c);
            const std::string& v = where[c] >= 0 ? fields[static_cast<size_t>(where[c])] : none;
            cells[c] = &v;
            const bool multiline = col == LedgerColumn::Summary || col == LedgerColumn::Note ||
                                   col == LedgerColumn::OtherReporters;
            try {
                require_text(v, labels[c], multiline);
            } catch (const Error& e) {
                row.problem = e.message();
                if (!is_valid_utf8(v)) row.hint = ImportHint::NotUtf8;
                return true;
            }
            if (c <= static_cast<int>(LedgerColumn::Summary) && blank(v)) {
                row.problem = labels[c] + " 是空的";
                return true;
            }
        }
        auto cell = [&](LedgerColumn c) -> const std::string& { return *cells[static_cast<int>(c)]; };
        const std::string& received = cell(LedgerColumn::ReceivedAt);
        try {
            row.report.at = normalize_timestamp(ledger_timestamp(received));
        } catch (const Error&) {
            row.problem = "受理时间 “" + received +
                          "” 无法识别：应为 2025-10-16、2025/10/16、2025.10.16 或 2025年10月16日 这样的日期，"
                          "可带时间 9:05、09:05:00 或 T09:05";
            return true;
        }
        row.category = cell(LedgerColumn::Category);  // the station trims it, once per distinct spelling
        row.report.address = cell(LedgerColumn::Address);
        row.report.summary = unify_newlines(cell(LedgerColumn::Summary));
        row.report.reporter = trim(cell(LedgerColumn::Reporter));
        row.report.phone = trim(cell(LedgerColumn::Phone));
        row.report.channel = trim(cell(LedgerColumn::Channel));
        row.report.latest_at = o.latest_at;
        row.note = trim(unify_newlines(cell(LedgerColumn::Note)));
        try {
            for (const Reporter& r :
                 parse_other_reporters(unify_newlines(cell(LedgerColumn::OtherReporters)))) {
                ReportInput in;
                in.reporter = r.name;
                in.phone = r.phone;
                in.channel = r.channel;
                in.at = r.at;
                row.others.push_back(std::move(in));
            }
        } catch (const Error& e) {
            row.problem = e.message();
        }
        return true;
    };

    return st.import_reports(path, next, o.actor, o.now, o.dry_run, plan);
}

namespace {

void run_import(Context& ctx, const ImportOptions& o) {
    const std::string& path = o.path;
    Station st(ctx.db_path);
    // The dry run's plan, one line per row, is held in a temporary file until the whole file proved good
    // (a refused import prints nothing on stdout), so memory stays flat however long the ledger.
    std::unique_ptr<std::FILE, FileCloser> plan_file;
    std::function<void(const ImportPlan&)> plan;
    if (o.dry_run && !ctx.json) {
        plan_file.reset(std::tmpfile());
        if (!plan_file) throw storage_error(std::string("无法创建临时文件：") + std::strerror(errno));
        plan = [&](const ImportPlan& p) {
            std::fprintf(plan_file.get(), "%s:%d: %s %s\n", path.c_str(), p.line,
                         p.repeat ? "并入案件" : "新立案件", p.id.c_str());
        };
    }

    LedgerImport in;
    in.path = in.source = path;
    in.encoding = o.encoding;
    in.ignore_unknown = o.ignore_unknown;
    in.dry_run = o.dry_run;
    in.actor = ctx.actor;
    in.now = ctx.now;
    in.latest_at = ctx.latest_at;
    const ImportResult r = import_ledger(st, in, plan);
    if (r.problem_count > 0) {
        // One line per bad row; the last line is the error itself (exit 3): the last bad row, or how many
        // more there are beyond the 20 listed. A single bad row is a single line, like any other refusal.
        auto one_line = [](const ImportProblem& p) {
            std::string line = p.text + cli_hint(p.hint);
            std::replace(line.begin(), line.end(), '\n', ' ');
            return line;
        };
        const auto listed = static_cast<std::int64_t>(r.problems.size());
        const std::int64_t more = r.problem_count - listed;
        for (std::size_t i = 0; i + (more > 0 ? 0 : 1) < r.problems.size(); ++i)
            *ctx.err << "minsheng: " << one_line(r.problems[i]) << '\n';
        if (more > 0)
            throw refused(path + "：另有 " + std::to_string(more) + " 行有误（共 " +
                          std::to_string(r.problem_count) + " 行，只列出前 " + std::to_string(listed) +
                          " 行）；什么也没有导入，改正后重新导入");
        throw refused(one_line(r.problems.back()));
    }
    if (r.without_deadline > 0)
        *ctx.err << "minsheng: 提醒：新案件中有 " << r.without_deadline << " 件暂无办理期限："
                 << r.deadline_problem << '\n';
    if (ctx.json) {
        *ctx.out << json{{"cases", r.cases}, {"repeats", r.repeats}, {"rows", r.rows}, {"dry_run", o.dry_run}}
                 << '\n';
        return;
    }
    if (plan_file) {
        std::rewind(plan_file.get());
        char buf[1 << 14];
        for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, plan_file.get())) > 0;)
            ctx.out->write(buf, static_cast<std::streamsize>(n));
    }
    const std::string counts = std::to_string(r.rows) + " 行：新案件 " + std::to_string(r.cases) +
                               " 件，重复反映 " + std::to_string(r.repeats) + " 次";
    if (o.dry_run)
        *ctx.out << "试导入（未写入）：" << path << " 共 " << counts << '\n';
    else
        *ctx.out << "已导入 " << path << "：" << counts << '\n';
}

// The labels a ledger row shows, looked up once per category and step, not once per case.
class LabelCache {
public:
    explicit LabelCache(Station& st) : st_(st) {
        for (const auto& w : st.workflows())
            names_[w.category] = w.name;
    }
    LedgerLabels operator()(const CaseState& c) {
        auto key = std::make_pair(c.category + "\x1f" + c.step, c.workflow_version);
        auto it = steps_.find(key);
        if (it == steps_.end()) it = steps_.emplace(key, st_.workflow_label(c)).first;
        auto n = names_.find(c.category);
        return {n == names_.end() ? c.category : n->second, it->second};
    }

private:
    Station& st_;
    std::map<std::string, std::string> names_;
    std::map<std::pair<std::string, int>, std::string> steps_;
};

// Copies a finished file to the output stream (an xlsx asked for on stdout).
void copy_to(std::ostream& out, const std::string& file) {
    std::unique_ptr<std::FILE, FileCloser> f(std::fopen(file.c_str(), "rb"));
    if (!f) throw storage_error("无法读回 " + file + "：" + std::strerror(errno));
    char buf[1 << 14];
    for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, f.get())) > 0;)
        out.write(buf, static_cast<std::streamsize>(n));
}

void run_export(Context& ctx, const std::string& format_given, const std::string& out_path) {
    const std::string format = format_given.empty() ? "csv" : format_given;
    // Before anything is opened: this may become the full program, which starts the command again.
    const FullProgram* full = format == "xlsx" ? &require_full_program(ctx) : nullptr;
    Station st(ctx.db_path);
    std::unique_ptr<OutFile> out_file;
    if (!out_path.empty()) out_file = std::make_unique<OutFile>(out_path);
    std::ostream& out = out_file ? out_file->stream() : *ctx.out;
    LabelCache labels(st);

    if (format == "xlsx") {
        // libxlsxwriter writes to a file by name: the --out temporary file, or one in TMPDIR for stdout.
        std::string scratch;
        std::string file;
        if (out_file) {
            file = out_file->temp_path();
        } else {
            scratch = (fs::temp_directory_path() / "minsheng-export-XXXXXX").string();
            const int fd = ::mkstemp(scratch.data());
            if (fd < 0) throw storage_error(std::string("无法创建临时文件：") + std::strerror(errno));
            ::close(fd);
            file = scratch;
        }
        struct Remove {
            std::string f;
            ~Remove() {
                if (!f.empty()) ::unlink(f.c_str());
            }
        } remove_scratch{scratch};
        const std::unique_ptr<LedgerSink> book = full->open_xlsx_ledger(file);
        st.list_cases(CaseFilter{}, ctx.today, [&](const CaseState& c, const ClockView& v) {
            book->add(ledger_row(c, v, labels(c)));
        });
        book->close();
        if (out_file) {
            out_file->commit();
        } else {
            copy_to(out, file);
            out.flush();
            if (!out) throw storage_error("无法写出导出文件（磁盘已满或管道已关闭？）");
        }
        return;
    }

    write_ledger_text(st, ctx.today, format == "csv", out);
    if (out_file) {
        out_file->commit();
        return;
    }
    out.flush();
    if (!out) throw storage_error("无法写出导出文件（磁盘已满或管道已关闭？）");
}

}  // namespace

void write_ledger_text(Station& st, Date today, bool csv, std::ostream& out) {
    LabelCache labels(st);
    // Nothing is written before the first case: a refusal (a clock the calendar cannot tell) comes before it.
    bool first = true;
    auto begin = [&] {
        if (!first) return;
        if (csv) {
            out << "\xEF\xBB\xBF";
            csv_row(out, ledger_headers());
        } else {
            out << "[\n";
        }
    };
    st.list_cases(CaseFilter{}, today, [&](const CaseState& c, const ClockView& v) {
        begin();
        if (!csv) {
            const LedgerLabels l = labels(c);
            out << (first ? "" : ",\n") << case_object(c, v, l.step_label, nullptr).dump();
            first = false;
            return;
        }
        first = false;
        csv_row(out, ledger_row(c, v, labels(c)));
    });
    if (!csv)
        out << (first ? "[]\n" : "\n]\n");
    else
        begin();  // an empty station still gets its header
}

void for_each_ledger_row(Station& st, Date today,
                         const std::function<void(const std::vector<std::string>& cells)>& row) {
    LabelCache labels(st);
    st.list_cases(CaseFilter{}, today,
                  [&](const CaseState& c, const ClockView& v) { row(ledger_row(c, v, labels(c))); });
}

void add_ledger_commands(CLI::App& app, Commands& commands) {
    auto* import = app.add_subcommand("import", texts::help("import"));
    auto o = std::make_shared<ImportOptions>();
    import->add_option("FILE", o->path, texts::help("import.FILE"))->required();
    import->add_option("--encoding", o->encoding, texts::help("import.--encoding"));
    import->add_flag("--dry-run", o->dry_run, texts::help("import.--dry-run"));
    import->add_flag("--ignore-unknown", o->ignore_unknown, texts::help("import.--ignore-unknown"));
    commands.emplace_back(import, [o](Context& ctx) { run_import(ctx, *o); });

    auto* exp = app.add_subcommand("export", texts::help("export"));
    auto format = std::make_shared<std::string>();
    auto out = std::make_shared<std::string>();
    exp->add_option("--format", *format, texts::help("export.--format"))
        ->check(CLI::IsMember({"csv", "xlsx", "json"}));
    exp->add_option("--out", *out, texts::help("export.--out"));
    commands.emplace_back(exp, [format, out](Context& ctx) { run_export(ctx, *format, *out); });
}

}  // namespace minsheng::cli
