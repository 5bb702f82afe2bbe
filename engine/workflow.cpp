// Loads a workflow file (format: workflows/README.md) and checks it against the format and the lifecycle.
// Every problem is collected with its file position; nothing here throws for bad content.
#include "engine/workflow.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdint>
#include <deque>
#include <set>
#include <sstream>
#include <string_view>
#include <utility>

#include "engine/error.h"
#include "engine/text.h"
#include "engine/write_up_template.h"

namespace minsheng {

std::string_view role_name(Role r) {
    switch (r) {
        case Role::Coordinator:
            return "coordinator";
        case Role::Supervisor:
            return "supervisor";
    }
    return "coordinator";
}

std::optional<Role> role_from_name(std::string_view name) {
    if (name == "coordinator") return Role::Coordinator;
    if (name == "supervisor") return Role::Supervisor;
    return std::nullopt;
}

namespace {

constexpr std::pair<Effect, std::string_view> kEffectNames[] = {
    {Effect::None, "none"},     {Effect::Dispatch, "dispatch"},
    {Effect::Sign, "sign"},     {Effect::Return, "return"},
    {Effect::Reply, "reply"},   {Effect::Suspend, "suspend"},
    {Effect::Resume, "resume"}, {Effect::Escalate, "escalate"},
    {Effect::Extend, "extend"}, {Effect::MarkTypical, "mark_typical"},
};

}  // namespace

std::string_view effect_name(Effect e) {
    for (const auto& [effect, name] : kEffectNames)
        if (effect == e) return name;
    return "none";
}

std::optional<Effect> effect_from_name(std::string_view name) {
    for (const auto& [effect, effect_name] : kEffectNames)
        if (effect_name == name) return effect;
    return std::nullopt;
}

const Step* Workflow::find_step(std::string_view id) const {
    for (const Step& s : steps)
        if (s.id == id) return &s;
    return nullptr;
}

const Action* Workflow::find_action(std::string_view id) const {
    for (const Action& a : actions)
        if (a.id == id) return &a;
    return nullptr;
}

const Action* Workflow::action_setting(std::string_view field) const {
    for (const Action& a : actions)
        if (a.sets.count(std::string(field))) return &a;
    return nullptr;
}

std::vector<std::string> Action::accepted_fields() const {
    std::vector<std::string> out;
    auto add = [&](const std::string& f) {
        if (f != "department" && f != "note" && std::find(out.begin(), out.end(), f) == out.end())
            out.push_back(f);
    };
    for (const auto& f : requires_)
        add(f);
    for (const auto& [f, values] : choices)
        add(f);
    for (const auto& f : fields)
        add(f);
    return out;
}

const std::vector<std::string>& computed_names() {
    static const std::vector<std::string> names = {"repeat_count", "reopen_count", "escalation_level",
                                                   "departments"};
    return names;
}

bool is_computed_name(std::string_view name) {
    const auto& names = computed_names();
    return std::find(names.begin(), names.end(), name) != names.end();
}

const Step& Workflow::initial_step() const {
    for (const Step& s : steps)
        if (s.phase == Phase::Intake) return s;
    // load_workflow never yields such a workflow; only a hand-built one can get here.
    throw storage_error("内部错误：流程 " + category + " 没有受理步骤");
}

std::string WorkflowProblem::to_string() const {
    return file + ":" + std::to_string(mark.line) + ":" + std::to_string(mark.column) + ": " + message;
}

namespace {

// Deeper nesting than this is refused before yaml-cpp sees the text: the parser recurses once per level,
// and no workflow needs more than about six.
constexpr int kMaxNesting = 64;
constexpr int kMaxDeadlineDays = 1000;
constexpr std::size_t kMaxTemplateProblems = 20;  // reported one by one in a write_up
bool is_counter(std::string_view name) {
    return is_computed_name(name);
}

bool is_lower(char c) {
    return c >= 'a' && c <= 'z';
}
bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

// Ids of categories, steps and actions: [a-z][a-z0-9_-]*.
bool is_id(std::string_view s) {
    if (s.empty() || s.size() > 64 || !is_lower(s[0])) return false;
    return std::all_of(s.begin(), s.end(),
                       [](char c) { return is_lower(c) || is_digit(c) || c == '_' || c == '-'; });
}

// Field names as given to --set KEY=VALUE: [a-z][a-z0-9_]*.
bool is_field_name(std::string_view s) {
    if (s.empty() || s.size() > 64 || !is_lower(s[0])) return false;
    return std::all_of(s.begin(), s.end(), [](char c) { return is_lower(c) || is_digit(c) || c == '_'; });
}

std::string quoted(std::string_view s) {
    return "\"" + std::string(s) + "\"";
}

// Where a problem is, for the start of its message: `where` names a part of the file (动作 "x", 步骤,
// 动作 "x" 的 guard …; empty at the top level) and lead() makes it the message's lead: 动作 "x"：….
std::string lead(const std::string& where) {
    return where.empty() ? "" : where + "：";
}

// A part inside `where`: of(动作 "x", "\"choices\"") is 动作 "x" 的 "choices".
std::string of(const std::string& where, const std::string& part) {
    return where.empty() ? part : where + " 的 " + part;
}

// yaml-cpp's own messages (yaml-cpp/exceptions.h) in Chinese; one it may add later stays as it is.
std::string yaml_error_text(const std::string& msg) {
    static const std::pair<std::string_view, std::string_view> kTexts[] = {
        {"YAML directives must have exactly one argument", "%YAML 指令须有且只有一个参数"},
        {"bad YAML version: ", "YAML 版本号无效："},
        {"YAML major version too large", "YAML 主版本号太大"},
        {"repeated YAML directive", "%YAML 指令重复了"},
        {"TAG directives must have exactly two arguments", "%TAG 指令须有且只有两个参数"},
        {"repeated TAG directive", "%TAG 指令重复了"},
        {"illegal character found while scanning tag handle", "标签前缀中有不允许的字符"},
        {"tag handle with no suffix", "标签前缀后面缺少名字"},
        {"end of verbatim tag not found", "标签 !<… 缺少结尾的 >"},
        {"end of map not found", "映射没有正常结束（缩进不齐？）"},
        {"end of map flow not found", "“{” 缺少对应的 “}”"},
        {"end of sequence not found", "列表没有正常结束（缩进不齐？）"},
        {"end of sequence flow not found", "“[” 缺少对应的 “]”"},
        {"cannot assign multiple tags to the same node", "同一个值不能有多个标签（!…）"},
        {"cannot assign multiple anchors to the same node", "同一个值不能有多个锚点（&…）"},
        {"cannot assign multiple aliases to the same node", "同一个值不能有多个别名（*…）"},
        {"aliases can't have any content, *including* tags", "别名（*…）后面不能再写内容或标签"},
        {"bad character found while scanning hex number", "十六进制转义中有不允许的字符"},
        {"invalid unicode: ", "无效的 Unicode 转义："},
        {"unknown escape character: ", "未知的转义字符："},
        {"unknown token", "无法识别的符号"},
        {"illegal document indicator in scalar", "文字中出现了文档分隔符（--- 或 ...）"},
        {"illegal EOF in scalar", "文字还没结束文件就结束了（引号没有配对？）"},
        {"illegal character in scalar", "文字中有不允许的字符"},
        {"illegal tab when looking for indentation", "缩进里有 Tab：YAML 的缩进只能用空格"},
        {"illegal flow end", "多出了 “]” 或 “}”"},
        {"illegal block entry", "这里不能写列表项 “- ”（缩进不对？）"},
        {"illegal map key", "这里不能写键（缩进不对？）"},
        {"illegal map value", "这里不能写 “键: 值”（缩进不对？含 “: ” 的文字须加引号）"},
        {"alias not found after *", "“*” 后面缺少别名"},
        {"anchor not found after &", "“&” 后面缺少锚点名"},
        {"illegal character found while scanning alias", "别名中有不允许的字符"},
        {"illegal character found while scanning anchor", "锚点名中有不允许的字符"},
        {"cannot set zero indentation for a block scalar", "多行文字（| 或 >）的缩进不能是 0"},
        {"unexpected character in block scalar", "多行文字的 | 或 > 后面有多余的字符"},
        {"cannot assign the same alias to multiple nodes", "同一个别名不能用于多个值"},
        {"the referenced anchor is not defined", "引用的锚点没有定义（*名字 之前须有 &名字）"},
        {"unmatched group tag", "标签没有配对"},
        {"unexpected end sequence token", "多出了列表的结尾"},
        {"unexpected end map token", "多出了映射的结尾"},
        {"invalid character in single-quoted string", "单引号文字中有不允许的字符"},
        {"invalid anchor", "无效的锚点"},
        {"invalid alias", "无效的别名"},
        {"invalid tag", "无效的标签"},
    };
    for (const auto& [english, chinese] : kTexts) {
        if (msg == english) return std::string(chinese);
        // The few that end ": " carry what was found after them.
        if (english.back() == ' ' && msg.rfind(english, 0) == 0)
            return std::string(chinese) + msg.substr(english.size());
    }
    return msg;
}

std::vector<std::string> to_strings(std::initializer_list<std::string_view> words) {
    return std::vector<std::string>(words.begin(), words.end());
}

SourceMark mark_of(const YAML::Node& n, SourceMark fallback = {1, 1}) {
    const YAML::Mark m = n.Mark();
    if (m.is_null() || m.line < 0 || m.column < 0) return fallback;
    return {m.line + 1, m.column + 1};
}

SourceMark mark_of(const YAML::Mark& m) {
    if (m.is_null() || m.line < 0 || m.column < 0) return {1, 1};
    return {m.line + 1, m.column + 1};
}

// Finds nesting deeper than kMaxNesting: flow brackets, plus block levels by indentation and compact
// "- - -" sequences. An estimate that skips comments and quoted text; it only has to catch the absurd.
std::optional<SourceMark> too_deep(const std::string& text) {
    int line = 1;
    int column = 0;
    int flow = 0;
    std::vector<int> indents;  // open block levels by indentation
    bool at_line_start = true;
    int indent = 0;
    int compact = 0;  // "- " indicators at the start of this line
    char quote = 0;
    char previous = '\n';
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        ++column;
        if (c == '\n') {
            ++line;
            column = 0;
            at_line_start = true;
            indent = 0;
            compact = 0;
            previous = c;
            if (quote == 0) continue;
        }
        if (quote != 0) {
            if (quote == '"' && c == '\\' && i + 1 < text.size() && text[i + 1] != '\n') {
                ++i;
                ++column;
            } else if (c == quote) {
                quote = 0;
            }
            previous = c;
            continue;
        }
        if (at_line_start) {
            if (c == ' ') {
                ++indent;
                previous = c;
                continue;
            }
            if (c == '#' || c == '\r') {
                at_line_start = false;
                while (i + 1 < text.size() && text[i + 1] != '\n')
                    ++i;
                continue;
            }
            at_line_start = false;
            if (flow == 0) {
                while (!indents.empty() && indents.back() >= indent)
                    indents.pop_back();
                indents.push_back(indent);
            }
        }
        if ((c == '-' || c == '?') && (previous == ' ' || previous == '\n' || previous == '-') &&
            (i + 1 == text.size() || text[i + 1] == ' ') && flow == 0) {
            ++compact;
        } else if (c == '[' || c == '{') {
            ++flow;
        } else if ((c == ']' || c == '}') && flow > 0) {
            --flow;
        } else if ((c == '\'' || c == '"') && (previous == ' ' || previous == '\n' || previous == '[' ||
                                               previous == '{' || previous == ',' || previous == ':')) {
            quote = c;
        } else if (c == '#' && (previous == ' ' || previous == '\t')) {
            while (i + 1 < text.size() && text[i + 1] != '\n')
                ++i;
        }
        previous = c;
        if (flow + static_cast<int>(indents.size()) + compact > kMaxNesting) return SourceMark{line, column};
    }
    return std::nullopt;
}

// yaml-cpp counts columns in bytes; people count characters, and most lines here carry Chinese text.
SourceMark character_mark(const std::string& text, SourceMark byte_mark) {
    if (byte_mark.line < 1 || byte_mark.column < 1) return byte_mark;
    std::size_t start = 0;
    for (int line = 1; line < byte_mark.line; ++line) {
        start = text.find('\n', start);
        if (start == std::string::npos) return byte_mark;
        ++start;
    }
    const std::size_t end = std::min(text.size(), start + static_cast<std::size_t>(byte_mark.column - 1));
    int column = 1;
    for (std::size_t i = start; i < end; ++i)
        if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++column;
    return {byte_mark.line, column};
}

// Line `line` (0-based) of `text`, without its line break; nullopt past the end.
std::optional<std::string_view> line_of(const std::string& text, int line) {
    std::size_t start = 0;
    for (int i = 0; i < line; ++i) {
        start = text.find('\n', start);
        if (start == std::string::npos) return std::nullopt;
        ++start;
    }
    std::size_t end = std::min(text.find('\n', start), text.size());
    if (end > start && text[end - 1] == '\r') --end;
    return std::string_view(text).substr(start, end - start);
}

// Where byte `offset` of the scalar `node`'s value lies in the file (`text`), as a byte mark, when the
// value's text can be found there as written: line by line in a literal block (`|`), or on the scalar's first
// line for a plain or quoted one. nullopt otherwise (folded blocks, escapes, line folding before `offset`).
std::optional<SourceMark> mark_in_scalar(const std::string& text, const YAML::Node& node,
                                         std::string_view value, std::size_t offset) {
    const YAML::Mark m = node.Mark();
    if (m.is_null() || m.line < 0 || m.column < 0 || offset >= value.size()) return std::nullopt;
    const auto header = line_of(text, m.line);
    if (!header) return std::nullopt;
    std::size_t c = static_cast<std::size_t>(m.column);
    // The mark of a scalar with a tag or an anchor (`!!str |`, `&a |`) is at the tag or anchor.
    while (c < header->size() && ((*header)[c] == '!' || (*header)[c] == '&')) {
        while (c < header->size() && (*header)[c] != ' ')
            ++c;
        while (c < header->size() && (*header)[c] == ' ')
            ++c;
    }
    if (c >= header->size()) return std::nullopt;
    const char indicator = (*header)[c];
    if (indicator == '|') {
        // Each line of a literal block is a line of the value, after the block's indentation.
        const std::size_t line_start = offset == 0 ? 0 : value.rfind('\n', offset - 1) + 1;
        const std::size_t line_end = std::min(value.find('\n', offset), value.size());
        const std::string_view value_line = value.substr(line_start, line_end - line_start);
        const int k = static_cast<int>(std::count(value.begin(), value.begin() + line_start, '\n'));
        const auto file_line = line_of(text, m.line + 1 + k);
        if (!file_line || file_line->size() < value_line.size()) return std::nullopt;
        const std::size_t indent = file_line->size() - value_line.size();
        if (file_line->substr(indent) != value_line ||
            file_line->substr(0, indent).find_first_not_of(' ') != std::string_view::npos)
            return std::nullopt;
        return SourceMark{m.line + 2 + k, static_cast<int>(indent + offset - line_start) + 1};
    }
    if (indicator == '>') return std::nullopt;
    // A plain or quoted scalar: its text up to and including the tag's "{{" must be as written, on one line.
    const std::size_t start = indicator == '"' || indicator == '\'' ? c + 1 : c;
    const std::size_t length = std::min(offset + 2, value.size());
    if (value.substr(0, length).find('\n') != std::string_view::npos ||
        header->substr(start, length) != value.substr(0, length))
        return std::nullopt;
    return SourceMark{m.line + 1, static_cast<int>(start + offset) + 1};
}

// Only whitespace and comments.
bool blank(const std::string& text) {
    bool comment = false;
    for (char c : text) {
        if (c == '\n')
            comment = false;
        else if (c == '#')
            comment = true;
        else if (!comment && c != ' ' && c != '\t' && c != '\r')
            return false;
    }
    return true;
}

// Sees the document structure without building nodes.
class DocumentCounter : public YAML::EventHandler {
public:
    void OnDocumentStart(const YAML::Mark& mark) override {
        ++documents;
        if (documents == 2) second_start = mark;
    }
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark& mark, YAML::anchor_t) override { node(mark); }
    void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override { node(mark); }
    void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t, const std::string&) override {
        node(mark);
    }
    void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                         YAML::EmitterStyle::value) override {
        node(mark);
    }
    void OnSequenceEnd() override {}
    void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                    YAML::EmitterStyle::value) override {
        node(mark);
    }
    void OnMapEnd() override {}

    int documents = 0;
    YAML::Mark second_start;
    std::optional<YAML::Mark> second_node;

