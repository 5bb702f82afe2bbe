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
    return "'" + std::string(s) + "'";
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
        return std::pair(mark_of(e.mark), "YAML syntax error: " + e.msg);
    }
    if (counter.documents < 2) return std::nullopt;
    return std::pair(mark_of(counter.second_node.value_or(counter.second_start)),
                     std::string("a workflow file holds one YAML document; this is another"));
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
                problem(key, "keys must be plain names" + where);
                continue;
            }
            const std::string name = key.Scalar();
            if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
                problem(key, "unknown key " + quoted(name) + where + did_you_mean(name, allowed));
                if (suggested) suggested->insert(closest(name, allowed));
                continue;
            }
            const auto dup =
                std::find_if(out.begin(), out.end(), [&](const Entry& e) { return e.key == name; });
            if (dup != out.end()) {
                problem(key, "duplicate key " + quoted(name) + where + " (first at line " +
                                 std::to_string(mark_of(dup->key_node).line) + ")");
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
            problem(e.value.IsNull() ? e.key_node : e.value, quoted(e.key) + where + " must be text");
            return std::nullopt;
        }
        if (non_empty && e.value.Scalar().empty()) {
            problem(e.value, quoted(e.key) + where + " must not be empty");
            return std::nullopt;
        }
        return e.value.Scalar();
    }

    std::optional<int> positive_int(const Entry& e, int max) {
        const std::string bad = quoted(e.key) + " must be a positive integer" +
                                (max < INT32_MAX ? " (at most " + std::to_string(max) + ")" : std::string());
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
            problem(e.value, bad + ", not " + quoted(s));
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
        problem(e.value.IsNull() ? e.key_node : e.value, quoted(e.key) + where + " must be true or false");
        return std::nullopt;
    }

    // A list of text items; a single text is not a list here.
    std::vector<std::pair<std::string, YAML::Node>> text_list(const Entry& e, const std::string& where) {
        std::vector<std::pair<std::string, YAML::Node>> out;
        if (!e.value.IsSequence()) {
            problem(e.value.IsNull() ? e.key_node : e.value, quoted(e.key) + where + " must be a list");
            return out;
        }
        for (const YAML::Node& item : e.value) {
            if (!item.IsScalar() || item.Scalar().empty()) {
                problem(item, "the items of " + quoted(e.key) + where + " must be non-empty text");
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
                    quoted(e.key) + where + " must be a map of field: test (e.g. {satisfied: yes})");
            return out;
        }
        for (const Entry& c : entries(e.value, {}, " in " + quoted(e.key) + where)) {
            if (!is_field_name(c.key)) {
                problem(c.key_node, quoted(c.key) + " is not a field name (lower-case letters, digits, _)");
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
                    problem(item, "the values compared with " + quoted(field) + " must be plain values");
                    return false;
                }
                cond.values.push_back(item.Scalar());
            }
            return true;
        }
        problem(v.IsNull() ? at : v, "the test on " + quoted(field) +
                                         " needs a value, a list of values, or {not: V}, {present: true}, "
                                         "{gt: N}");
        return false;
    }

    bool read_test(const Entry& c, Condition& cond) {
        if (!c.value.IsMap()) {
            cond.op = Condition::Op::Equals;
            return read_values(c.value, c.key_node, c.key, cond);
        }
        const auto ops =
            entries(c.value, to_strings({"not", "present", "gt"}), " in the test on " + quoted(c.key));
        if (ops.size() != 1) {
            // An unknown test name has been reported already; an empty or crowded map has not.
            if (ops.size() > 1 || c.value.size() == 0)
                problem(c.value, "the test on " + quoted(c.key) + " needs exactly one of not, present, gt");
            return false;
        }
        const Entry& op = ops.front();
        if (op.key == "not") {
            cond.op = Condition::Op::NotEquals;
            return read_values(op.value, op.key_node, c.key, cond);
        }
        if (op.key == "present") {
            const auto b = boolean(op, " in the test on " + quoted(c.key));
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
                    "'gt' in the test on " + quoted(c.key) + " must be an integer");
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
                in_.problem(root_mark, "missing required key " + quoted(required));

        if (const Entry* e = Loader::find(top, "category")) {
            if (auto s = in_.text(*e, "")) {
                if (is_id(*s))
                    wf_.category = *s;
                else
                    in_.problem(e->value,
                                "'category' must be an id: lower-case letters, digits, '_' or '-', "
                                "starting with a letter; not " +
                                    quoted(*s));
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
                    in_.problem(node, "department " + quoted(name) + " is listed twice");
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
                message = "and " + std::to_string(problems.size() - i) + " more problems in the template";
            if (auto at = mark_in_scalar(wf_.source, e.value, tmpl, p.offset)) {
                in_.problem(*at, "write_up: " + message);
            } else {
                const std::size_t newline = tmpl.find('\n');
                const bool one_line = newline == std::string::npos || newline + 1 == tmpl.size();
                in_.problem(e.value, "write_up" +
                                         (one_line ? "" : " (template line " + std::to_string(p.line) + ")") +
                                         ": " + message);
            }
            if (i == kMaxTemplateProblems) break;
        }
    }

    void read_steps(const Entry& e) {
        if (!e.value.IsSequence()) {
            in_.problem(e.value.IsNull() ? e.key_node : e.value,
                        "'steps' must be a list of {id, label, phase}");
            steps_ok_ = false;
            return;
        }
        for (const YAML::Node& node : e.value)
            read_step(node);
        has_intake_ = std::any_of(wf_.steps.begin(), wf_.steps.end(),
                                  [](const Step& s) { return s.phase == Phase::Intake; });
        if (!has_intake_ && steps_ok_)
            in_.problem(e.key_node, "no step has phase 'intake': new cases would have nowhere to start");
        if (steps_ok_ && std::none_of(wf_.steps.begin(), wf_.steps.end(),
                                      [](const Step& s) { return s.phase == Phase::Closed; }))
            in_.problem(e.key_node, "no step has phase 'closed': cases could never be finished");
    }

    void read_step(const YAML::Node& node) {
        if (!node.IsMap()) {
            in_.problem(node, "each step must be a map {id, label, phase}");
            steps_ok_ = false;
            return;
        }
        std::set<std::string> suggested;
        const auto fields = in_.entries(node, kStepKeys, " in a step", &suggested);
        Step step;
        step.mark = mark_of(node);
        bool ok = true;
        for (const char* required : {"id", "label", "phase"}) {
            if (!Loader::find(fields, required)) {
                if (!suggested.count(required))
                    in_.problem(node, std::string("step is missing required key ") + quoted(required));
                ok = false;
            }
        }
        if (const Entry* id = Loader::find(fields, "id")) {
            if (auto s = in_.text(*id, " of a step")) {
                if (!is_id(*s)) {
                    in_.problem(id->value,
                                "step id " + quoted(*s) +
                                    " must be lower-case letters, digits, '_' or '-', starting with a "
                                    "letter");
                    ok = false;
                } else if (*s == "open" || *s == "any") {
                    in_.problem(id->value, "step id " + quoted(*s) + " is reserved: 'from: " + *s +
                                               "' means a set of steps");
                    ok = false;
                } else if (auto first = step_lines_.find(*s); first != step_lines_.end()) {
                    in_.problem(id->value, "duplicate step id " + quoted(*s) + " (first defined at line " +
                                               std::to_string(first->second) + ")");
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
            if (auto s = in_.text(*label, " of a step"))
                step.label = *s;
            else
                ok = false;
        }
        if (const Entry* phase = Loader::find(fields, "phase")) {
            if (auto s = in_.text(*phase, " of a step")) {
                if (auto p = phase_from_name(*s)) {
                    step.phase = *p;
                } else {
                    in_.problem(phase->value,
                                "unknown phase " + quoted(*s) + did_you_mean(*s, kPhaseNames) +
                                    "; phases are intake, coordination, follow_up, closed, rejected");
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
            in_.problem(e.value.IsNull() ? e.key_node : e.value, "'actions' must be a list of actions");
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
            in_.problem(node, what + " names undefined step " + quoted(id) + did_you_mean(id, step_ids()));
        return false;
    }

    void read_action(const YAML::Node& node) {
        if (!node.IsMap()) {
            in_.problem(node, "each action must be a map with at least id and from");
            actions_ok_ = false;
            return;
        }
        Action a;
        ActionNodes at;
        a.mark = mark_of(node);
        at.from = at.to = at.effect = a.mark;
        std::string where = " in an action";
        std::vector<Entry> fields;
        // The id first, so that every other message can name the action.
        for (auto it = node.begin(); it != node.end(); ++it)
            if (it->first.IsScalar() && it->first.Scalar() == "id" && it->second.IsScalar() &&
                is_id(it->second.Scalar()))
                where = " in action " + quoted(it->second.Scalar());
        std::set<std::string> suggested;
        fields = in_.entries(node, kActionKeys, where, &suggested);
        const std::string name = where.substr(4);  // "action 'x'" or "an action"

        bool ok = true;
        if (const Entry* id = Loader::find(fields, "id")) {
            if (auto s = in_.text(*id, " of an action")) {
                if (!is_id(*s)) {
                    in_.problem(id->value,
                                "action id " + quoted(*s) +
                                    " must be lower-case letters, digits, '_' or '-', starting with a "
                                    "letter");
                } else if (is_builtin_action(*s)) {
                    in_.problem(id->value, "action id " + quoted(*s) +
                                               " is built in: every workflow has correct, revoke and merge "
                                               "(SPEC Part 2); choose another id");
                } else if (const Action* first = wf_.find_action(*s)) {
                    in_.problem(id->value, "duplicate action id " + quoted(*s) + " (first defined at line " +
                                               std::to_string(first->mark.line) + ")");
                }
                a.id = *s;
            }
        } else if (!suggested.count("id")) {
            in_.problem(node, "action is missing required key 'id'");
        }
        if (const Entry* label = Loader::find(fields, "label")) {
            if (auto s = in_.text(*label, where)) a.label = *s;
        }
        if (a.label.empty()) a.label = a.id;

        if (const Entry* from = Loader::find(fields, "from")) {
            at.from = mark_of(from->value, mark_of(from->key_node));
            ok = read_from(*from, a, name) && ok;
        } else {
            if (!suggested.count("from")) in_.problem(node, name + " is missing required key 'from'");
            ok = false;
        }

        const Entry* to = Loader::find(fields, "to");
        const Entry* outcomes = Loader::find(fields, "outcomes");
        if (to && outcomes) {
            in_.problem(outcomes->key_node, name + " has both 'to' and 'outcomes'; use one of them");
            ok = false;
        }
        if (to) {
            at.to = mark_of(to->value, mark_of(to->key_node));
            if (auto s = in_.text(*to, where)) {
                a.to = *s;
                ok = step_ref(*s, to->value, name + ": 'to'") && ok;
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
                    in_.problem(item, "unknown role " + quoted(role) + did_you_mean(role, kRoleNames) +
                                          "; roles are coordinator, supervisor");
                }
            }
            if (roles->value.IsSequence() && roles->value.size() == 0)
                in_.problem(roles->value, name +
                                              ": 'roles' is empty; omit it to let everyone act, or list "
                                              "[supervisor]");
        } else {
            a.roles = {Role::Coordinator, Role::Supervisor};
        }

        if (const Entry* req = Loader::find(fields, "requires")) {
            for (auto& [input, item] : in_.text_list(*req, where)) {
                if (input != "department" && input != "note" && !is_field_name(input)) {
                    in_.problem(item, quoted(input) + " in 'requires'" + where +
                                          " is neither department, note nor a field name");
                } else if (is_counter(input)) {
                    in_.problem(item, quoted(input) + " in 'requires'" + where +
                                          " is a counter the case keeps, not an input" +
                                          did_you_mean(input, to_strings({"department"})));
                } else if (std::find(a.requires_.begin(), a.requires_.end(), input) != a.requires_.end()) {
                    in_.problem(item, quoted(input) + " is listed twice in 'requires'" + where);
                } else {
                    a.requires_.push_back(input);
                }
            }
        }

        if (const Entry* choices = Loader::find(fields, "choices")) read_choices(*choices, a, where);
        if (const Entry* taken = Loader::find(fields, "fields")) {
            for (auto& [field, item] : in_.text_list(*taken, where)) {
                if (!is_field_name(field)) {
                    in_.problem(item, quoted(field) + " in 'fields'" + where + " is not a field name");
                } else if (is_counter(field)) {
                    in_.problem(item, quoted(field) + " in 'fields'" + where +
                                          " is a counter the case keeps, not an input");
                } else if (std::find(a.fields.begin(), a.fields.end(), field) != a.fields.end()) {
                    in_.problem(item, quoted(field) + " is listed twice in 'fields'" + where);
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
                                "unknown effect " + quoted(*s) + did_you_mean(*s, effect_names()) +
                                    "; effects are none, dispatch, sign, return, reply, suspend, "
                                    "resume, escalate, extend, mark_typical");
            }
        }
        if (const Entry* rr = Loader::find(fields, "require_replies"))
            if (auto b = in_.boolean(*rr, where)) a.require_replies = *b;

        const bool needs_department = a.effect == Effect::Dispatch || a.effect == Effect::Sign ||
                                      a.effect == Effect::Return || a.effect == Effect::Reply;
        const auto& req = a.requires_;
        if (needs_department && std::find(req.begin(), req.end(), "department") == req.end())
            in_.problem(at.effect, name + " has effect " + quoted(effect_name(a.effect)) +
                                       " but does not list 'department' in 'requires'");
        if (a.effect == Effect::Extend && std::find(req.begin(), req.end(), "days") == req.end())
            in_.problem(at.effect, name + " has effect 'extend' but does not list 'days' in 'requires'");

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
                return step_ref(s, from.value, name + ": 'from'");
            }
        }
        if (!from.value.IsSequence() || from.value.size() == 0) {
            in_.problem(from.value.IsNull() ? from.key_node : from.value,
                        name + ": 'from' must be a list of step ids, 'open' or 'any'");
            return false;
        }
        bool ok = true;
        for (const YAML::Node& item : from.value) {
            if (!item.IsScalar()) {
                in_.problem(item, name + ": the items of 'from' must be step ids");
                ok = false;
                continue;
            }
            const std::string& s = item.Scalar();
            if (std::find(a.from.begin(), a.from.end(), s) != a.from.end()) {
                in_.problem(item, name + ": step " + quoted(s) + " is listed twice in 'from'");
                continue;
            }
            a.from.push_back(s);
            ok = step_ref(s, item, name + ": 'from'") && ok;
        }
        return ok;
    }

    bool read_outcomes(const Entry& e, Action& a, ActionNodes& at, const std::string& name) {
        if (!e.value.IsSequence() || e.value.size() == 0) {
            in_.problem(e.value.IsNull() ? e.key_node : e.value,
                        name +
                            ": 'outcomes' must be a non-empty list of "
                            "{when, to}");
            return false;
        }
        bool ok = true;
        bool unconditional_seen = false;
        for (const YAML::Node& node : e.value) {
            if (!node.IsMap()) {
                in_.problem(node, name + ": each outcome must be a map {when, to}");
                ok = false;
                continue;
            }
            const std::string where = " in an outcome of " + name;
            std::set<std::string> suggested;
            const auto fields = in_.entries(node, kOutcomeKeys, where, &suggested);
            Outcome out;
            if (unconditional_seen)
                in_.problem(node, name + ": this outcome is never chosen: an earlier outcome has no 'when'");
            if (const Entry* when = Loader::find(fields, "when"))
                out.when = in_.conditions(*when, where);
            else
                unconditional_seen = true;
            SourceMark to_mark = mark_of(node);
            if (const Entry* to = Loader::find(fields, "to")) {
                to_mark = mark_of(to->value, mark_of(to->key_node));
                if (auto s = in_.text(*to, where)) {
                    out.to = *s;
                    ok = step_ref(*s, to->value, name + ": outcome 'to'") && ok;
                } else {
                    ok = false;
                }
            } else {
                if (!suggested.count("to"))
                    in_.problem(node, "outcome of " + name + " is missing required key 'to'");
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
                in_.problem(a.mark, quoted(field) + " is taken with --set by action " + quoted(a.id) +
                                        " but set by action " + quoted(setter->id) +
                                        "; only that action may write it");
            }
        }
    }

    void read_choices(const Entry& e, Action& a, const std::string& where) {
        if (!e.value.IsMap()) {
            in_.problem(e.value.IsNull() ? e.key_node : e.value,
                        "'choices'" + where + " must be a map of field: [allowed values]");
            return;
        }
        for (const Entry& c : in_.entries(e.value, {}, " in 'choices'" + where)) {
            if (!is_field_name(c.key)) {
                in_.problem(c.key_node, quoted(c.key) + " in 'choices'" + where + " is not a field name");
                continue;
            }
            if (is_counter(c.key)) {
                in_.problem(c.key_node, quoted(c.key) + " in 'choices'" + where +
                                            " is a counter the case keeps, not an input");
                continue;
            }
            std::vector<std::string> values;
            if (c.value.IsMap()) {
                // {value: label, ...}: the values in file order, each with the label people see.
                for (const auto& item : c.value) {
                    const YAML::Node k = item.first, v = item.second;
                    if (!k.IsScalar() || k.Scalar().empty() || !v.IsScalar() || v.Scalar().empty()) {
                        in_.problem(k, "the choices for " + quoted(c.key) + where +
                                           " must be value: label pairs of non-empty text");
                        continue;
                    }
                    values.push_back(k.Scalar());
                    a.choice_labels[c.key][k.Scalar()] = v.Scalar();
                }
                if (c.value.size() == 0)
                    in_.problem(c.value, "the choices for " + quoted(c.key) + where + " are empty");
                a.choices[c.key] = std::move(values);
                continue;
            }
            for (auto& [value, node] : in_.text_list(c, " in 'choices'" + where))
                values.push_back(value);
            if (c.value.IsSequence() && c.value.size() == 0)
                in_.problem(c.value, "the choices for " + quoted(c.key) + where + " are empty");
            a.choices[c.key] = std::move(values);
        }
    }

    void read_guards(const Entry& e, Action& a, const std::string& where) {
        if (!e.value.IsSequence()) {
            in_.problem(e.value.IsNull() ? e.key_node : e.value,
                        "'guards'" + where + " must be a list of {when, require, message}");
            return;
        }
        const std::string gwhere = " in a guard" + where;
        for (const YAML::Node& node : e.value) {
            if (!node.IsMap()) {
                in_.problem(node, "each guard" + where + " must be a map {when, require, message}");
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
                    in_.problem(require->value, "'require'" + gwhere + " lists no condition");
            } else if (!suggested.count("require")) {
                in_.problem(node, "guard" + where + " is missing required key 'require'");
            }
            if (const Entry* message = Loader::find(fields, "message")) {
                if (auto s = in_.text(*message, gwhere)) g.message = *s;
            } else if (!suggested.count("message")) {
                in_.problem(node, "guard" + where + " is missing required key 'message'");
            }
            a.guards.push_back(std::move(g));
        }
    }

    void read_sets(const Entry& e, Action& a, const std::string& where) {
        if (!e.value.IsMap()) {
            in_.problem(e.value.IsNull() ? e.key_node : e.value,
                        "'sets'" + where + " must be a map of field: value");
            return;
        }
        for (const Entry& s : in_.entries(e.value, {}, " in 'sets'" + where)) {
            if (!is_field_name(s.key)) {
                in_.problem(s.key_node, quoted(s.key) + " in 'sets'" + where + " is not a field name");
            } else if (is_counter(s.key)) {
                in_.problem(s.key_node,
                            quoted(s.key) + " in 'sets'" + where + " is a counter the case keeps");
            } else if (!s.value.IsScalar()) {
                in_.problem(s.value.IsNull() ? s.key_node : s.value,
                            "the value set for " + quoted(s.key) + where + " must be a plain value");
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
        return std::string(phase_name(s.phase)) + " (step " + s.id + ")";
    }

    // Each from-step x target pair against the lifecycle. One message per phase of from-step and target,
    // so `from: any` on a bad action does not repeat itself once per step.
    void check_moves() {
        for (std::size_t i = 0; i < wf_.actions.size(); ++i) {
            const Action& a = wf_.actions[i];
            const ActionNodes& at = nodes_[i];
            const std::string name = "action " + quoted(a.id);
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
                        in_.problem(at.from, name + " with effect " + quoted(effect_name(a.effect)) +
                                                 " would act on " + describe(*from) +
                                                 ", which is finished; only "
                                                 "open steps (intake, coordination, follow_up) allow it");
                    continue;
                }
                for (const auto& [to, mark] : targets) {
                    if (to == from && from->phase != Phase::Closed && from->phase != Phase::Rejected)
                        continue;
                    if (!said.emplace(static_cast<int>(from->phase), to->id).second) continue;
                    if (!event_for_move(from->phase, to->phase)) {
                        in_.problem(mark, name + " would move from " + describe(*from) + " to " +
                                              describe(*to) + ", which the lifecycle forbids");
                    } else if (must_keep_phase(a.effect) && from->phase != to->phase) {
                        in_.problem(mark, name + " has effect " + quoted(effect_name(a.effect)) +
                                              ", which must not change the phase, but would move from " +
                                              describe(*from) + " to " + describe(*to));
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
                in_.problem(s.mark, "step " + quoted(s.id) + " cannot be reached from the initial step " +
                                        quoted(wf_.steps[initial].id) + " by any action");
            if (is_open(s.phase) && !closed.empty() && !finishing[i])
                in_.problem(s.mark, "no sequence of actions leads from step " + quoted(s.id) +
                                        " to a closed step: cases there could never be finished");
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
    if (auto deep = too_deep(text)) {
        loader.problem(*deep, "nesting deeper than " + std::to_string(kMaxNesting) +
                                  " levels; a workflow file never needs that many");
        result.problems = loader.take_problems();
        for (WorkflowProblem& p : result.problems)
            p.mark = character_mark(text, p.mark);
        return result;
    }
    YAML::Node root;
    try {
        root = YAML::Load(text);
    } catch (const YAML::Exception& e) {
        loader.problem(mark_of(e.mark), "YAML syntax error: " + e.msg);
        result.problems = loader.take_problems();
        for (WorkflowProblem& p : result.problems)
            p.mark = character_mark(text, p.mark);
        return result;
    }
    Workflow wf;
    wf.source = text;
    try {
        if (root.IsNull()) {
            loader.problem(mark_of(root), blank(text) ? "the file is empty: a workflow needs category, name, "
                                                        "version, steps and actions"
                                                      : "the document holds no value: a workflow is a map of "
                                                        "category, name, version, steps and actions");
        } else if (!root.IsMap()) {
            loader.problem(root,
                           "the top level must be a map (category, name, version, steps, actions, ...)");
        } else {
            WorkflowReader(loader, wf, checks).read(root);
        }
    } catch (const YAML::Exception& e) {
        // The reader only asks nodes what they are before reading them, so this is a bug; still a problem,
        // never a crash.
        loader.problem(mark_of(e.mark), std::string("cannot read the workflow: ") + e.what());
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
