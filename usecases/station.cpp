// The station's use cases over the store (see station.h). Business decisions about one case are the
// engine's (runtime.h, case.h); the rules that need the station — who may act, repeat matching, case ids,
// the hash chain, the audits, verify — are here, once.
#include "usecases/station.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <tuple>

#include "engine/error.h"
#include "engine/names.h"
#include "engine/statutory.h"
#include "engine/text.h"
#include "engine/workflow_compiled.h"
#include "storage/open.h"
#include "usecases/hash_chain.h"
#include "usecases/texts.h"

namespace minsheng {

using nlohmann::json;

namespace {

// The case-id format: YYYY-NNNN, numbered per year of receipt.
std::string case_id_for(int year, std::int64_t number) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d-%04lld", year, static_cast<long long>(number));
    return buf;
}

// A phone number's digits: what --phone compares, whatever separators either side wrote.
std::string phone_digits(const std::string& phone) {
    std::string out;
    for (char ch : phone)
        if (ch >= '0' && ch <= '9') out += ch;
    return out;
}

// What a case can be found by (SPEC Part 2 "Finding cases"): its id, address and summary, and each
// reporter's name, phone (as written and as digits) and own account.
void index_for_search(Store& store, const CaseState& c) {
    std::string text = c.id + "\n" + c.address + "\n" + c.summary;
    std::vector<std::string> phones;
    for (const auto& r : c.reporters) {
        text += "\n" + r.name + " " + r.phone;
        const std::string digits = phone_digits(r.phone);
        if (!digits.empty()) {
            if (digits != r.phone) text += " " + digits;
            phones.push_back(digits);
        }
        if (!r.summary.empty()) text += "\n" + r.summary;
    }
    store.index_case_text(c.id, text, phones);
}

void require_supervisor(const StaffMember& who, const std::string& what) {
    if (who.role != Role::Supervisor)
        throw not_allowed("只有督办可以" + what + "；" + who.name + " 是协调员");
}

// What a calendar change is compared on, per case: each round's deadline, whether it is provisional, and the
// on-time verdict of a resolved round.
json rounds_summary(const std::vector<ClockRound>& rounds) {
    json out = json::array();
    for (const auto& r : rounds)
        out.push_back({{"start", format_date(r.start)},
                       {"deadline", r.deadline ? json(format_date(*r.deadline)) : json(nullptr)},
                       {"provisional", r.deadline_provisional},
                       {"on_time", r.on_time ? json(*r.on_time) : json(nullptr)}});
    return out;
}

}  // namespace

struct Station::Impl {
    std::unique_ptr<Store> store;
    // Caches, valid while the store's data_version is unchanged (another process may load a workflow
    // version or a calendar year meanwhile); within one process every write goes through here and resets
    // what it changes.
    std::int64_t cached_version = -1;
    std::optional<Calendar> calendar;
    std::map<std::pair<std::string, int>, Workflow>
        workflows;  // (category, version) never changes once loaded
    std::map<std::tuple<std::string, int, std::string>, std::string> labels;  // (category, version, step)

    void revalidate() {
        const std::int64_t v = store->data_version();
        if (v != cached_version) {
            calendar.reset();
            cached_version = v;
        }
    }

    // Appends `e` to the log in the current write: the next link of the chain.
    void append(Event& e, const std::string& recorded_at) {
        const LogEntry entry = chain_entry(store->log_head(), e, recorded_at);
        store->append(entry);
        e.seq = entry.seq;
        e.recorded_at = recorded_at;
    }

    // The cases the similar-address warning names for case `c` (see OpenCaseResult::similar). Only cases
    // whose key equals one of a few prefixes of c's key, or starts with c's key, are read: through the
    // address-key index, never a scan of every case.
    std::vector<std::string> similar_cases(const CaseState& c, Date on) {
        return similar_cases(c.id, c.address_key, c.category, on);
    }
    // The same for a case `id` (empty: one not opened yet) in `category` at address key `key`.
    std::vector<std::string> similar_cases(const std::string& id, const std::string& key,
                                           const std::string& category, Date on) {
        std::set<std::string> ids;
        const Date since = on - boost::gregorian::days(90);
        auto consider = [&](const CaseState& other) {
            if (other.id == id) return;
            const bool recent =
                other.phase == Phase::Closed && other.resolved_on && *other.resolved_on >= since;
            if (!is_open(other.phase) && !recent) return;
            const bool same = other.address_key == key;
            if ((same && other.category != category) ||
                (!same && similar_address_keys(other.address_key, key)))
                ids.insert(other.id);
        };
        store->scan_cases_at_address(key, true, consider);
        for (const auto& prefix : similar_address_prefixes(key))
            store->scan_cases_at_address(prefix, false, consider);
        return {ids.begin(), ids.end()};
    }

    // Repeat matching (SPEC `case open`): the oldest open case of `category` at address key `key` (ties by
    // id), which a report there joins.
    std::optional<std::string> repeat_target(const std::string& category, const std::string& key) {
        std::optional<std::pair<std::string, std::string>> best;  // (received_at, id)
        for (const auto& [id, at] : store->open_cases_at(category, key))
            if (!best || std::make_pair(at, id) < *best) best = std::make_pair(at, id);
        if (!best) return std::nullopt;
        return best->second;
    }

    // What every report taken in must be, whether it opens a case or joins one.
    static void require_report_text(const ReportInput& report) {
        // No field of megabytes enters the station (every later list and export would carry it).
        for (const auto& [value, what] : {std::pair{&report.address, "地址"},
                                          {&report.summary, "摘要"},
                                          {&report.reporter, "反映人"},
                                          {&report.phone, "电话"},
                                          {&report.channel, "渠道"}})
            require_field_size(*value, what);
        // One-line fields stay one line (a ledger cell or a terminal table cannot hold a line break or tab in
        // them, and an export must import again); only the summary may run over several lines.
        require_text(report.address, "地址");
        require_text(report.reporter, "反映人");
        require_text(report.phone, "电话");
        require_text(report.channel, "渠道");
        require_text(report.summary, "问题描述", true);
    }

