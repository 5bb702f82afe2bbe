// The year's statistics: each figure as the cases stood at the end of the year, and its definition (see
// annual.h).
#include "engine/annual.h"

#include <algorithm>
#include <cmath>

#include "engine/error.h"
#include "engine/masking.h"
#include "engine/outcome.h"

namespace minsheng::report {

using nlohmann::json;

namespace {

double round4(double v) {
    return std::round(v * 10000.0) / 10000.0;
}

std::string no_numbers(const std::string& text) {
    static const Masker numbers_only;
    return numbers_only(text);
}

}  // namespace

AnnualAccumulator::AnnualAccumulator(int year, const Calendar& cal) : cal_(cal) {
    if (year < 1900 || year > 9999)
        throw usage_error("年份 " + std::to_string(year) + " 不在 1900–9999 之间");
    const Date first(static_cast<unsigned short>(year), 1, 1);
    last_ = Date(static_cast<unsigned short>(year), 12, 31);
    // Every figure below needs the year's working days: say so now, naming the year, if they are unknown.
    cal_.working_days_between(first, last_);
    end_ts_ = format_date(last_) + "T23:59:59";
    st_.year = year;
}

bool AnnualAccumulator::needs_events(const CaseState& now) const {
    if (now.received_at.empty() || now.received_at > end_ts_) return false;
    return date_of(now.received_at).year() == st_.year || now.last_event_at > end_ts_;
}

bool AnnualAccumulator::needs_all_events(const CaseState& now) const {
    return needs_events(now) && now.last_event_at > end_ts_;
}

const std::vector<std::string>& AnnualAccumulator::counted_actions() {
    static const std::vector<std::string> actions = {"visit", "revoke"};
    return actions;
}

void AnnualAccumulator::add(const CaseState& now, const std::vector<Event>& events) {
    if (now.received_at.empty() || now.received_at > end_ts_) return;
    const int year = st_.year;
    const bool in_year = date_of(now.received_at).year() == year;

    // The case as it stood at the end of the year: as it is now, unless it changed after (then replayed
    // from its events up to then). Only that case is copied.
    const bool changed_after = now.last_event_at > end_ts_;
    std::vector<Event> before_end;
    if (changed_after) {
        if (events.empty())
            throw storage_error("内部错误：案件 " + now.id + " 在 " + format_date(last_) +
                                " 之后有变动，但未提供其事件");
        for (const auto& e : events)
            if (e.at <= end_ts_) before_end.push_back(e);
    }
    const CaseState replayed = changed_after ? replay(before_end, cal_) : CaseState{};
    const CaseState& s = changed_after ? replayed : now;
    const std::vector<Event>& until = changed_after ? before_end : events;

    // Overdue at the end of the year (SPEC rule 2), whenever received.
    const ClockView v = clock_at(s, last_, cal_);
    if (v.undecidable) throw refused("案件 " + s.id + "：" + v.problem);
    if (v.overdue) {
        ++st_.overdue;
        st_.overdue_received_in_year += in_year;
    }
    if ((in_year && s.phase != Phase::Rejected) || v.overdue) {
        bool provisional = v.deadline_provisional;
        for (const auto& round : clock_rounds(s, cal_))
            provisional = provisional || round.deadline_provisional;
        st_.provisional_deadlines += provisional;
    }
    if (!in_year) return;

    ++st_.cases;
    ++st_.by_month[static_cast<size_t>(date_of(s.received_at).month() - 1)];
    ++st_.by_category[s.category];
    // A department is named as written, but a phone or ID number typed into its name is masked like
    // anywhere else in a report.
    for (const auto& t : s.tasks)
        if (t.status != TaskStatus::Returned) ++st_.by_department[no_numbers(t.department)];
    if (s.phase == Phase::Rejected) {
        ++st_.rejected;
    } else if (s.phase == Phase::Merged) {
        // 并案: its reports are counted as repeat reports of the case it joined, never as 不予受理.
        ++st_.merged;
    } else if (s.resolved_on) {
        ++st_.resolved;
        ++days_[cal_.working_days_between(date_of(s.received_at), *s.resolved_on)];
        st_.on_time += resolved_on_time(s, cal_);
    } else {
        ++st_.open;
    }
    st_.reopened += s.reopen_count > 0;
    if (s.phase != Phase::Merged) {
        st_.repeat_reports += s.repeat_count();
        st_.cases_with_repeat_reports += s.repeat_count() > 0;
    }
    // A revoked visit counts nowhere (SPEC Part 2), whoever read the events: the revoke events say which.
    const VisitCount visits = count_visits(until, events);
    st_.visits += visits.visits;
    st_.satisfied += visits.satisfied;
    if (now.typical) typical_.emplace_back(now.received_at, now.id);
}

AnnualStats AnnualAccumulator::finish(const std::map<std::string, std::string>& category_names) {
    AnnualStats st = st_;
    for (const auto& [category, n] : st.by_category) {
        auto it = category_names.find(category);
        st.category_names[category] = it == category_names.end() ? category : it->second;
    }
    if (st.resolved) st.on_time_rate = round4(static_cast<double>(st.on_time) / st.resolved);
    if (st.visits) st.satisfaction_rate = round4(static_cast<double>(st.satisfied) / st.visits);
    // The median from the count per number of days: the value at sorted position k, for the middle one or
    // two positions.
    long long n = 0;
    for (const auto& [d, count] : days_)
        n += count;
    if (n > 0) {
        auto at = [&](long long k) {
            for (const auto& [d, count] : days_) {
                if (k < count) return d;
                k -= count;
            }
            return days_.rbegin()->first;
        };
        st.median_working_days = n % 2 ? at(n / 2) : (at(n / 2 - 1) + at(n / 2)) / 2.0;
    }
    auto typical = typical_;
    std::sort(typical.begin(), typical.end());
    for (const auto& [at, id] : typical)
        st.typical.push_back(id);
    return st;
}

AnnualStats annual_stats(const std::vector<CaseRecord>& cases, int year, const Calendar& cal,
                         const std::map<std::string, std::string>& category_names) {
    AnnualAccumulator acc(year, cal);
    for (const CaseRecord& rec : cases)
        acc.add(rec.state, rec.events);
    return acc.finish(category_names);
}

std::vector<std::pair<std::string, std::string>> annual_definitions(int year) {
    const std::string y = std::to_string(year);
    const std::string end = y + "年12月31日日终";
    return {
        {"scope", "统计对象为" + y +
                      "年1月1日至12月31日（北京时间）受理的案件，以首次反映的受理时间为准；重复反映并入原案件"
                      "，不另计件。除“年末超期”和“典型事例”外，各项办理情况均按案件在" +
                      end + "所处的状态计算：以各事件记载的发生时间为准（事后补录的按其发生时间计入），" +
                      std::to_string(year + 1) + "年及以后发生的办理、回访不计入本年。"},
        {"cases", "受理案件：" + y + "年内受理的案件数。"},
        {"by_month", "按月受理：按受理日期所在月份统计的受理案件数。"},
        {"by_category", "按类别：受理案件按类别（所用工作流）分列。"},
        {"by_department", "按部门：受理案件中，" + end +
                              "前已派单且未被退单的部门，每个案件每个部门计1件；一案派多个部门的分别计入，故"
                              "各部门合计可大于受理案件数。"},
        {"resolved",
         "办结：受理案件中，" + end +
             "处于已办结状态（待回访或办结归档）的案件数；办结后又重新办理、年末尚未再次办结的不计。"},
        {"on_time",
         "按时办结：已办结案件中，每一轮办理（首次受理，以及回访不满意或督办重开后的每次重新办理）都在当轮期"
         "限（受理或重开日加时限工作日，含挂起顺延和批准的延期）之内办结的案件数。"},
        {"on_time_rate", "按时办结率：按时办结数 ÷ 办结数（四舍五入到万分位）；无办结案件时为空。"},
        {"median_working_days",
         "办结用时中位数：已办结案件从受理日到最后一次办结日的工作日数（不计受理当日，含挂起期间）的中位数；"
         "案件数为偶数时取中间两数的平均。"},
        {"overdue", "年末超期：" + end +
                        "仍未办结（受理或办理阶段，含挂起）且已超过办理期限的案件数，包括往年受理、结转至本年"
                        "的案件；与 " +
                        y +
                        " 年 12 月 31 日日终的超期案件清单一致。其中本年受理的另行列出（“其中本年受理”）。"},
        {"reopened", "重新办理：受理案件中，" + end +
                         "前至少重新办理过一次（回访不满意退回办理，或已归档后经督办重开）的案件数。"},
        {"repeat_reports",
         "重复反映：受理案件在" + end +
             "前收到的首次反映之外的反映次数（并案转入的反映计入所并入的案件）；“有重复反映的案件”为其中"
             "有重复反映的案件数。"},
        {"visits", "回访：受理案件在" + end + "前进行的回访次数（同一案件多次回访分别计）。"},
        {"satisfied", "满意：上述回访中群众表示满意或基本满意的次数；满意率 = 满意次数 ÷ 回访次数。"},
        {"rejected", "不予受理：受理案件中" + end + "处于不予受理状态的案件数。"},
        {"merged",
         "并案：受理案件中" + end + "前因与另一案件为同一问题而并入该案件的案件数（不计为不予受理）。"},
        {"open", "未办结：受理案件中" + end +
                     "既未办结、也未不予受理或并案的案件数（办结 + 不予受理 + 并案 + 未办结 = 受理案件）。"},
        {"typical",
         "典型事例：本年受理、经督办列为典型事例的案件，以生成报告时的标记为准（可在次年标记）；事例按生成报"
         "告时的全部记录撰写。"},
        {"privacy",
         "个人信息：姓名仅保留姓氏（某），手机号只保留前三位和后四位，身份证号只保留前六位和后四位。"},
    };
}

}  // namespace minsheng::report