private:
    void node(const YAML::Mark& mark) {
        if (documents == 2 && !second_node) second_node = mark;
    }
};

// A second YAML document, or a syntax error in one, as a problem. YAML::LoadAll is not used: yaml-cpp 0.7
// loops forever, allocating, on a stray ',' between documents (jbeder/yaml-cpp#1040); asking for two
// documents at most cannot loop.
std::optional<std::pair<SourceMark, std::string>> second_document(const std::string& text) {
    std::istringstream in(text);
    DocumentCounter counter;
    try {
        YAML::Parser parser(in);
        for (int i = 0; i < 2 && parser.HandleNextDocument(counter); ++i) {
        }
    } catch (const YAML::Exception& e) {
        return std::pair(mark_of(e.mark), "YAML 语法错误：" + yaml_error_text(e.msg));
    }
    if (counter.documents < 2) return std::nullopt;
    return std::pair(
        mark_of(counter.second_node.value_or(counter.second_start)),
        std::string(
            "一个流程文件只能有一个 YAML 文档，这里开始了第二个：删去这个 --- 及其后的内容，或分成两个文件"));
}

struct Entry {
    std::string key;
    YAML::Node key_node;
    YAML::Node value;
};

// The context of one load: the file's problems and the helpers that read typed values from nodes.
class Loader {
public:
    explicit Loader(std::string file) : file_(std::move(file)) {}