    // Attaches a repeat report to case `id`, inside the current write. Returns the case as saved.
    CaseState attach_in_tx(const std::string& id, const ReportInput& report, const std::string& actor,
                           const std::string& now, const Calendar& cal) {
        require_report_text(report);
        CaseState s = *store->load_case(id);
        Event e = make_report_event(s, report, actor);
        append(e, now);
        apply_event(s, e, cal);
        store->save_case(s, false);
        index_for_search(*store, s);
        return s;
    }

    // Opens a case or attaches a repeat report, inside the current write (SPEC `case open`). `opening` is
    // asked for only when a new case is opened. Returns the case as saved.
    std::pair<OpenCaseResult, CaseState> open_in_tx(const std::string& category,
                                                    const std::function<WorkflowOpening()>& opening,
                                                    const ReportInput& report, bool force_new,
                                                    const std::string& actor, const std::string& now,
                                                    const Calendar& cal) {
        require_report_text(report);
        // normalize_address drops all white space, so the address needs no trim first.
        const std::string key = normalize_address(report.address);
        if (!force_new && !key.empty()) {
            if (const auto target = repeat_target(category, key))
                return {OpenCaseResult{*target, true, {}}, attach_in_tx(*target, report, actor, now, cal)};
        }
        Event e = make_open_event(opening(), "", report, actor);
        const int year = date_of(report.at).year();
        e.case_id = case_id_for(year, store->next_case_number(year));
        append(e, now);
        CaseState s;
        apply_event(s, e, cal);
        store->save_case(s, true);
        index_for_search(*store, s);
        return {OpenCaseResult{e.case_id, false, {}}, std::move(s)};
    }
};

void Station::create(const std::string& path, const InitOptions& options, const std::string& now) {
    if (trim(options.supervisor).empty())
        throw usage_error("新建数据库需要第一位督办：请加 --supervisor 姓名（或 --as 姓名）");
    StationSeed seed;
    seed.supervisor = {checked_name(options.supervisor, "the supervisor's name"), Role::Supervisor, ""};
    // Check everything before the station exists, so a bad workflow or calendar leaves nothing behind.
    for (const auto& f : options.workflows)
        seed.workflows.emplace_back(load_workflow_or_throw(f.text, f.name), f.name);
    if (seed.workflows.empty()) throw refused("没有可载入的流程文件");
    seed.calendar = parse_calendar_yaml(options.calendar.text, options.calendar.name);
    seed.calendar_source = options.calendar.name;
    seed.created_at = now;
    create_store(path, seed);
}

Station::Station(const std::string& path) : Station(open_store(path)) {}

Station::Station(std::unique_ptr<Store> store) : impl_(std::make_unique<Impl>()) {
    impl_->store = std::move(store);
    // Stations whose projection holds what an older version computed differently are rebuilt once.
    if (impl_->store->projection_needs_rebuild()) rebuild_projection();
}

Station::~Station() = default;

Store& Station::store() {
    return *impl_->store;
}

// ---------------------------------------------------------------------------------------------------------
// Staff

std::optional<StaffMember> Station::staff(const std::string& name) {
    std::optional<StaffMember> out;
    impl_->store->read([&] { out = impl_->store->staff(name); });
    return out;
}

StaffMember Station::require_staff(const std::string& name) {
    if (trim(name).empty())
        throw not_allowed(
            "没有指明经办人：请加 --as 姓名，或设置 MINSHENG_ACTOR（只有登记的工作人员可以办理）");
    auto m = staff(name);
    if (!m) throw not_allowed("未登记的经办人「" + name + "」：请督办用 minsheng staff add 登记");
    return *m;
}

void Station::add_staff(const std::string& actor, const StaffMember& member, const std::string& now) {
    const StaffMember who = require_staff(actor);
    if (who.role != Role::Supervisor) throw not_allowed("只有督办可以登记工作人员；" + actor + " 是协调员");
    const std::string name = checked_name(member.name, "工作人员姓名");
    require_text(member.department, "部门");
    impl_->store->write([&] {
        check_new_name(name, impl_->store->staff_names());
        impl_->store->add_staff({name, member.role, trim(member.department)}, now, actor);
        // Who may do what is part of the record (SPEC "Checkpoints"): the registration is an event of the
        // station's log (case id ""), and verify holds the staff table to it.
        Event e;
        e.action = "staff-add";
        e.at = now;
        e.actor = who.name;
        e.data = {{"name", name},
                  {"role", std::string(role_name(member.role))},
                  {"department", trim(member.department)}};
        impl_->append(e, now);
    });
}

// ---------------------------------------------------------------------------------------------------------
// Workflows

std::vector<WorkflowInfo> Station::workflows() {
    std::vector<WorkflowInfo> out;
    impl_->store->read([&] { out = impl_->store->workflows(); });
    return out;
}

std::vector<LoadedWorkflow> Station::load_workflows(const std::vector<SourceFile>& files,
                                                    const std::string& actor, const std::string& now) {
    require_supervisor(require_staff(actor), "载入工作流");
    std::vector<std::pair<Workflow, std::string>> parsed;
    for (const auto& f : files)
        parsed.emplace_back(load_workflow_or_throw(f.text, f.name), f.name);
    std::vector<LoadedWorkflow> out;
    impl_->store->write([&] {
        out.clear();
        for (const auto& [w, file] : parsed) {
            // A loaded version never changes: the cases opened under it are read by it.
            const auto existing = impl_->store->workflow(w.category, w.version);
            if (existing && existing->source != w.source)
                throw refused(file + "：" + texts::workflow_title(w.name, w.category, w.version) +
                              "已载入且内容不同；要载入修改，请把 version 加 1");
            if (!existing) impl_->store->put_workflow(w, file, now);
            out.push_back({w.category, w.name, w.version, existing.has_value()});
        }
    });
    return out;
}

std::string Station::known_categories(bool with_names) {
    std::string out;
    std::set<std::string> seen;
    for (const auto& w : workflows()) {
        if (!seen.insert(w.category).second) continue;  // workflows() lists every version
        out += (out.empty() ? "" : ", ") + w.category + (with_names ? " (" + w.name + ")" : "");
    }
    return out;
}

