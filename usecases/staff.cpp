// The 人员 screen's use cases and the calendar banner (staff.h).
#include "usecases/staff.h"

#include "engine/error.h"

namespace minsheng {

std::vector<StaffRow> list_staff(Station& st, const std::string& actor) {
    const StaffMember who = st.require_staff(actor);
    if (who.role != Role::Supervisor)
        throw not_allowed("只有督办可以查看和管理人员；" + who.name + " 是协调员");
    std::vector<StaffRow> out;
    Store& store = st.store();
    // One snapshot: a member added meanwhile is either listed whole or not at all.
    store.read([&] {
        out.clear();
        for (const auto& name : store.staff_names()) {
            const std::optional<StaffMember> m = store.staff(name);
            if (!m) continue;
            out.push_back({m->name, m->role, m->department, store.password_hash(name).has_value()});
        }
    });
    return out;
}

CalendarBanner calendar_banner(const Calendar& calendar, Date today, Role role) {
    using Kind = CalendarGap::Kind;
    const CalendarGap gap = calendar_gap(calendar, today);
    if (gap.kind == Kind::None) return {};
    const std::string y = std::to_string(gap.year);
    const bool supervisor = role == Role::Supervisor;
    const std::string load = "minsheng calendar load 放假通知.yaml";
    const std::string provisional = "minsheng calendar provisional " + y;
    CalendarBanner b;
    switch (gap.kind) {
        case Kind::None:
            break;
        case Kind::Uncovered:
        case Kind::NextMissing:
            b.text = gap.kind == Kind::Uncovered
                         ? "工作日历缺少 " + y + " 年的放假安排，今年的办理期限无法计算。"
                         : y + " 年的放假安排尚未载入，期限跨入 " + y + " 年的案件将无法计算。";
            if (supervisor) {
                b.text +=
                    "国务院办公厅的放假通知发布后，请在工作站电脑上载入；发布前，可暂按法定节假日计算：";
                b.commands = {load, provisional};
            } else {
                b.text += "请联系督办载入该年的放假通知。";
            }
            break;
        case Kind::ProvisionalNow:
        case Kind::NextProvisional:
            b.text = gap.kind == Kind::ProvisionalNow
                         ? y + " 年按暂定日历计算（仅法定节假日及补假，未含调休）。"
                         : y + " 年的放假通知尚未载入，该年的办理期限按暂定日历计算（暂定）。";
            if (supervisor) {
                b.text += "通知发布后，请在工作站电脑上载入：";
                b.commands = {load};
            } else {
                b.text += "请联系督办在通知发布后载入。";
            }
            break;
    }
    return b;
}

}  // namespace minsheng