    void problem(SourceMark mark, std::string message) {
        problems_.push_back(WorkflowProblem{file_, mark, std::move(message)});
    }
    void problem(const YAML::Node& node, std::string message) { problem(mark_of(node), std::move(message)); }

    std::vector<WorkflowProblem> take_problems() {
        std::stable_sort(problems_.begin(), problems_.end(), [](const auto& a, const auto& b) {
            return std::pair(a.mark.line, a.mark.column) < std::pair(b.mark.line, b.mark.column);
        });
        // Aliases can make one node be read twice; its problems need saying once.
        std::vector<WorkflowProblem> unique;
        for (auto& p : problems_) {
            const bool seen = std::any_of(unique.begin(), unique.end(), [&](const WorkflowProblem& u) {
                return u.mark.line == p.mark.line && u.mark.column == p.mark.column && u.message == p.message;
            });
            if (!seen) unique.push_back(std::move(p));
        }
        return unique;
    }

    // The entries of a map with text keys; reports other keys, duplicates and keys not in `allowed`.
    // `where` names the map in messages ("" at the top level).
    // `suggested` collects the keys offered as corrections, so a "missing key" need not be said twice.
    std::vector<Entry> entries(const YAML::Node& map, const std::vector<std::string>& allowed,
                               const std::string& where, std::set<std::string>* suggested = nullptr) {
        std::vector<Entry> out;
        for (auto it = map.begin(); it != map.end(); ++it) {
            const YAML::Node key = it->first;
            if (!key.IsScalar()) {
                problem(key, lead(where) + "键须是简单的名字（不能是列表或映射）");
                continue;
            }
            const std::string name = key.Scalar();
            if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
                problem(key, lead(where) + "未知的键 " + quoted(name) + did_you_mean(name, allowed));
                if (suggested) suggested->insert(closest(name, allowed));
                continue;
            }
            const auto dup =
                std::find_if(out.begin(), out.end(), [&](const Entry& e) { return e.key == name; });
            if (dup != out.end()) {
                problem(key, lead(where) + "键 " + quoted(name) + " 重复了（第一次在第 " +
                                 std::to_string(mark_of(dup->key_node).line) + " 行）；只留一个");
                continue;
            }
            out.push_back(Entry{name, key, it->second});
        }
        return out;
    }

    static const Entry* find(const std::vector<Entry>& entries, std::string_view key) {
        for (const Entry& e : entries)
            if (e.key == key) return &e;
        return nullptr;
    }

    // A text value; empty text is refused when `non_empty`.
    std::optional<std::string> text(const Entry& e, const std::string& where, bool non_empty = true) {
        if (!e.value.IsScalar()) {
            problem(e.value.IsNull() ? e.key_node : e.value, lead(where) + quoted(e.key) + " 须是文字");
            return std::nullopt;
        }
        if (non_empty && e.value.Scalar().empty()) {
            problem(e.value, lead(where) + quoted(e.key) + " 不能是空的");
            return std::nullopt;
        }
        return e.value.Scalar();
    }

    std::optional<int> positive_int(const Entry& e, int max) {
        const std::string bad = quoted(e.key) + " 须是正整数" +
                                (max < INT32_MAX ? "（不超过 " + std::to_string(max) + "）" : std::string());
        if (!e.value.IsScalar()) {
            problem(e.value.IsNull() ? e.key_node : e.value, bad);
            return std::nullopt;
        }
        const std::string& s = e.value.Scalar();
        std::int64_t n = 0;
        bool ok = !s.empty() && s.size() <= 10;
        for (char c : s)
            ok = ok && is_digit(c);
        if (ok) {
            for (char c : s)
                n = n * 10 + (c - '0');
            ok = n > 0 && n <= max;
        }
        if (!ok) {
            problem(e.value, bad + "，而不是 " + quoted(s));
            return std::nullopt;
        }
        return static_cast<int>(n);
    }

    std::optional<bool> boolean(const Entry& e, const std::string& where) {
        if (e.value.IsScalar()) {
            const std::string& s = e.value.Scalar();
            if (s == "true" || s == "yes") return true;
            if (s == "false" || s == "no") return false;
        }
        problem(e.value.IsNull() ? e.key_node : e.value, lead(where) + quoted(e.key) + " 须是 true 或 false");
        return std::nullopt;
    }

    // A list of text items; a single text is not a list here.
    std::vector<std::pair<std::string, YAML::Node>> text_list(const Entry& e, const std::string& where) {
        std::vector<std::pair<std::string, YAML::Node>> out;
        if (!e.value.IsSequence()) {
            problem(e.value.IsNull() ? e.key_node : e.value,
                    lead(where) + quoted(e.key) + " 须是列表，如 [甲, 乙]");
            return out;
        }
        for (const YAML::Node& item : e.value) {
            if (!item.IsScalar() || item.Scalar().empty()) {
                problem(item, lead(where) + quoted(e.key) + " 的每一项都须是非空的文字");
                continue;
            }
            out.emplace_back(item.Scalar(), item);
        }
        return out;
    }

    // CONDS: a map field -> test (workflows/README.md "Conditions").
    std::vector<Condition> conditions(const Entry& e, const std::string& where) {
        std::vector<Condition> out;
        if (!e.value.IsMap()) {
            problem(e.value.IsNull() ? e.key_node : e.value,
                    lead(where) + quoted(e.key) + " 须是 “字段: 条件” 的映射，如 {satisfied: yes}");
            return out;
        }
        for (const Entry& c : entries(e.value, {}, of(where, quoted(e.key)))) {
            if (!is_field_name(c.key)) {
                problem(c.key_node,
                        quoted(c.key) + " 不是字段名（字段名只用小写字母、数字和 _，以字母开头）");
                continue;
            }
            Condition cond;
            cond.field = c.key;
            if (read_test(c, cond)) out.push_back(std::move(cond));
        }
        return out;
    }

    // One or several values to compare with; false (reported) when `v` is neither.
    bool read_values(const YAML::Node& v, const YAML::Node& at, const std::string& field, Condition& cond) {
        if (v.IsScalar()) {
            cond.value = v.Scalar();
            return true;
        }
        if (v.IsSequence() && v.size() > 0) {
            for (const YAML::Node& item : v) {
                if (!item.IsScalar()) {
                    problem(item, "与 " + quoted(field) + " 比较的值须是简单的值（不能是列表或映射）");
                    return false;
                }
                cond.values.push_back(item.Scalar());
            }
            return true;
        }
        problem(v.IsNull() ? at : v,
                "对 " + quoted(field) + " 的条件须是一个值、一组值，或 {not: V}、{present: true}、{gt: N}");
        return false;
    }

    bool read_test(const Entry& c, Condition& cond) {
        if (!c.value.IsMap()) {
            cond.op = Condition::Op::Equals;
            return read_values(c.value, c.key_node, c.key, cond);
        }
        const auto ops =
            entries(c.value, to_strings({"not", "present", "gt"}), "对 " + quoted(c.key) + " 的条件");
        if (ops.size() != 1) {
            // An unknown test name has been reported already; an empty or crowded map has not.
            if (ops.size() > 1 || c.value.size() == 0)
                problem(c.value, "对 " + quoted(c.key) + " 的条件须有且只有 not、present、gt 中的一个");
            return false;
        }
        const Entry& op = ops.front();
        if (op.key == "not") {
            cond.op = Condition::Op::NotEquals;
            return read_values(op.value, op.key_node, c.key, cond);
        }
        if (op.key == "present") {
            const auto b = boolean(op, "对 " + quoted(c.key) + " 的条件");
            if (!b) return false;
            cond.op = *b ? Condition::Op::Present : Condition::Op::Absent;
            return true;
        }
        cond.op = Condition::Op::GreaterThan;
        const std::string& s = op.value.IsScalar() ? op.value.Scalar() : std::string();
        bool ok = !s.empty() && s.size() <= 9;
        for (std::size_t i = 0; ok && i < s.size(); ++i)
            ok = is_digit(s[i]) || (i == 0 && s[i] == '-' && s.size() > 1);
        if (!ok) {
            problem(op.value.IsNull() ? op.key_node : op.value,
                    "对 " + quoted(c.key) + " 的条件中 \"gt\" 须是整数");
            return false;
        }
        cond.value = s;
        return true;
    }