Error Station::unknown_category(const std::string& category) {
    return not_found("没有类别 " + category + " 的流程（已有类别：" + known_categories(true) + "）");
}

WorkflowOpening Station::opening(const std::string& category) {
    auto o = impl_->store->opening(category);
    if (!o) throw unknown_category(category);
    // Stations made before the column existed were filled by their migration; this guards a hand-edited row.
    if (o->initial_step.empty()) return opening_of(workflow(category, o->version));
    return *o;
}

const Workflow& Station::workflow(const std::string& category, std::optional<int> version) {
    if (version) {
        auto it = impl_->workflows.find(std::make_pair(category, *version));
        if (it != impl_->workflows.end()) return it->second;
    }
    std::optional<StoredWorkflow> stored;
    impl_->store->read([&] { stored = impl_->store->workflow(category, version); });
    if (!stored) throw unknown_category(category);
    auto key = std::make_pair(category, stored->version);
    auto it = impl_->workflows.find(key);
    if (it == impl_->workflows.end()) {
        // The compiled form when this minsheng can read it; the YAML, with the checks it passed when stored,
        // otherwise (a form of another format, or none).
        auto compiled = read_compiled_workflow(stored->compiled, stored->source);
        it = impl_->workflows
                 .emplace(key, compiled ? std::move(*compiled)
                                        : load_workflow_or_throw(stored->source, stored->file,
                                                                 WorkflowChecks::Stored))
                 .first;
    }
    return it->second;
}

std::string Station::workflow_label(const CaseState& c) {
    // A loaded workflow version never changes, so neither do its labels: each step's is looked up once (a
    // list of a million cases asks a handful of times).
    auto key = std::make_tuple(c.category, c.workflow_version, c.step);
    if (auto it = impl_->labels.find(key); it != impl_->labels.end()) return it->second;
    std::string label = lookup_label(c);
    if (impl_->labels.size() < 4096) impl_->labels.emplace(std::move(key), label);
    return label;
}

std::string Station::lookup_label(const CaseState& c) {
    // A workflow parsed already answers; else the stored label does, without parsing the workflow's YAML.
    auto parsed = impl_->workflows.find(std::make_pair(c.category, c.workflow_version));
    if (parsed == impl_->workflows.end()) {
        std::optional<std::string> label;
        impl_->store->read([&] { label = impl_->store->step_label(c.category, c.workflow_version, c.step); });
        if (label) return *label;
    }
    const Workflow& w = workflow(c.category, c.workflow_version);
    const Step* st = w.find_step(c.step);
    return st ? st->label : c.step;
}

// ---------------------------------------------------------------------------------------------------------
// The calendar

const Calendar& Station::calendar() {
    impl_->revalidate();
    if (!impl_->calendar) {
        std::vector<CalendarYear> data;
        impl_->store->read([&] { data = impl_->store->calendar_data(); });
        impl_->calendar.emplace(std::move(data));
    }
    return *impl_->calendar;
}

std::vector<CalendarYearInfo> Station::calendar_years() {
    std::vector<CalendarYearInfo> out;
    impl_->store->read([&] { out = impl_->store->calendar_years(); });
    return out;
}

CalendarChange Station::load_calendar(const SourceFile& file, const std::string& actor, const std::string& at,
                                      const std::string& now) {
    require_supervisor(require_staff(actor), "载入工作日历");
    const auto years = parse_calendar_yaml(file.text, file.name);
    return change_calendar(years, file.name, actor, at, now);
}

CalendarChange Station::make_provisional(int year, const SourceFile& anchors, const std::string& actor,
                                         const std::string& at, const std::string& now) {
    require_supervisor(require_staff(actor), "设定暂定日历");
    const auto all = parse_statutory_anchors(anchors.text, anchors.name);
    auto it = all.find(year);
    if (it == all.end()) {
        const std::string range = all.empty() ? std::string("没有任何年份")
                                              : std::to_string(all.begin()->first) + "–" +
                                                    std::to_string(all.rbegin()->first) + " 年";
        throw refused("法定节假日的农历和清明日期（" + anchors.name + "）只有 " + range + "，无法推算 " +
                      std::to_string(year) + " 年；请载入该年的放假通知（minsheng calendar load FILE）");
    }
    if (calendar().covers(year)) {
        throw refused(
            std::to_string(year) + " 年" +
            (calendar().is_provisional(year) ? "已是暂定日历" : "已载入正式放假安排，不能改为暂定") +
            "；`minsheng calendar list` 列出各年的来源");
    }
    return change_calendar({provisional_year(year, it->second)}, "provisional", actor, at, now);
}

CalendarChange Station::change_calendar(const std::vector<CalendarYear>& years, const std::string& source,
                                        const std::string& actor, const std::string& at,
                                        const std::string& now) {
    CalendarChange change;
    int first_year = 9999;
    for (const auto& y : years) {
        change.years.push_back(y.year);
        first_year = std::min(first_year, y.year);
    }
    Store& store = *impl_->store;
    store.write([&] {
        change.replaced_provisional.clear();
        change.cases_changed = 0;
        const Calendar before(store.calendar_data());
        for (const auto& y : years)
            if (!y.provisional && before.is_provisional(y.year))
                change.replaced_provisional.push_back(y.year);
        store.put_calendar(years, source, now);
        const Calendar after(store.calendar_data());

        // The load itself, in the station's own part of the log (case id "").
        Event load;
        const bool provisional = years.size() == 1 && years.front().provisional;
        load.action = provisional ? "calendar-provisional" : "calendar-load";
        load.at = at;
        load.actor = actor;
        load.data = {{"years", change.years}, {"source", source}};
        if (!change.replaced_provisional.empty())
            load.data["replaced_provisional"] = change.replaced_provisional;
        if (provisional) {
            json days = json::array();
            for (const auto& [d, name] : years.front().holidays)
                days.push_back({format_date(d), name});
            load.data["holidays"] = days;
        }
        impl_->append(load, now);

        // Only a case whose clock reaches into a loaded year can change: its stored deadline is unknown or
        // lies in or after the first of them.
        store.for_ids_deadline_from(std::to_string(first_year) + "-01-01", [&](const std::string& id) {
            const CaseState old = *store.load_case(id);
            CaseState now_state = replay(store.case_events(id), after);
            const json was = rounds_summary(clock_rounds(old, before));
            const json is = rounds_summary(clock_rounds(now_state, after));
            if (was != is) {
                Event e;
                e.case_id = id;
                e.action = "recompute";
                e.at = at;
                e.actor = actor;
                e.data = {{"years", change.years}, {"source", source}, {"before", was}, {"after", is}};
                impl_->append(e, now);
                apply_event(now_state, e, after);
                ++change.cases_changed;
            }
            store.save_case(now_state, false);
        });
    });
    impl_->calendar.reset();
    store.settle();
    return change;
}

