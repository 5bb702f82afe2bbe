// Writes a realistic spreadsheet ledger (台账) CSV of N reports for the import benchmark: Chinese addresses,
// summaries, reporters and channels; a mix of categories (by id and by their Chinese names); about 10% of the
// rows repeat the address of a recent report in the same category (written with different spacing or
// full-width digits, as people type them); some summaries hold commas, quotes and line breaks. Rows are in
// time order, spread evenly over the days before END.
//
// Usage: make_ledger N OUT.csv [--end YYYY-MM-DD] [--days D] [--seed S] [--chinese-headers] [--unique]
//   --unique: no repeated addresses (every row opens a new case).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "engine/calendar.h"
#include "engine/error.h"
#include "engine/text.h"

namespace {

const char* const kDistricts[] = {"玄武区", "秦淮区",   "建邺区", "鼓楼区",
                                  "栖霞区", "雨花台区", "江宁区", "浦口区"};
const char* const kStreets[] = {"海福巷", "戎苑路",     "龙江小区",   "清凉门大街", "汉中门大街",
                                "虎踞路", "草场门大街", "北京西路",   "广州路",     "上海路",
                                "宁海路", "江东北路",   "凤凰西街",   "石头城路",   "茶亭东街",
                                "莫愁路", "集庆门大街", "水西门大街", "应天大街",   "中山南路"};
const char* const kSurnames[] = {"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周",
                                 "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林", "欧阳"};
const char* const kGiven[] = {"桂芳", "秀英", "建国", "敏", "伟", "芳", "娜", "强", "磊",   "军",
                              "洋",   "勇",   "艳",   "杰", "娟", "涛", "明", "超", "秀兰", "霞"};
const char* const kChannels[] = {"来电", "来访", "网格员", "12345", "微信群", "信件"};

struct Category {
    const char* id;
    const char* name;
    int weight;
    std::vector<const char*> summaries;
};

const std::vector<Category>& categories() {
    static const std::vector<Category> c = {
        {"drainage",
         "排水/下水道",
         30,
         {"下水道堵塞，导致楼前平台污水满溢，无法正常行走", "雨污管网破损，雨天污水倒灌进地下室",
          "化粪池满溢，气味难闻，之前修过几次都没修好", "窨井盖松动，车辆经过响声很大",
          "楼道排水管漏水，墙面发霉"}},
        {"road",
         "道路/路面",
         25,
         {"楼前一段10几米长的必经之路路面坑洼、高低不平，下雨极易积水", "人行道地砖破损翘起，老人容易绊倒",
          "小区出入口路面塌陷，存在安全隐患", "路灯损坏，夜间出行不便"}},
        {"sanitation",
         "环境卫生",
         25,
         {"垃圾桶满溢未及时清运，影响环境", "楼道堆放杂物，存在消防隐患", "绿化带内建筑垃圾长期未清理",
          "公共区域有人饲养家禽，气味扰民"}},
        {"dibao",
         "低保",
         10,
         {"申请最低生活保障，因人户分离无法在户籍地办理", "低保复核材料已提交，至今未有答复",
          "家庭收入变化，申请调整低保待遇"}},
        {"general",
         "其他",
         10,
         {"噪音扰民，夜间施工影响休息", "邻里纠纷，需要社区协调", "咨询养老服务补贴政策"}},
    };
    return c;
}

const char* const kFullWidth[] = {"０", "１", "２", "３", "４", "５", "６", "７", "８", "９"};

// The same address as a person might type it again: full-width digits or spaces around the number.
std::string retype(const std::string& street, int number, int building, std::mt19937_64& rng) {
    const std::string n = std::to_string(number);
    switch (rng() % 3) {
        case 0: {
            std::string fw;
            for (char ch : n)
                fw += kFullWidth[ch - '0'];
            return street + fw + "号" + std::to_string(building) + "栋";
        }
        case 1:
            return street + " " + n + " 号 " + std::to_string(building) + "栋";
        default:
            return street + n + "号" + std::to_string(building) + "栋";
    }
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(
            stderr,
            "usage: make_ledger N OUT.csv [--end YYYY-MM-DD] [--days D] [--seed S] [--chinese-headers] "
            "[--unique]\n");
        return 2;
    }
    const long n = std::atol(argv[1]);
    const char* out_path = argv[2];
    std::string end = "2026-11-20";
    long days = 0;
    std::uint64_t seed = 20230605;
    bool chinese = false, unique = false;
    for (int i = 3; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--end" && i + 1 < argc)
            end = argv[++i];
        else if (a == "--days" && i + 1 < argc)
            days = std::atol(argv[++i]);
        else if (a == "--seed" && i + 1 < argc)
            seed = std::strtoull(argv[++i], nullptr, 10);
        else if (a == "--chinese-headers")
            chinese = true;
        else if (a == "--unique")
            unique = true;
        else {
            std::fprintf(stderr, "make_ledger: unknown option %s\n", a.c_str());
            return 2;
        }
    }
    if (n <= 0) {
        std::fprintf(stderr, "make_ledger: N must be positive\n");
        return 2;
    }
    // A station of this size receives about 700 reports a day at most: spread the rows over enough days.
    if (days <= 0) days = std::max(30L, std::min(1400L, n / 700 + 1));
    minsheng::Date last;
    try {
        last = minsheng::parse_date(end);
    } catch (const minsheng::Error& e) {
        std::fprintf(stderr, "make_ledger: %s\n", e.what());
        return 2;
    }
    const minsheng::Date first = last - boost::gregorian::days(days - 1);

