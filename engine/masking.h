// Masking personal data in reports (SPEC.md "Reports"): the names of a case's reporters (and of the people
// listed in its `persons` field) become surname + 某 wherever they appear, mobile numbers become 138****1234,
// and ID numbers keep their first 6 and last 4 characters.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/case.h"
#include "engine/workflow.h"

namespace minsheng::report {

class Masker {
public:
    // A name of at least two characters is replaced by mask_name() wherever it occurs, also written with any
    // middle dot (阿卜杜·热合曼, 阿卜杜•热合曼, 阿卜杜・热合曼), without it, or with spaces or invisible
    // characters between its characters; shorter ones are ignored (a lone surname would mask every
    // occurrence of that character), and so are the words written when there is no name (匿名, 群众, 居民,
    // 网格员 …).
    void add_name(std::string_view name);
    // A phone number as the reporter gave it (landlines included) is masked wherever it occurs, literally or
    // as the same digits written with other separators.
    void add_phone(std::string_view phone);
    // Text whose names are never masked: place names, addresses, department names. Where it occurs no name is
    // looked for in it, so a reporter named 王府 does not turn 王府井大街 into 王某井大街 (phone and ID
    // numbers are still masked in it).
    void protect(std::string_view text);
    // Protected text first (kept from name masking), then names (longest first), then known phones, then
    // numbers by shape: 11-digit mobile numbers 1[3-9]XXXXXXXXX however they are grouped (138-1234-5678,
    // 138.1234.5678, 138/1234/5678, 1 38 1234 5678, +86/86 prefixed) -> 138****5678; landlines with their
    // area code (02584561234, 025-84561234, (025) 8456 1234, 025－84561234) -> 025****1234; 18-digit ID
    // numbers (the last may be X) and 15- to 19-digit card numbers, whole or grouped (110101 19900101 123X,
    // 6222 0212 3456 7890) -> first 6 + * + last 4. Groups of digits join across at most three spaces,
    // dashes, dots, slashes or brackets; full-width digits count as digits. Digits that belong to a longer
    // run are not taken for a phone number.
    std::string operator()(std::string_view text) const;

private:
    struct Name {
        std::vector<std::string> chars;  // the name's code points, separators left out
        std::string masked;
    };
    std::vector<Name> names_;                                  // longest first
    std::vector<std::pair<std::string, std::string>> phones_;  // as given -> masked
    std::vector<std::string> protected_;                       // longest first
    std::set<std::string> phone_digits_;                       // the known phones' digits
};

// The masker for everything a report says about case `c`: its reporters' names and phones and the people in
// its `persons` field are masked; its address, its tasks' departments and (when `w` is given) the workflow's
// name and departments are protected.
Masker masker_for(const CaseState& c, const Workflow* w = nullptr);

// How a reporter is named in a report: masked, unless it is a word written when there is no name (匿名, 群众
// …).
std::string shown_name(const std::string& name);

}  // namespace minsheng::report