// ---------------------------------------------------------------------------------------------------------
// Cases

std::string Station::resolve_category(const std::string& given, ErrorKind unknown) {
    std::vector<Nameable> things;
    std::set<std::string> seen;
    for (const auto& w : workflows()) {
        if (!seen.insert(w.category).second) continue;  // workflows() lists every version
        things.push_back({w.category, w.name, {w.name}});
    }
    return resolve_name("类别", given, things, unknown);
}

std::vector<Action> Station::next_actions(const std::string& id, const std::string& actor, Date today) {
    const StaffMember who = require_staff(actor);
    const CaseState c = get_case(id);
    const Workflow& w = workflow(c.category, c.workflow_version);
    std::vector<Action> out;
    for (const Action* a : possible_actions(w, c, who.role, calendar(), today))
        out.push_back(*a);
    return out;
}

OpenCaseResult Station::open_case(const std::string& given_category, const ReportInput& report,
                                  bool force_new, const std::string& actor, const std::string& now) {
    require_staff(actor);
    const std::string category = resolve_category(given_category);
    const Calendar& cal = calendar();
    const std::function<WorkflowOpening()> opening_of_category = [&] { return opening(category); };
    OpenCaseResult result;
    impl_->store->write([&] {
        auto [r, c] = impl_->open_in_tx(category, opening_of_category, report, force_new, actor, now, cal);
        result = std::move(r);
        result.similar = impl_->similar_cases(c, date_of(report.at));
    });
    return result;
}

OpenCaseResult Station::preview_report(const std::string& given_category, const std::string& address, Date on,
                                       const std::string& actor) {
    require_staff(actor);
    const std::string category = trim(given_category).empty() ? "" : resolve_category(given_category);
    const std::string key = normalize_address(address);
    OpenCaseResult result;
    if (key.empty()) return result;
    impl_->store->read([&] {
        result = {};
        if (!category.empty())
            if (const auto target = impl_->repeat_target(category, key)) {
                result.id = *target;
                result.repeat = true;
            }
        result.similar = impl_->similar_cases(result.id, key, category, on);
    });
    return result;
}

ImportResult Station::import_reports(const std::string& source, const std::function<bool(ImportRow&)>& next,
                                     const std::string& actor, const std::string& now, bool dry_run,
                                     const std::function<void(const ImportPlan&)>& plan) {
    const StaffMember who = require_staff(actor);
    const Calendar& cal = calendar();
    Store& store = *impl_->store;
    store.bulk_mode(true);
    struct BulkBack {
        Store& store;
        ~BulkBack() { store.bulk_mode(false); }
    } bulk_back{store};
    // Each row's category, given by id or name (SPEC's names, as on `case open`), resolved to the id once per
    // distinct spelling; an unknown one refuses that row (exit 3), naming the categories that exist.
    std::map<std::string, std::string> resolved;
    auto category_for = [&](const std::string& given) -> const std::string& {
        auto it = resolved.find(given);
        if (it != resolved.end()) return it->second;
        return resolved.emplace(given, resolve_category(given, ErrorKind::Refused)).first->second;
    };
    std::map<std::string, WorkflowOpening> by_category;  // read once per category
    std::string current;
    const std::function<WorkflowOpening()> opening_of_current = [&] {
        auto it = by_category.find(current);
        if (it == by_category.end()) it = by_category.emplace(current, opening(current)).first;
        return it->second;
    };

    struct DryRun {};
    ImportResult result;
    ImportRow row;
    bool started = false;
    try {
        store.write([&] {
            // The rows are read once: the body cannot be run again after a lock conflict (which, with BEGIN
            // IMMEDIATE, only the BEGIN itself meets).
            if (started)
                throw storage_error("导入中途遇到另一个写入者占用数据库；未写入任何内容，请重新运行");
            started = true;
            while (next(row)) {
                auto bad = [&](const std::string& why, ImportHint hint = ImportHint::None) {
                    if (result.problems.size() < kMaxImportProblems)
                        result.problems.push_back(
                            {source + ":" + std::to_string(row.line) + ": " + why, hint});
                    ++result.problem_count;
                };
                if (!row.problem.empty()) {
                    bad(row.problem, row.hint);
                    continue;
                }
                try {
                    current = category_for(row.category);
                    const auto [r, s] = impl_->open_in_tx(current, opening_of_current, row.report,
                                                          row.own_case, actor, now, cal);
                    ++result.rows;
                    if (r.repeat) {
                        ++result.repeats;
                    } else {
                        ++result.cases;
                        if (!s.deadline && result.without_deadline++ == 0)
                            result.deadline_problem = s.deadline_problem;
                    }
                    if (!row.note.empty()) {
                        require_field_size(row.note, "备注");
                        // 备注 is a note on the case at the report's time, as `case do ID note` would log it.
                        ActionRequest note;
                        note.action = "note";
                        note.note = row.note;
                        note.at = row.report.at;
                        note.actor = actor;
                        note.role = who.role;
                        note.latest_at = row.report.latest_at;
                        CaseState c = *store.load_case(r.id);
                        Event e = decide_action(workflow(c.category, c.workflow_version), c, note, cal);
                        impl_->append(e, now);
                        apply_event(c, e, cal);
                        store.save_case(c, false);
                    }
                    for (ReportInput other : row.others) {
                        // The ledger's further reporters join this row's case, whatever its address says.
                        other.address = row.report.address;
                        other.summary = row.report.summary;
                        other.latest_at = row.report.latest_at;
                        impl_->attach_in_tx(r.id, other, actor, now, cal);
                    }
                    if (plan) plan(ImportPlan{row.line, r.id, r.repeat});
                } catch (const Error& e) {
                    if (e.kind() == ErrorKind::Storage)
                        throw Error(ErrorKind::Storage,
                                    source + ":" + std::to_string(row.line) + ": " + e.what());
                    // The rule's sentence: the row's user typed no flag (a future 受理时间 is not `--at`).
                    bad(e.message());
                }
            }
            if (result.problem_count > 0 || dry_run) throw DryRun{};
        });
    } catch (const DryRun&) {
        // Rolled back: the counts (or the problems) stand, nothing was written.
        return result;
    }
    store.settle();
    return result;
}