private:
    std::string file_;
    std::vector<WorkflowProblem> problems_;
};

// Where the parts of an action that name steps are, for messages from the cross-checks.
struct ActionNodes {
    SourceMark from;
    SourceMark to;
    std::vector<SourceMark> outcome_to;
    SourceMark effect;
    bool complete = false;  // from and targets all read and resolved
};

const std::vector<std::string> kTopKeys =
    to_strings({"category", "name", "version", "deadline_days", "departments", "steps", "actions", "write_up",
                "description"});
const std::vector<std::string> kStepKeys = to_strings({"id", "label", "phase"});
const std::vector<std::string> kActionKeys =
    to_strings({"id", "label", "from", "to", "outcomes", "roles", "requires", "choices", "fields", "guards",
                "sets", "effect", "require_replies"});
const std::vector<std::string> kGuardKeys = to_strings({"when", "require", "message"});
const std::vector<std::string> kOutcomeKeys = to_strings({"when", "to"});
const std::vector<std::string> kPhaseNames =
    to_strings({"intake", "coordination", "follow_up", "closed", "rejected"});
const std::vector<std::string> kRoleNames = to_strings({"coordinator", "supervisor"});

std::vector<std::string> effect_names() {
    std::vector<std::string> out;
    for (const auto& [effect, name] : kEffectNames)
        out.emplace_back(name);
    return out;
}

// Effects that act on the case without moving it through the lifecycle.
bool must_keep_phase(Effect e) {
    return e == Effect::Suspend || e == Effect::Resume || e == Effect::Escalate || e == Effect::Extend ||
           e == Effect::MarkTypical;
}

// Closed and rejected cases take only annotations (the lifecycle's Annotate) when they stay put.
bool may_stay_in_finished(Effect e) {
    return e == Effect::None || e == Effect::MarkTypical;
}

class WorkflowReader {
public:
    WorkflowReader(Loader& loader, Workflow& wf, WorkflowChecks checks)
        : in_(loader), wf_(wf), checks_(checks) {}

    void read(const YAML::Node& root) {
        std::set<std::string> suggested;
        const auto top = in_.entries(root, kTopKeys, "", &suggested);
        const SourceMark root_mark = mark_of(root);
        for (const char* required : {"category", "name", "version", "steps", "actions"})
            if (!Loader::find(top, required) && !suggested.count(required))
                in_.problem(root_mark, "缺少必需的键 " + quoted(required));

        if (const Entry* e = Loader::find(top, "category")) {
            if (auto s = in_.text(*e, "")) {
                if (is_id(*s))
                    wf_.category = *s;
                else
                    in_.problem(
                        e->value,
                        "\"category\" 须是 id（小写字母、数字、_ 或 -，以字母开头），而不是 " + quoted(*s));
            }
        }
        if (const Entry* e = Loader::find(top, "name"))
            if (auto s = in_.text(*e, "")) wf_.name = *s;
        if (const Entry* e = Loader::find(top, "version"))
            if (auto n = in_.positive_int(*e, INT32_MAX)) wf_.version = *n;
        if (const Entry* e = Loader::find(top, "deadline_days"))
            if (auto n = in_.positive_int(*e, kMaxDeadlineDays)) wf_.deadline_days = *n;
        if (const Entry* e = Loader::find(top, "departments")) {
            for (auto& [name, node] : in_.text_list(*e, "")) {
                if (std::find(wf_.departments.begin(), wf_.departments.end(), name) != wf_.departments.end())
                    in_.problem(node, "部门 " + quoted(name) + " 列了两次；只留一个");
                else
                    wf_.departments.push_back(name);
            }
        }
        if (const Entry* e = Loader::find(top, "write_up")) {
            if (auto s = in_.text(*e, "", false)) {
                wf_.write_up = *s;
                if (checks_ == WorkflowChecks::All) check_write_up(*e);
            }
        }
        if (const Entry* e = Loader::find(top, "description"))
            if (auto s = in_.text(*e, "", false)) wf_.description = *s;

        const Entry* steps = Loader::find(top, "steps");
        if (steps) read_steps(*steps);
        const Entry* actions = Loader::find(top, "actions");
        if (actions) read_actions(*actions);

        if (actions && checks_ == WorkflowChecks::All) check_taken_fields();
        if (steps && steps_ok_) check_moves();
        if (steps && actions && steps_ok_ && actions_ok_ && has_intake_) check_graph();
    }

private:
    // The template's problems (report.cpp's parser, the one that renders it), each at its tag when the
    // value's text can be found in the file, else at the value.
    // At most kMaxTemplateProblems of them, then how many more: a template of nothing but bad tags is not
    // worth a line per tag.
    void check_write_up(const Entry& e) {
        const std::string& tmpl = wf_.write_up;
        const auto problems = report::template_problems(tmpl);
        for (std::size_t i = 0; i < problems.size(); ++i) {
            const report::TemplateProblem& p = problems[i];
            std::string message = p.message;
            if (i == kMaxTemplateProblems)
                message = "模板中还有 " + std::to_string(problems.size() - i) + " 个问题";
            if (auto at = mark_in_scalar(wf_.source, e.value, tmpl, p.offset)) {
                in_.problem(*at, "write_up：" + message);
            } else {
                const std::size_t newline = tmpl.find('\n');
                const bool one_line = newline == std::string::npos || newline + 1 == tmpl.size();
                in_.problem(e.value, "write_up" +
                                         (one_line ? "" : "（模板第 " + std::to_string(p.line) + " 行）") +
                                         "：" + message);
            }
            if (i == kMaxTemplateProblems) break;
        }
    }

