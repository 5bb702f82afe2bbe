// Provisional calendar years (SPEC Part 2 "Calendar beyond the published years"): a year whose State Council
// notice is not out yet is made of the statutory holidays the law fixes (全国年节及纪念日放假办法, 2024
// revision), with 补假 for those that fall on a weekend (its article 6) and no 调休: only a notice sets
// those.
#pragma once

#include <map>
#include <string>

#include "engine/calendar.h"

namespace minsheng {

// The dates that fix one year's movable statutory holidays, in Beijing time.
struct StatutoryAnchors {
    Date chuxi;     // 除夕, the eve of 春节
    Date qingming;  // 清明, the day the sun reaches longitude 15°
    Date duanwu;    // 端午, 五月初五
    Date zhongqiu;  // 中秋, 八月十五
};

// Parses the format of workflows/calendar/cn-statutory-anchors.yaml (`years:` map of year -> {除夕, 春节,
// 清明, 端午, 中秋}). Throws Error(Refused) "FILE:LINE:COL: message" on a missing key, a malformed date, a
// date outside its year, or a 春节 that is not the day after 除夕.
std::map<int, StatutoryAnchors> parse_statutory_anchors(const std::string& text,
                                                        const std::string& source_name);

// The provisional year: weekends, plus 元旦 (1/1), 春节 (除夕 to 正月初三), 清明, 劳动节 (5/1–5/2), 端午,
// 中秋 and 国庆节 (10/1–10/3); each holiday day that falls on a Saturday or Sunday is made up on the first
// working day after its run of holidays, one for each. Marked provisional; no adjusted workdays.
CalendarYear provisional_year(int year, const StatutoryAnchors& anchors);

}  // namespace minsheng