void Station::batch(const std::function<void()>& body) {
    impl_->store->write(body);
    impl_->store->settle();
}

Event Station::do_action(const std::string& id, ActionRequest request, const std::string& default_at,
                         const std::string& now) {
    const StaffMember who = require_staff(request.actor);
    request.role = who.role;
    require_field_size(request.note, "备注");
    for (const auto& [key, value] : request.sets) {
        require_field_size(key, "字段名");
        require_field_size(value, key.size() <= 64 ? "字段 " + key + " 的内容" : std::string("字段内容"));
    }
    for (const auto& d : request.departments) {
        require_field_size(d, "部门名称");
        require_text(d, "部门");
    }
    const Calendar& cal = calendar();
    Event out;
    impl_->store->write([&] {
        auto state = impl_->store->load_case(id);
        if (!state) throw not_found("没有案件 " + id).with_cli_hint("；minsheng case list 可列出案件");
        ActionRequest r = request;
        if (r.at.empty()) {
            r.at = default_at;
            // "Now" never lies before what is already logged for the same day.
            if (r.at < state->last_event_at && r.at.substr(0, 10) == state->last_event_at.substr(0, 10))
                r.at = state->last_event_at;
        }
        const Workflow& w = workflow(state->category, state->workflow_version);
        // What is possible now, named in every refusal so the user sees what to do instead.
        // The command line names each with its id and how to see its inputs; the web, the labels only.
        auto refused_naming_possible = [&](const Error& refusal) {
            std::string names, labels;
            for (const Action* a : possible_actions(w, *state, r.role, cal, date_of(r.at))) {
                names += (names.empty() ? "" : "、") + a->label + "（" + a->id + "）";
                labels += (labels.empty() ? "" : "、") + a->label;
            }
            if (names.empty())
                return Error(ErrorKind::Refused, refusal.message() + "；此案现在没有可做的动作")
                    .with_cli_text(refusal.what() + std::string("；此案现在没有可做的动作"));
            return Error(ErrorKind::Refused, refusal.message() + "；现在可做：" + labels)
                .with_cli_text(refusal.what() + ("；现在可做：" + names + "（minsheng case do " + state->id +
                                                 " 查看所需输入）"));
        };
        Event e;
        try {
            // The built-in corrections (every workflow) are named by id; the workflow's actions also by
            // label.
            if (r.action != "revoke" && r.action != "merge" && r.action != "correct") {
                const Action& a = resolve_action(w, r.action);
                r.action = a.id;
                for (auto& [field, value] : r.sets)
                    value = resolve_choice(a, field, value);
            }
            if (r.action == "revoke") {
                // The case as it was before the cancelled action: its events replayed without it.
                e = decide_revoke(*state, impl_->store->case_events(id), r);
                impl_->append(e, now);
                const CaseState before = replay(impl_->store->case_events(id), cal);
                impl_->store->save_case(before, false);
                index_for_search(*impl_->store, before);
                out = std::move(e);
                return;
            }
            if (r.action == "merge") {
                auto into = impl_->store->load_case(r.into);
                if (!into)
                    throw not_found("没有案件 " + r.into)
                        .with_cli_text("没有案件 " + r.into + "（--into）；`minsheng case list` 列出案件");
                auto [gone, joined] = decide_merge(*state, *into, r);
                impl_->append(gone, now);
                apply_event(*state, gone, cal);
                impl_->store->save_case(*state, false);
                index_for_search(*impl_->store, *state);
                impl_->append(joined, now);
                apply_event(*into, joined, cal);
                impl_->store->save_case(*into, false);
                index_for_search(*impl_->store, *into);
                out = std::move(gone);
                return;
            }
            if (r.action == "correct") {
                // The category by its id or its name (SPEC Part 2), stored as the id.
                std::optional<WorkflowOpening> category;
                for (auto& [k, v] : r.sets)
                    if (k == "category") {
                        v = resolve_category(trim(v));
                        category = opening(v);
                    }
                e = decide_correct(*state, r, category);
            } else {
                e = decide_action(w, *state, r, cal);
            }
        } catch (const Error& refusal) {
            if (refusal.kind() != ErrorKind::Refused) throw;
            throw refused_naming_possible(refusal);
        }
        impl_->append(e, now);
        apply_event(*state, e, cal);
        impl_->store->save_case(*state, false);
        // Only a correction changes what a case is found by (address, reporter, phone, summary).
        if (r.action == "correct") index_for_search(*impl_->store, *state);
        out = std::move(e);
    });
    return out;
}

CaseState Station::get_case(const std::string& id) {
    std::optional<CaseState> s;
    impl_->store->read([&] { s = impl_->store->load_case(id); });
    if (!s) throw not_found("没有案件 " + id).with_cli_hint("；minsheng case list 可列出案件");
    return *s;
}

std::vector<Event> Station::history(const std::string& id) {
    std::optional<CaseState> s;
    std::vector<Event> events;
    impl_->store->read([&] {
        s = impl_->store->load_case(id);
        if (s) events = impl_->store->case_events(id);
    });
    if (!s) throw not_found("没有案件 " + id).with_cli_hint("；minsheng case list 可列出案件");
    mark_revoked(events);
    return events;
}