    void read_steps(const Entry& e) {
        if (!e.value.IsSequence()) {
            in_.problem(e.value.IsNull() ? e.key_node : e.value,
                        "\"steps\" 须是步骤的列表，每步写 {id, label, phase}");
            steps_ok_ = false;
            return;
        }
        for (const YAML::Node& node : e.value)
            read_step(node);
        has_intake_ = std::any_of(wf_.steps.begin(), wf_.steps.end(),
                                  [](const Step& s) { return s.phase == Phase::Intake; });
        if (!has_intake_ && steps_ok_)
            in_.problem(e.key_node, "没有 phase 为 intake 的步骤：新案件无处开始；请加一个受理步骤");
        if (steps_ok_ && std::none_of(wf_.steps.begin(), wf_.steps.end(),
                                      [](const Step& s) { return s.phase == Phase::Closed; }))
            in_.problem(e.key_node, "没有 phase 为 closed 的步骤：案件永远无法办结；请加一个办结步骤");
    }

    void read_step(const YAML::Node& node) {
        if (!node.IsMap()) {
            in_.problem(node, "每个步骤须是映射 {id, label, phase}");
            steps_ok_ = false;
            return;
        }
        std::set<std::string> suggested;
        const auto fields = in_.entries(node, kStepKeys, "步骤", &suggested);
        Step step;
        step.mark = mark_of(node);
        bool ok = true;
        for (const char* required : {"id", "label", "phase"}) {
            if (!Loader::find(fields, required)) {
                if (!suggested.count(required))
                    in_.problem(node, std::string("步骤缺少必需的键 ") + quoted(required));
                ok = false;
            }
        }
        if (const Entry* id = Loader::find(fields, "id")) {
            if (auto s = in_.text(*id, "步骤")) {
                if (!is_id(*s)) {
                    in_.problem(id->value,
                                "步骤 id " + quoted(*s) + " 只能用小写字母、数字、_ 或 -，并以字母开头");
                    ok = false;
                } else if (*s == "open" || *s == "any") {
                    in_.problem(id->value, "步骤 id " + quoted(*s) + " 是保留字（from: " + *s +
                                               " 表示一组步骤）；请换一个 id");
                    ok = false;
                } else if (auto first = step_lines_.find(*s); first != step_lines_.end()) {
                    in_.problem(id->value, "步骤 id " + quoted(*s) + " 重复了（第一次定义在第 " +
                                               std::to_string(first->second) + " 行）");
                    ok = false;
                } else {
                    step_lines_.emplace(*s, step.mark.line);
                }
                step.id = *s;
            } else {
                ok = false;
            }
        }
        if (const Entry* label = Loader::find(fields, "label")) {
            if (auto s = in_.text(*label, "步骤"))
                step.label = *s;
            else
                ok = false;
        }
        if (const Entry* phase = Loader::find(fields, "phase")) {
            if (auto s = in_.text(*phase, "步骤")) {
                if (auto p = phase_from_name(*s)) {
                    step.phase = *p;
                } else {
                    in_.problem(phase->value,
                                "未知的阶段 " + quoted(*s) + did_you_mean(*s, kPhaseNames) +
                                    "；阶段只有 intake、coordination、follow_up、closed、rejected");
                    ok = false;
                }
            } else {
                ok = false;
            }
        }
        if (ok)
            wf_.steps.push_back(std::move(step));
        else
            steps_ok_ = false;
    }

    void read_actions(const Entry& e) {
        if (!e.value.IsSequence()) {
            in_.problem(e.value.IsNull() ? e.key_node : e.value, "\"actions\" 须是动作的列表");
            actions_ok_ = false;
            return;
        }
        for (const YAML::Node& node : e.value)
            read_action(node);
    }

    std::vector<std::string> step_ids() const {
        std::vector<std::string> ids;
        for (const Step& s : wf_.steps)
            ids.push_back(s.id);
        return ids;
    }

    // A step id named by `from`, `to` or an outcome; false (reported) when no step has it.
    bool step_ref(const std::string& id, const YAML::Node& node, const std::string& what) {
        if (wf_.find_step(id)) return true;
        // When steps failed to load the name may be fine; saying so would only add noise.
        if (steps_ok_)
            in_.problem(node,
                        what + " 指向的步骤 " + quoted(id) + " 没有定义" + did_you_mean(id, step_ids()));
        return false;
    }