    std::FILE* out = std::fopen(out_path, "wb");
    if (!out) {
        std::perror(out_path);
        return 1;
    }
    std::fputs(chinese ? "受理时间,类别,地址,问题描述,反映人,联系电话,反映渠道\r\n"
                       : "received_at,category,address,summary,reporter,phone,channel\r\n",
               out);
    std::mt19937_64 rng(seed);
    int total_weight = 0;
    for (const auto& c : categories())
        total_weight += c.weight;
    struct Recent {
        size_t category;
        std::string street;
        int number, building;
    };
    std::vector<Recent> recent;  // a ring of recent addresses that repeat reports point at
    size_t ring = 0;
    long unique_counter = 0;
    std::string row;
    for (long i = 0; i < n; ++i) {
        // Time: evenly through the days, 08:00-18:59 local.
        const long day = i * days / n;
        const minsheng::Date d = first + boost::gregorian::days(day);
        const long within = i - (day * n + days - 1) / days;
        const long per_day = std::max(1L, n / days);
        const int minute = static_cast<int>(std::min(659L, within * 660 / per_day));
        char at[32];
        std::snprintf(at, sizeof at, "%s %02d:%02d", minsheng::format_date(d).c_str(), 8 + minute / 60,
                      minute % 60);

        size_t cat = 0;
        std::string address;
        const bool repeat = !unique && !recent.empty() && rng() % 10 == 0;
        if (repeat) {
            const Recent& r = recent[rng() % recent.size()];
            cat = r.category;
            address = retype(r.street, r.number, r.building, rng);
        } else {
            int w = static_cast<int>(rng() % static_cast<unsigned>(total_weight));
            while (w >= categories()[cat].weight)
                w -= categories()[cat++].weight;
            std::string street = std::string(kDistricts[rng() % 8]) + kStreets[rng() % 20];
            int number = static_cast<int>(rng() % 999) + 1;
            int building = static_cast<int>(rng() % 40) + 1;
            if (unique) {
                // Distinct by construction: the counter picks number and building.
                number = static_cast<int>(unique_counter % 999) + 1;
                building = static_cast<int>(unique_counter / 999) + 1;
                street = std::string(kDistricts[unique_counter % 8]) + kStreets[(unique_counter / 8) % 20];
                ++unique_counter;
            }
            address = street + std::to_string(number) + "号" + std::to_string(building) + "栋";
            const Recent entry{cat, street, number, building};
            if (recent.size() < 200)
                recent.push_back(entry);
            else
                recent[ring++ % 200] = entry;
        }
        const Category& c = categories()[cat];
        std::string summary = c.summaries[rng() % c.summaries.size()];
        switch (rng() % 20) {
            case 0:
                summary += ", 希望尽快处理";  // an ASCII comma
                break;
            case 1:
                summary += "，居民说\"已经反映过三次\"";
                break;
            case 2:
                summary += "\n补充：晚上情况更严重";  // a line break inside the cell
                break;
            default:
                break;
        }
        const std::string reporter = std::string(kSurnames[rng() % 20]) + kGiven[rng() % 20];
        char phone[16];
        std::snprintf(phone, sizeof phone, "1%d%09llu", 3 + static_cast<int>(rng() % 7),
                      static_cast<unsigned long long>(rng() % 1000000000ULL));
        row.clear();
        row += at;
        row += ',';
        row += rng() % 5 == 0 ? c.name : c.id;
        row += ',';
        row += minsheng::csv_field(address);
        row += ',';
        row += minsheng::csv_field(summary);
        row += ',';
        row += reporter;
        row += ',';
        row += rng() % 4 == 0 ? "" : phone;
        row += ',';
        row += kChannels[rng() % 6];
        row += "\r\n";
        std::fwrite(row.data(), 1, row.size(), out);
    }
    if (std::fclose(out) != 0) {
        std::perror(out_path);
        return 1;
    }
    return 0;
}