namespace {

CaseQuery query_of(const CaseFilter& f) {
    CaseQuery q;
    if (f.phase) q.phase = std::string(phase_name(*f.phase));
    q.category = f.category;
    q.department = f.department;
    // The reporter's name is looked up in the search text, then checked against the reporters themselves.
    if (f.search)
        q.text = trim(*f.search);
    else if (f.reporter)
        q.text = trim(*f.reporter);
    if (f.reporter) q.reporter = trim(*f.reporter);
    if (f.phone) q.phone_digits = phone_digits(*f.phone);
    q.actor = f.actor;
    q.typical_only = f.typical_only;
    if (f.received_from) q.received_from = format_date(*f.received_from);
    if (f.received_to) q.received_to = format_date(*f.received_to);
    return q;
}

}  // namespace

CaseFilter Station::checked_filter(const CaseFilter& given) {
    CaseFilter filter = given;
    if (filter.category) filter.category = resolve_category(*filter.category);
    if (filter.search && trim(*filter.search).empty()) throw usage_error("--search 需要要找的文字");
    if (filter.reporter && trim(*filter.reporter).empty()) throw usage_error("--reporter 需要反映人姓名");
    if (filter.phone && phone_digits(*filter.phone).empty())
        throw usage_error("--phone 需要电话号码的数字（分隔符可有可无）");
    if (filter.received_from && filter.received_to && *filter.received_to < *filter.received_from)
        throw usage_error("--to " + format_date(*filter.received_to) + " 早于 --from " +
                          format_date(*filter.received_from));
    return filter;
}

void Station::refuse_incomplete_clocks(const CaseFilter& filter, Date today) {
    const Calendar& cal = calendar();
    for_possibly_incomplete_clocks(query_of(filter), today, [&](const CaseState& c) {
        const ClockView v = clock_at(c, today, cal);
        if (filter.overdue_only && !v.undecidable && !(v.overdue && !v.complete())) return;
        if (v.undecidable) throw refused("案件 " + c.id + "：" + v.problem);
        require_complete_clock(c, v);
    });
}

void Station::list_cases(const CaseFilter& given, Date today,
                         const std::function<void(const CaseState&, const ClockView&)>& each) {
    const CaseFilter filter = checked_filter(given);
    const Calendar& cal = calendar();
    refuse_incomplete_clocks(filter, today);
    CaseQuery q = query_of(filter);
    // The overdue filter reads only running cases past their stored deadline (or suspended) by the index.
    if (filter.overdue_only) q.deadline_before = format_date(today);
    impl_->store->scan_cases(q, [&](const CaseState& c) {
        const ClockView v = clock_at(c, today, cal);
        if (filter.overdue_only && !v.overdue) return;
        each(c, v);
    });
}

Station::Page Station::list_page(const CaseFilter& given, Date today, std::int64_t limit,
                                 std::int64_t offset) {
    const CaseFilter filter = checked_filter(given);
    const Calendar& cal = calendar();
    Store& store = *impl_->store;
    Page page;
    store.read([&] {
        page = Page{};  // afresh if the read is retried
        refuse_incomplete_clocks(filter, today);
        CaseQuery q = query_of(filter);
        if (!filter.overdue_only) {
            page.total = store.count_cases(q);
            q.limit = limit;
            q.offset = offset;
            store.scan_cases(
                q, [&](const CaseState& c) { page.cases.emplace_back(c, clock_at(c, today, cal)); });
            return;
        }
        q.deadline_before = format_date(today);
        store.scan_cases(q, [&](const CaseState& c) {
            const ClockView v = clock_at(c, today, cal);
            if (!v.overdue) return;
            if (page.total >= offset && page.total < offset + limit) page.cases.emplace_back(c, v);
            ++page.total;
        });
    });
    return page;
}

void Station::set_lock_wait(std::chrono::milliseconds wait) {
    impl_->store->set_lock_wait(wait);
}

namespace {

// How an overdue case sorts in the audit (most overdue first, then earliest deadline, earliest receipt, id),
// packed small: the audit holds one per overdue case, never the case itself.
struct OverdueKey {
    int days_overdue = 0;
    Date deadline;
    std::int64_t received = 0;  // the receipt timestamp's digits, which sort as the timestamp does
    std::string id;             // a case id fits the string's own buffer: no allocation

    bool operator<(const OverdueKey& o) const {
        if (days_overdue != o.days_overdue) return days_overdue > o.days_overdue;
        if (deadline != o.deadline) return deadline < o.deadline;
        if (received != o.received) return received < o.received;
        return id < o.id;
    }
};

std::int64_t timestamp_digits(const std::string& ts) {
    std::int64_t n = 0;
    int digits = 0;
    for (char ch : ts) {
        if (ch < '0' || ch > '9') continue;
        n = n * 10 + (ch - '0');
        if (++digits == 14) break;
    }
    for (; digits < 14; ++digits)
        n *= 10;
    return n;
}

}  // namespace

void Station::snapshot(const std::function<void()>& body) {
    impl_->store->read(body);
}