    void read_action(const YAML::Node& node) {
        if (!node.IsMap()) {
            in_.problem(node, "每个动作须是映射，至少写 id 和 from");
            actions_ok_ = false;
            return;
        }
        Action a;
        ActionNodes at;
        a.mark = mark_of(node);
        at.from = at.to = at.effect = a.mark;
        std::string where = "动作";
        std::vector<Entry> fields;
        // The id first, so that every other message can name the action.
        for (auto it = node.begin(); it != node.end(); ++it)
            if (it->first.IsScalar() && it->first.Scalar() == "id" && it->second.IsScalar() &&
                is_id(it->second.Scalar()))
                where = "动作 " + quoted(it->second.Scalar());
        std::set<std::string> suggested;
        fields = in_.entries(node, kActionKeys, where, &suggested);
        const std::string& name = where;  // 动作 "x", or 动作 before the id is known

        bool ok = true;
        if (const Entry* id = Loader::find(fields, "id")) {
            if (auto s = in_.text(*id, "动作")) {
                if (!is_id(*s)) {
                    in_.problem(id->value,
                                "动作 id " + quoted(*s) + " 只能用小写字母、数字、_ 或 -，并以字母开头");
                } else if (is_builtin_action(*s)) {
                    in_.problem(id->value,
                                "动作 id " + quoted(*s) +
                                    " 是内置动作：每个流程都有 correct、revoke 和 merge；请换一个 id");
                } else if (const Action* first = wf_.find_action(*s)) {
                    in_.problem(id->value, "动作 id " + quoted(*s) + " 重复了（第一次定义在第 " +
                                               std::to_string(first->mark.line) + " 行）");
                }
                a.id = *s;
            }
        } else if (!suggested.count("id")) {
            in_.problem(node, "动作缺少必需的键 \"id\"");
        }
        if (const Entry* label = Loader::find(fields, "label")) {
            if (auto s = in_.text(*label, where)) a.label = *s;
        }
        if (a.label.empty()) a.label = a.id;

        if (const Entry* from = Loader::find(fields, "from")) {
            at.from = mark_of(from->value, mark_of(from->key_node));
            ok = read_from(*from, a, name) && ok;
        } else {
            if (!suggested.count("from")) in_.problem(node, name + " 缺少必需的键 \"from\"");
            ok = false;
        }

        const Entry* to = Loader::find(fields, "to");
        const Entry* outcomes = Loader::find(fields, "outcomes");
        if (to && outcomes) {
            in_.problem(outcomes->key_node, name + " 同时写了 \"to\" 和 \"outcomes\"；只能用其中一个");
            ok = false;
        }
        if (to) {
            at.to = mark_of(to->value, mark_of(to->key_node));
            if (auto s = in_.text(*to, where)) {
                a.to = *s;
                ok = step_ref(*s, to->value, of(name, "\"to\"")) && ok;
            } else {
                ok = false;
            }
        } else if (outcomes) {
            ok = read_outcomes(*outcomes, a, at, name) && ok;
        }

        if (const Entry* roles = Loader::find(fields, "roles")) {
            for (auto& [role, item] : in_.text_list(*roles, where)) {
                if (auto r = role_from_name(role)) {
                    if (std::find(a.roles.begin(), a.roles.end(), *r) == a.roles.end()) a.roles.push_back(*r);
                } else {
                    in_.problem(item, "未知的角色 " + quoted(role) + did_you_mean(role, kRoleNames) +
                                          "；角色只有 coordinator（协调员）、supervisor（督办）");
                }
            }
            if (roles->value.IsSequence() && roles->value.size() == 0)
                in_.problem(roles->value, lead(name) +
                                              "\"roles\" 是空的：不写 roles 则人人可做，只许督办做请写 "
                                              "[supervisor]");
        } else {
            a.roles = {Role::Coordinator, Role::Supervisor};
        }

        if (const Entry* req = Loader::find(fields, "requires")) {
            for (auto& [input, item] : in_.text_list(*req, where)) {
                if (input != "department" && input != "note" && !is_field_name(input)) {
                    in_.problem(item, lead(of(where, "\"requires\"")) + quoted(input) +
                                          " 既不是 department、note，也不是字段名");
                } else if (is_counter(input)) {
                    in_.problem(item, lead(of(where, "\"requires\"")) + quoted(input) +
                                          " 是案件自己计算的计数，不能作为输入" +
                                          did_you_mean(input, to_strings({"department"})));
                } else if (std::find(a.requires_.begin(), a.requires_.end(), input) != a.requires_.end()) {
                    in_.problem(item, lead(of(where, "\"requires\"")) + quoted(input) + " 列了两次");
                } else {
                    a.requires_.push_back(input);
                }
            }
        }

        if (const Entry* choices = Loader::find(fields, "choices")) read_choices(*choices, a, where);
        if (const Entry* taken = Loader::find(fields, "fields")) {
            for (auto& [field, item] : in_.text_list(*taken, where)) {
                if (!is_field_name(field)) {
                    in_.problem(item, lead(of(where, "\"fields\"")) + quoted(field) +
                                          " 不是字段名（字段名只用小写字母、数字和 _，以字母开头）");
                } else if (is_counter(field)) {
                    in_.problem(item, lead(of(where, "\"fields\"")) + quoted(field) +
                                          " 是案件自己计算的计数，不能作为输入");
                } else if (std::find(a.fields.begin(), a.fields.end(), field) != a.fields.end()) {
                    in_.problem(item, lead(of(where, "\"fields\"")) + quoted(field) + " 列了两次");
                } else {
                    a.fields.push_back(field);
                }
            }
        }
        if (const Entry* guards = Loader::find(fields, "guards")) read_guards(*guards, a, where);
        if (const Entry* sets = Loader::find(fields, "sets")) read_sets(*sets, a, where);

        if (const Entry* effect = Loader::find(fields, "effect")) {
            at.effect = mark_of(effect->value, mark_of(effect->key_node));
            if (auto s = in_.text(*effect, where)) {
                if (auto eff = effect_from_name(*s))
                    a.effect = *eff;
                else
                    in_.problem(effect->value,
                                "未知的效果 " + quoted(*s) + did_you_mean(*s, effect_names()) +
                                    "；效果只有 none、dispatch、sign、return、reply、suspend、resume、"
                                    "escalate、extend、mark_typical");
            }
        }
        if (const Entry* rr = Loader::find(fields, "require_replies"))
            if (auto b = in_.boolean(*rr, where)) a.require_replies = *b;

        const bool needs_department = a.effect == Effect::Dispatch || a.effect == Effect::Sign ||
                                      a.effect == Effect::Return || a.effect == Effect::Reply;
        const auto& req = a.requires_;
        if (needs_department && std::find(req.begin(), req.end(), "department") == req.end())
            in_.problem(at.effect, name + " 的效果是 " + quoted(effect_name(a.effect)) +
                                       "，须要部门：请在 \"requires\" 中加上 department");
        if (a.effect == Effect::Extend && std::find(req.begin(), req.end(), "days") == req.end())
            in_.problem(at.effect,
                        name + " 的效果是 \"extend\"，须要延期天数：请在 \"requires\" 中加上 days");

        at.complete = ok;
        if (!ok) actions_ok_ = false;
        wf_.actions.push_back(std::move(a));
        nodes_.push_back(std::move(at));
    }

    bool read_from(const Entry& from, Action& a, const std::string& name) {
        if (from.value.IsScalar()) {
            const std::string& s = from.value.Scalar();
            if (s == "open") {
                a.from_kind = Action::From::AnyOpen;
                return true;
            }
            if (s == "any") {
                a.from_kind = Action::From::Any;
                return true;
            }
            // A lone step id is read as a list of one: the obvious meaning.
            if (is_id(s)) {
                a.from.push_back(s);
                return step_ref(s, from.value, of(name, "\"from\""));
            }
        }
        if (!from.value.IsSequence() || from.value.size() == 0) {
            in_.problem(from.value.IsNull() ? from.key_node : from.value,
                        lead(name) + "\"from\" 须是步骤 id 的列表，或 open、any");
            return false;
        }
        bool ok = true;
        for (const YAML::Node& item : from.value) {
            if (!item.IsScalar()) {
                in_.problem(item, lead(name) + "\"from\" 的每一项都须是步骤 id");
                ok = false;
                continue;
            }
            const std::string& s = item.Scalar();
            if (std::find(a.from.begin(), a.from.end(), s) != a.from.end()) {
                in_.problem(item, lead(name) + "步骤 " + quoted(s) + " 在 \"from\" 中列了两次");
                continue;
            }
            a.from.push_back(s);
            ok = step_ref(s, item, of(name, "\"from\"")) && ok;
        }
        return ok;
    }

    bool read_outcomes(const Entry& e, Action& a, ActionNodes& at, const std::string& name) {
        if (!e.value.IsSequence() || e.value.size() == 0) {
            in_.problem(e.value.IsNull() ? e.key_node : e.value,
                        lead(name) + "\"outcomes\" 须是非空的列表，每项写 {when, to}");
            return false;
        }
        bool ok = true;
        bool unconditional_seen = false;
        for (const YAML::Node& node : e.value) {
            if (!node.IsMap()) {
                in_.problem(node, lead(name) + "每个 outcome 须是映射 {when, to}");
                ok = false;
                continue;
            }
            const std::string where = of(name, "outcome");
            std::set<std::string> suggested;
            const auto fields = in_.entries(node, kOutcomeKeys, where, &suggested);
            Outcome out;
            if (unconditional_seen)
                in_.problem(node,
                            lead(name) + "这个 outcome 永远不会被选中：前面有一个 outcome 没有 \"when\"");
            if (const Entry* when = Loader::find(fields, "when"))
                out.when = in_.conditions(*when, where);
            else
                unconditional_seen = true;
            SourceMark to_mark = mark_of(node);
            if (const Entry* to = Loader::find(fields, "to")) {
                to_mark = mark_of(to->value, mark_of(to->key_node));
                if (auto s = in_.text(*to, where)) {
                    out.to = *s;
                    ok = step_ref(*s, to->value, of(name, "outcome 的 \"to\"")) && ok;
                } else {
                    ok = false;
                }
            } else {
                if (!suggested.count("to")) in_.problem(node, where + " 缺少必需的键 \"to\"");
                ok = false;
            }
            a.outcomes.push_back(std::move(out));
            at.outcome_to.push_back(to_mark);
        }
        return ok;
    }

