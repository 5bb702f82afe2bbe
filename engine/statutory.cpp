// Provisional years from the statutory holidays alone (see statutory.h).
#include "engine/statutory.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <set>
#include <vector>

#include "engine/error.h"

namespace minsheng {
namespace {

bool is_weekend(Date d) {
    const auto wd = d.day_of_week().as_number();  // 0 = Sunday
    return wd == 0 || wd == 6;
}

std::string at(const std::string& source, const YAML::Mark& mark) {
    if (mark.is_null()) return source;
    return source + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
}

}  // namespace

std::map<int, StatutoryAnchors> parse_statutory_anchors(const std::string& text, const std::string& source) {
    YAML::Node root;
    try {
        root = YAML::Load(text);
    } catch (const YAML::Exception& e) {
        throw refused(at(source, e.mark) + "：YAML 语法错误：" + e.msg);
    }
    auto fail = [&](const YAML::Node& node, const std::string& message) -> void {
        throw refused(at(source, node.Mark()) + ": " + message);
    };
    if (!root.IsMap() || !root["years"] || !root["years"].IsMap()) {
        fail(root, "顶层应为 `years:`，其下每年写 {除夕, 春节, 清明, 端午, 中秋}");
    }
    std::map<int, StatutoryAnchors> out;
    for (const auto& kv : root["years"]) {
        const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "";
        int year = 0;
        try {
            year = key.size() == 4 ? std::stoi(key) : 0;
        } catch (const std::exception&) {
            year = 0;
        }
        if (year < 1900) fail(kv.first, "年份键 “" + key + "” 不是 2027 这样的年份");
        if (!kv.second.IsMap())
            fail(kv.first, "年份 " + key + " 下应写 {除夕, 春节, 清明, 端午, 中秋}");
        auto date = [&](const char* name) {
            const YAML::Node n = kv.second[name];
            if (!n) fail(kv.first, "年份 " + key + " 缺少 " + name);
            Date d;
            try {
                d = parse_date(n.IsScalar() ? n.Scalar() : "");
            } catch (const Error&) {
                fail(n, key + " 年的 " + name + " 不是 YYYY-MM-DD 日期");
            }
            if (d.year() != year) fail(n, std::string(name) + " " + format_date(d) + " 不在 " + key + " 年内");
            return d;
        };
        StatutoryAnchors a;
        a.chuxi = date("除夕");
        const Date chunjie = date("春节");
        if (chunjie != a.chuxi + boost::gregorian::days(1))
            fail(kv.second["春节"], key + " 年的春节应是除夕的次日");
        a.qingming = date("清明");
        a.duanwu = date("端午");
        a.zhongqiu = date("中秋");
        if (!out.emplace(year, a).second) fail(kv.first, "年份 " + key + " 出现了两次");
    }
    return out;
}

CalendarYear provisional_year(int year, const StatutoryAnchors& a) {
    const auto y = static_cast<unsigned short>(year);
    // Date -> the holiday's name; two festivals on one day (中秋 on 10/1) give one day off, named for both.
    std::map<Date, std::string> statutory;
    auto add = [&](Date d, const std::string& name) {
        auto [it, fresh] = statutory.emplace(d, name);
        if (!fresh && it->second.find(name) == std::string::npos) it->second += "、" + name;
    };
    add(Date(y, 1, 1), "元旦");
    for (int i = 0; i < 4; ++i)
        add(a.chuxi + boost::gregorian::days(i), "春节");
    add(a.qingming, "清明节");
    add(Date(y, 5, 1), "劳动节");
    add(Date(y, 5, 2), "劳动节");
    add(a.duanwu, "端午节");
    add(a.zhongqiu, "中秋节");
    for (unsigned short d = 1; d <= 3; ++d)
        add(Date(y, 10, d), "国庆节");

    // 补假 (article 6): per run of consecutive holiday days, one working day after the run for each of its
    // days that is a Saturday or Sunday, taken in order from the first working day after the run.
    std::map<Date, std::string> made_up;
    for (auto it = statutory.begin(); it != statutory.end();) {
        std::vector<std::string> owed;  // the festival of each weekend day in the run
        Date last = it->first;
        for (; it != statutory.end() && it->first <= last + boost::gregorian::days(1); ++it) {
            last = it->first;
            if (is_weekend(it->first)) owed.push_back(it->second);
        }
        Date d = last;
        for (const auto& name : owed) {
            do {
                d += boost::gregorian::days(1);
            } while (is_weekend(d) || statutory.count(d) || made_up.count(d));
            made_up.emplace(d, name + "补假");
        }
    }

    CalendarYear out;
    out.year = year;
    out.provisional = true;
    for (const auto& [d, name] : statutory)
        out.holidays.emplace_back(d, name);
    for (const auto& [d, name] : made_up)
        if (d.year() == year) out.holidays.emplace_back(d, name);
    std::sort(out.holidays.begin(), out.holidays.end());
    return out;
}

}  // namespace minsheng