void Station::overdue_as_of(Date as_of, const std::function<void(std::size_t)>& count,
                            const std::function<void(const CaseState&, const ClockView&)>& each) {
    const Calendar& cal = calendar();
    Store& store = *impl_->store;
    const std::string day = format_date(as_of);
    // Every timestamp of the day sorts before this bound ('T' < 'U'): no date arithmetic, so 9999-12-31
    // works.
    const std::string next = day + "U";
    // The case as it stood at the end of the day: its projection, unless something was logged after the day
    // (then replayed from its events up to it).
    auto as_it_stood = [&](CaseState s) -> std::optional<CaseState> {
        if (s.last_event_at < next) return s;
        auto events = store.case_events(s.id, next);
        if (events.empty()) return std::nullopt;  // received after the day
        return replay(events, cal);
    };
    auto verdict = [&](const CaseState& s) {
        ClockView v = clock_at(s, as_of, cal);
        // SPEC rule 6: whether it is overdue depends on a year the calendar lacks; never answer "not
        // overdue".
        if (v.undecidable || (v.overdue && !v.complete())) throw refused("案件 " + s.id + "：" + v.problem);
        return v;
    };
    // One snapshot for both passes: a case that changes between them must not be listed twice or missed.
    store.read([&] {
        std::vector<OverdueKey> keys;
        auto consider = [&](const CaseState& s) {
            const ClockView v = verdict(s);
            if (v.overdue)
                keys.push_back({v.working_days_overdue, *v.deadline, timestamp_digits(s.received_at), s.id});
        };
        // Cases with nothing logged after the day: their projection is how they stood then. Only running
        // cases past their deadline (or suspended, whose deadline moves, or without a known deadline) are
        // read, through the deadline index.
        CaseQuery q;
        q.deadline_before = day;
        q.or_unknown = true;
        q.last_event_before = next;
        store.scan_cases(q, consider);
        // Cases that changed after the day, found by their last event's time: replay their events up to the
        // end of it.
        store.scan_ids_changed_since(next, [&](const std::string& id) {
            auto events = store.case_events(id, next);
            if (!events.empty()) consider(replay(events, cal));
        });
        std::sort(keys.begin(), keys.end());
        count(keys.size());
        for (const auto& k : keys) {
            auto now = store.load_case(k.id);
            if (!now) throw storage_error("读取时案件 " + k.id + " 消失了（另一进程在写入？请重试）");
            auto s = as_it_stood(std::move(*now));
            if (!s) throw storage_error("读取时案件 " + k.id + " 消失了（另一进程在写入？请重试）");
            each(*s, verdict(*s));
        }
    });
}

std::vector<std::pair<CaseState, ClockView>> Station::overdue_as_of(Date as_of) {
    std::vector<std::pair<CaseState, ClockView>> out;
    overdue_as_of(
        as_of, [&](std::size_t n) { out.clear(), out.reserve(n); },
        [&](const CaseState& c, const ClockView& v) { out.emplace_back(c, v); });
    return out;
}

void Station::for_possibly_incomplete_clocks(const CaseQuery& base, Date today,
                                             const std::function<void(const CaseState&)>& each) {
    // Only the cases whose clock can be incomplete are read: those whose stored deadline is unknown and, when
    // today's year or one before it is missing, those whose clock still runs.
    const Calendar& cal = calendar();
    CaseQuery q = base;
    q.unknown_deadline_only = true;
    impl_->store->scan_cases(q, each);
    const auto years = cal.years();
    if (years.empty() || !cal.covers_years(years.front(), today.year())) {
        q = base;
        q.running_only = true;
        impl_->store->scan_cases(q, each);
    }
}

void Station::due_soon(Date today, int within,
                       const std::function<void(const CaseState&, const ClockView&)>& each) {
    const Calendar& cal = calendar();
    Store& store = *impl_->store;
    // Fewest days left first, in the order the cases were read (a stable sort): the key holds that order.
    std::vector<std::tuple<int, std::size_t, std::string>> keys;
    auto consider = [&](const CaseState& c) {
        if (c.suspended) return;  // its clock stands still
        const ClockView v = clock_at(c, today, cal);
        require_complete_clock(c, v);  // days left unknown: never left out silently
        if (v.deadline && !v.overdue && v.working_days_left <= within)
            keys.emplace_back(v.working_days_left, keys.size(), c.id);
    };
    store.read([&] {
        keys.clear();
        // A running case is due soon when its deadline is at most `within` working days after today: read
        // the deadline index up to that day, after the cases whose clock may be incomplete (refused rather
        // than left out).
        CaseQuery running;
        running.running_only = true;
        for_possibly_incomplete_clocks(running, today, consider);
        CaseQuery q;
        q.running_only = true;
        // From today: a case whose deadline has passed is overdue, not due soon (at 100k cases the overdue
        // ones were most of what this read).
        q.deadline_from = format_date(today);
        try {
            q.deadline_until = format_date(cal.add_working_days(today, within));
        } catch (const Error&) {
            // The window runs into a year the calendar lacks: read every running case (those with a
            // deadline are then all known, the others were refused above).
        }
        store.scan_cases(q, consider);
        std::sort(keys.begin(), keys.end());
        for (const auto& [days, order, id] : keys) {
            auto c = store.load_case(id);
            if (!c) throw storage_error("读取时案件 " + id + " 消失了（另一进程在写入？请重试）");
            each(*c, clock_at(*c, today, cal));
        }
    });
}

std::vector<std::pair<CaseState, ClockView>> Station::due_soon(Date today, int within) {
    std::vector<std::pair<CaseState, ClockView>> rows;
    due_soon(today, within, [&](const CaseState& c, const ClockView& v) { rows.emplace_back(c, v); });
    return rows;
}

// ---------------------------------------------------------------------------------------------------------
// Integrity