    // A field one action `sets` is that action's to write: another cannot take it with --set (the runtime
    // refuses it too), so declaring it is a mistake in the file.
    void check_taken_fields() {
        for (const Action& a : wf_.actions) {
            for (const std::string& field : a.accepted_fields()) {
                const Action* setter = wf_.action_setting(field);
                if (!setter) continue;
                in_.problem(a.mark, "动作 " + quoted(a.id) + " 接收字段 " + quoted(field) + "，但它由动作 " +
                                        quoted(setter->id) +
                                        " 的 sets 写入，只有那个动作可以写它：请从动作 " + quoted(a.id) +
                                        " 的 requires、choices、fields 中去掉它");
            }
        }
    }

    void read_choices(const Entry& e, Action& a, const std::string& where) {
        if (!e.value.IsMap()) {
            in_.problem(e.value.IsNull() ? e.key_node : e.value,
                        lead(where) + "\"choices\" 须是 “字段: [可选值]” 的映射");
            return;
        }
        for (const Entry& c : in_.entries(e.value, {}, of(where, "\"choices\""))) {
            if (!is_field_name(c.key)) {
                in_.problem(c.key_node, lead(of(where, "\"choices\"")) + quoted(c.key) +
                                            " 不是字段名（字段名只用小写字母、数字和 _，以字母开头）");
                continue;
            }
            if (is_counter(c.key)) {
                in_.problem(c.key_node, lead(of(where, "\"choices\"")) + quoted(c.key) +
                                            " 是案件自己计算的计数，不能作为输入");
                continue;
            }
            std::vector<std::string> values;
            if (c.value.IsMap()) {
                // {value: label, ...}: the values in file order, each with the label people see.
                for (const auto& item : c.value) {
                    const YAML::Node k = item.first, v = item.second;
                    if (!k.IsScalar() || k.Scalar().empty() || !v.IsScalar() || v.Scalar().empty()) {
                        in_.problem(
                            k, lead(where) + quoted(c.key) + " 的选项须是 “值: 标签”，值和标签都不能为空");
                        continue;
                    }
                    values.push_back(k.Scalar());
                    a.choice_labels[c.key][k.Scalar()] = v.Scalar();
                }
                if (c.value.size() == 0) in_.problem(c.value, lead(where) + quoted(c.key) + " 的选项是空的");
                a.choices[c.key] = std::move(values);
                continue;
            }
            for (auto& [value, node] : in_.text_list(c, of(where, "\"choices\"")))
                values.push_back(value);
            if (c.value.IsSequence() && c.value.size() == 0)
                in_.problem(c.value, lead(where) + quoted(c.key) + " 的选项是空的");
            a.choices[c.key] = std::move(values);
        }
    }

    void read_guards(const Entry& e, Action& a, const std::string& where) {
        if (!e.value.IsSequence()) {
            in_.problem(e.value.IsNull() ? e.key_node : e.value,
                        lead(where) + "\"guards\" 须是列表，每项写 {when, require, message}");
            return;
        }
        const std::string gwhere = of(where, "guard");
        for (const YAML::Node& node : e.value) {
            if (!node.IsMap()) {
                in_.problem(node, lead(where) + "每个 guard 须是映射 {when, require, message}");
                continue;
            }
            std::set<std::string> suggested;
            const auto fields = in_.entries(node, kGuardKeys, gwhere, &suggested);
            Guard g;
            g.mark = mark_of(node);
            if (const Entry* when = Loader::find(fields, "when")) g.when = in_.conditions(*when, gwhere);
            if (const Entry* require = Loader::find(fields, "require")) {
                g.require = in_.conditions(*require, gwhere);
                if (require->value.IsMap() && require->value.size() == 0)
                    in_.problem(require->value, lead(gwhere) + "\"require\" 没有写任何条件");
            } else if (!suggested.count("require")) {
                in_.problem(node, gwhere + " 缺少必需的键 \"require\"");
            }
            if (const Entry* message = Loader::find(fields, "message")) {
                if (auto s = in_.text(*message, gwhere)) g.message = *s;
            } else if (!suggested.count("message")) {
                in_.problem(node, gwhere + " 缺少必需的键 \"message\"");
            }
            a.guards.push_back(std::move(g));
        }
    }

    void read_sets(const Entry& e, Action& a, const std::string& where) {
        if (!e.value.IsMap()) {
            in_.problem(e.value.IsNull() ? e.key_node : e.value,
                        lead(where) + "\"sets\" 须是 “字段: 值” 的映射");
            return;
        }
        for (const Entry& s : in_.entries(e.value, {}, of(where, "\"sets\""))) {
            if (!is_field_name(s.key)) {
                in_.problem(s.key_node, lead(of(where, "\"sets\"")) + quoted(s.key) +
                                            " 不是字段名（字段名只用小写字母、数字和 _，以字母开头）");
            } else if (is_counter(s.key)) {
                in_.problem(s.key_node, lead(of(where, "\"sets\"")) + quoted(s.key) +
                                            " 是案件自己计算的计数，动作不能写它");
            } else if (!s.value.IsScalar()) {
                in_.problem(s.value.IsNull() ? s.key_node : s.value,
                            lead(where) + "给 " + quoted(s.key) + " 设的值须是简单的值（不能是列表或映射）");
            } else {
                a.sets[s.key] = s.value.Scalar();
            }
        }
    }

    std::vector<const Step*> from_steps(const Action& a) const {
        std::vector<const Step*> out;
        for (const Step& s : wf_.steps) {
            const bool in = a.from_kind == Action::From::Any ||
                            (a.from_kind == Action::From::AnyOpen && is_open(s.phase)) ||
                            (a.from_kind == Action::From::Steps &&
                             std::find(a.from.begin(), a.from.end(), s.id) != a.from.end());
            if (in) out.push_back(&s);
        }
        return out;
    }

    static std::string describe(const Step& s) {
        return "步骤 " + quoted(s.id) + "（" + std::string(phase_name(s.phase)) + " 阶段）";
    }

