// The 人员 screen's use cases (supervisors): the station's staff with their roles and whether each can sign
// in. Adding a member is Station::add_staff and setting a password set_password (signin.h): the command
// line's `staff add` and `staff passwd`, the same rules for every front end.
#pragma once

#include <string>
#include <vector>

#include "usecases/station.h"

namespace minsheng {

struct StaffRow {
    std::string name;
    Role role = Role::Coordinator;
    std::string department;
    bool has_password = false;  // may sign in to the web workspace
};

// Every staff member, by name (supervisors only: the list says who may approve what).
std::vector<StaffRow> list_staff(Station& st, const std::string& actor);

// The year-boundary banner of the web workspace (SPEC "Calendar beyond the published years"), by the same
// rule as the command line's 提醒 (calendar_gap). A supervisor is told what to do and given the commands that
// do it; a coordinator, who cannot, is told to ask the supervisor.
struct CalendarBanner {
    std::string text;                   // empty: no banner
    std::vector<std::string> commands;  // for supervisors: the command lines to run on the station's machine
};
CalendarBanner calendar_banner(const Calendar& calendar, Date today, Role role);

}  // namespace minsheng