VerifyResult Station::verify() {
    VerifyResult r;
    Store& store = *impl_->store;
    const Calendar& cal = calendar();
    // A bad event is named for people: its case and its action's label — the words for the events no
    // workflow defines (the station's own, 添加人员 and 设置密码, have no case), else its label in the
    // station's workflows (the last version listed that defines it), else its id (a workflow that no longer
    // reads). Looked up only for the event a problem is found at, not on every verify.
    auto workflow_label = [this](const std::string& action) {
        std::optional<std::string> label;
        try {
            for (const WorkflowInfo& info : workflows()) {
                try {
                    if (const Action* a = workflow(info.category, info.version).find_action(action))
                        label = a->label;
                } catch (const Error&) {
                }
            }
        } catch (const Error&) {  // a damaged station: the problem itself says what is wrong
        }
        return label;
    };
    auto named = [&workflow_label](const LogEntry& e) {
        std::optional<std::string> label = texts::builtin_event_label(e.action);
        if (!label) label = workflow_label(e.action);
        return "事件 " + std::to_string(e.seq) + "（" +
               (e.case_id.empty() ? "" : "案件 " + e.case_id + "，") + label.value_or(e.action) + "）";
    };
    // One snapshot of the whole check: a write landing between reading the log and its head record would
    // otherwise look like a deleted or added event.
    store.read([&] {
        r = VerifyResult{};
        if (const std::string damage = store.damage(); !damage.empty()) {
            r.ok = false;
            r.problem = damage;
            return;
        }
        std::string prev = kGenesisHash;
        std::int64_t expect = 1;
        bool stop = false;
        // Each registration the log holds (a handful per station), for the staff table's check below.
        std::map<std::string, StaffMember> registered;
        store.scan_log([&](const LogEntry& e) {
            if (stop) return;
            auto bad = [&](const std::string& what) {
                r.ok = false;
                r.problem = what;
                stop = true;
            };
            if (e.seq != expect)
                return bad("事件 " + std::to_string(expect) + " 缺失：日志从事件 " +
                           std::to_string(expect - 1) + " 直接跳到事件 " + std::to_string(e.seq) +
                           "；请从备份恢复");
            if (e.prev_hash != prev)
                return bad(named(e) +
                           " 与前一条事件接不上：前序哈希不符（有事件被插入或调换了顺序）；请从备份恢复");
            if (event_hash(prev, e.seq, e.case_id, e.action, e.at, e.actor, e.recorded_at, e.data) != e.hash)
                return bad(named(e) + " 被改动过：内容与其哈希不符；请从备份恢复");
            prev = e.hash;
            ++expect;
            ++r.events;
            if (e.action == "staff-add" && e.case_id.empty()) {
                const json d = json::parse(e.data, nullptr, false);
                if (d.is_object()) {
                    const std::string name = d.value("name", "");
                    registered[name] = {name, role_from_name(d.value("role", "")).value_or(Role::Coordinator),
                                        d.value("department", "")};
                }
            }
        });
        if (stop) return;
        // A role or department edited behind the program's back no longer matches its registration.
        for (const auto& [name, as_registered] : registered) {
            const std::optional<StaffMember> now = store.staff(name);
            if (!now || now->role != as_registered.role || now->department != as_registered.department) {
                r.ok = false;
                r.problem = "工作人员 " + name + " 的" +
                            (now ? "角色或部门与其登记记录不符（被绕过程序改动过）"
                                 : "登记记录在，本人却不在人员表中") +
                            "；请从备份恢复";
                return;
            }
        }
        // The head record (last event written by minsheng, seq:hash) tells a deleted end from an added one.
        const std::int64_t last = expect - 1;
        const std::optional<std::string> head = store.recorded_head();
        if (!head) {
            if (r.events > 0) {
                r.ok = false;
                r.problem = "最后写入事件的记录（meta 'head'）缺失，日志末尾（事件 " + std::to_string(last) +
                            "）无法证明完整；请从备份恢复";
            }
        } else if (*head != head_record(LogHead{last, prev})) {
            const auto colon = head->find(':');
            std::int64_t head_seq = -1;
            try {
                head_seq = colon == std::string::npos ? -1 : std::stoll(head->substr(0, colon));
            } catch (const std::exception&) {
                head_seq = -1;
            }
            r.ok = false;
            if (head_seq > last) {
                r.problem = "事件 " + std::to_string(last + 1) + " 缺失：日志止于事件 " +
                            std::to_string(last) + "，而最后写入的是事件 " + std::to_string(head_seq) +
                            "；末尾的事件被删除了，请从备份恢复";
            } else if (head_seq >= 0 && head_seq < last) {
                std::string what = "事件 " + std::to_string(head_seq + 1);
                if (auto added = store.log_entry(head_seq + 1))
                    what += "（案件 " + added->case_id + "，" + added->action + "）";
                r.problem = what + " 是绕过程序加进来的：minsheng 最后写入的是事件 " +
                            std::to_string(head_seq) + "，日志却延续到事件 " + std::to_string(last) +
                            "；请从备份恢复";
            } else if (head_seq == last) {
                r.problem =
                    "事件 " + std::to_string(last) + " 被替换过：其哈希与写入时记录的不同；请从备份恢复";
            } else {
                r.problem = "最后写入事件的记录（meta 'head'）被改动过；请从备份恢复";
            }
            return;
        }
        // The projection must equal a replay of the events: the stored state (read back the way every
        // command reads it) and the columns the queries filter on, which a hand edit could change alone (a
        // case's phase set to closed would hide it from the overdue audit).
        store.scan_projection([&](const ProjectionRow& row) {
            if (stop) return;
            ++r.cases;
            const CaseState replayed = replay(store.case_events(row.id), cal);
            bool same = row.state && state_to_json(*row.state) == state_to_json(replayed);
            const std::optional<std::string> deadline =
                replayed.deadline ? std::optional<std::string>(format_date(*replayed.deadline))
                                  : std::nullopt;
            same = same && row.category == replayed.category && row.phase == phase_name(replayed.phase) &&
                   row.step == replayed.step && row.suspended == replayed.suspended &&
                   row.address_key == replayed.address_key && row.received_at == replayed.received_at &&
                   row.deadline == deadline && row.typical == replayed.typical &&
                   row.last_event_at == replayed.last_event_at && row.index_keys_ok;
            if (same) {
                std::vector<std::string> listed = row.departments, expected = replayed.departments();
                std::sort(listed.begin(), listed.end());
                std::sort(expected.begin(), expected.end());
                same = listed == expected;
            }
            if (!same) {
                r.ok = false;
                r.problem = "案件 " + row.id + " 的当前状态与其事件记录不符；请从备份恢复";
                stop = true;
            }
        });
        if (stop) return;
        if (const std::int64_t missing = store.cases_missing_from_projection(); missing > 0) {
            r.ok = false;
            r.problem = "日志中有 " + std::to_string(missing) + " 件案件不在当前状态表中；请从备份恢复";
        }
    });
    return r;
}

void Station::rebuild_projection() {
    Store& store = *impl_->store;
    const Calendar& cal = calendar();
    store.write([&] {
        store.clear_cases();
        // One case's events at a time (they come grouped by case), replayed so that a revoke is undone.
        std::vector<Event> events;
        auto flush = [&] {
            if (events.empty()) return;
            const CaseState c = replay(events, cal);
            store.save_case(c, true);
            index_for_search(store, c);
            events.clear();
        };
        store.scan_case_events([&](const Event& e) {
            if (!events.empty() && e.case_id != events.front().case_id) flush();
            events.push_back(e);
        });
        flush();
    });
}

}  // namespace minsheng