    // Each from-step x target pair against the lifecycle. One message per phase of from-step and target,
    // so `from: any` on a bad action does not repeat itself once per step.
    void check_moves() {
        for (std::size_t i = 0; i < wf_.actions.size(); ++i) {
            const Action& a = wf_.actions[i];
            const ActionNodes& at = nodes_[i];
            const std::string name = "动作 " + quoted(a.id);
            std::vector<std::pair<const Step*, SourceMark>> targets;
            if (!a.to.empty()) {
                if (const Step* t = wf_.find_step(a.to)) targets.emplace_back(t, at.to);
            }
            for (std::size_t k = 0; k < a.outcomes.size(); ++k)
                if (const Step* t = wf_.find_step(a.outcomes[k].to))
                    targets.emplace_back(t, at.outcome_to[k]);
            const bool stays = a.to.empty() && a.outcomes.empty();
            std::set<std::pair<int, std::string>> said;
            for (const Step* from : from_steps(a)) {
                if (stays) {
                    if (!is_open(from->phase) && !may_stay_in_finished(a.effect) &&
                        said.emplace(static_cast<int>(from->phase), "").second)
                        in_.problem(at.from, name + " 的效果 " + quoted(effect_name(a.effect)) +
                                                 " 会作用于已结束的" + describe(*from) +
                                                 "；只有未结束的阶段（intake、coordination、follow_up）可以");
                    continue;
                }
                for (const auto& [to, mark] : targets) {
                    if (to == from && from->phase != Phase::Closed && from->phase != Phase::Rejected)
                        continue;
                    if (!said.emplace(static_cast<int>(from->phase), to->id).second) continue;
                    if (!event_for_move(from->phase, to->phase)) {
                        in_.problem(mark, name + " 会从" + describe(*from) + "移到" + describe(*to) +
                                              "，案件的生命周期不允许这样移动");
                    } else if (must_keep_phase(a.effect) && from->phase != to->phase) {
                        in_.problem(mark, name + " 的效果 " + quoted(effect_name(a.effect)) +
                                              " 不能改变阶段，但它会从" + describe(*from) + "移到" +
                                              describe(*to));
                    }
                }
            }
        }
    }

    // Every step reachable from the initial one, and a way to a closed step from every open one.
    void check_graph() {
        const std::size_t n = wf_.steps.size();
        auto index = [&](const std::string& id) -> std::size_t {
            for (std::size_t i = 0; i < n; ++i)
                if (wf_.steps[i].id == id) return i;
            return n;
        };
        std::vector<std::vector<std::size_t>> next(n);
        std::vector<std::vector<std::size_t>> prev(n);
        for (const Action& a : wf_.actions) {
            std::vector<std::size_t> targets;
            if (!a.to.empty()) targets.push_back(index(a.to));
            for (const Outcome& o : a.outcomes)
                targets.push_back(index(o.to));
            for (const Step* from : from_steps(a)) {
                const std::size_t f = index(from->id);
                for (std::size_t t : targets) {
                    if (t >= n || t == f) continue;
                    next[f].push_back(t);
                    prev[t].push_back(f);
                }
            }
        }
        auto flood = [n](std::vector<std::size_t> start, const std::vector<std::vector<std::size_t>>& edges) {
            std::vector<bool> seen(n, false);
            std::deque<std::size_t> queue(start.begin(), start.end());
            for (std::size_t s : start)
                seen[s] = true;
            while (!queue.empty()) {
                const std::size_t s = queue.front();
                queue.pop_front();
                for (std::size_t t : edges[s])
                    if (!seen[t]) {
                        seen[t] = true;
                        queue.push_back(t);
                    }
            }
            return seen;
        };
        const std::size_t initial = index(wf_.initial_step().id);
        const auto reachable = flood({initial}, next);
        std::vector<std::size_t> closed;
        for (std::size_t i = 0; i < n; ++i)
            if (wf_.steps[i].phase == Phase::Closed) closed.push_back(i);
        const auto finishing = flood(closed, prev);
        for (std::size_t i = 0; i < n; ++i) {
            const Step& s = wf_.steps[i];
            if (!reachable[i])
                in_.problem(s.mark, "步骤 " + quoted(s.id) + " 无法到达：从起始步骤 " +
                                        quoted(wf_.steps[initial].id) + " 出发，没有任何动作通向它");
            if (is_open(s.phase) && !closed.empty() && !finishing[i])
                in_.problem(s.mark,
                            "从步骤 " + quoted(s.id) +
                                " 出发，没有任何动作能到达办结（closed）步骤：案件到了这里就永远无法办结");
        }
    }

    Loader& in_;
    Workflow& wf_;
    WorkflowChecks checks_;
    std::vector<ActionNodes> nodes_;
    std::map<std::string, int> step_lines_;  // every step id seen, valid step or not, for duplicates
    bool steps_ok_ = true;                   // every step read, with unique ids and known phases
    bool actions_ok_ = true;                 // every action's from and targets read and resolved
    bool has_intake_ = false;
};

}  // namespace

WorkflowLoad load_workflow(const std::string& text, const std::string& file_name, WorkflowChecks checks) {
    WorkflowLoad result;
    Loader loader(file_name);
    // yaml-cpp reads bytes that are not UTF-8 without a word, and they would reach the station's records (a
    // label, a write-up) and its JSON, which cannot hold them. Stored text is read as it was stored: an older
    // minsheng stored it without this check.
    if (auto bad = checks == WorkflowChecks::All ? first_non_utf8(text) : std::nullopt) {
        loader.problem(SourceMark{bad->line, bad->column},
                       "这里起不是 UTF-8 文本：流程文件须以 UTF-8 编码保存（文本编辑器“另存为”时选 UTF-8）");
        result.problems = loader.take_problems();  // the mark counts characters already
        return result;
    }
    if (auto deep = too_deep(text)) {
        loader.problem(*deep, "嵌套超过 " + std::to_string(kMaxNesting) + " 层；流程文件用不着这么多层");
        result.problems = loader.take_problems();
        for (WorkflowProblem& p : result.problems)
            p.mark = character_mark(text, p.mark);
        return result;
    }
    YAML::Node root;
    try {
        root = YAML::Load(text);
    } catch (const YAML::Exception& e) {
        loader.problem(mark_of(e.mark), "YAML 语法错误：" + yaml_error_text(e.msg));
        result.problems = loader.take_problems();
        for (WorkflowProblem& p : result.problems)
            p.mark = character_mark(text, p.mark);
        return result;
    }
    Workflow wf;
    wf.source = text;
    try {
        if (root.IsNull()) {
            loader.problem(mark_of(root),
                           blank(text) ? "文件是空的：流程须有 category、name、version、steps 和 actions"
                                       : "文档里没有内容：流程是由 category、name、version、"
                                         "steps 和 actions 组成的映射");
        } else if (!root.IsMap()) {
            loader.problem(root, "最外层须是映射（category、name、version、steps、actions …）");
        } else {
            WorkflowReader(loader, wf, checks).read(root);
        }
    } catch (const YAML::Exception& e) {
        // The reader only asks nodes what they are before reading them, so this is a bug; still a problem,
        // never a crash.
        loader.problem(mark_of(e.mark), std::string("无法读取流程：") + e.what());
    }
    // A second parse only to find a second document: stored text passed this check when it was stored, and
    // `case show` reads a stored workflow on every call (half its instructions went to this parse).
    if (checks == WorkflowChecks::All)
        if (auto second = second_document(text)) loader.problem(second->first, second->second);
    result.problems = loader.take_problems();
    for (WorkflowProblem& p : result.problems)
        p.mark = character_mark(text, p.mark);
    if (result.problems.empty()) {
        for (Step& s : wf.steps)
            s.mark = character_mark(text, s.mark);
        for (Action& a : wf.actions) {
            a.mark = character_mark(text, a.mark);
            for (Guard& g : a.guards)
                g.mark = character_mark(text, g.mark);
        }
        result.workflow = std::move(wf);
    }
    return result;
}

Workflow load_workflow_or_throw(const std::string& text, const std::string& file_name,
                                WorkflowChecks checks) {
    WorkflowLoad load = load_workflow(text, file_name, checks);
    // The problems themselves are written for whoever edits the YAML (`workflow check` lists them all); the
    // one line a refusal prints says first, in Chinese, what was refused and what to do.
    if (!load.problems.empty())
        throw refused("流程文件有误，未载入（用 workflow check 列出全部问题）：" +
                      load.problems.front().to_string());
    return std::move(*load.workflow);
}

}  // namespace minsheng
