// Address keys for repeat matching (SPEC "Addresses and repeat reports"): what two ways of writing one
// address share, and when two different keys name nearby places. Traditional → simplified is OpenCC's
// (Debian's libopencc-data holds its conversion tables); the rest is here.
#include <dlfcn.h>
#include <opencc/opencc.h>
#include <utf8proc.h>

#include <algorithm>
#include <cstdlib>
#include <iterator>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "engine/error.h"
#include "engine/text.h"

#ifndef MINSHENG_OPENCC_T2S
#define MINSHENG_OPENCC_T2S "/usr/share/opencc/t2s.json"
#endif
#ifndef MINSHENG_OPENCC_SONAME
#define MINSHENG_OPENCC_SONAME "libopencc.so.1.1"
#endif

namespace minsheng {

namespace {

bool is_space(utf8proc_int32_t cp) {
    if (cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == 0x3000 || cp == 0xA0) return true;
    return utf8proc_category(cp) == UTF8PROC_CATEGORY_ZS;
}

std::vector<utf8proc_int32_t> decode(std::string_view s) {
    std::vector<utf8proc_int32_t> out;
    const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(s.data());
    utf8proc_ssize_t left = static_cast<utf8proc_ssize_t>(s.size());
    while (left > 0) {
        utf8proc_int32_t cp = 0;
        const utf8proc_ssize_t n = utf8proc_iterate(p, left, &cp);
        if (n <= 0 || cp < 0) return {};
        out.push_back(cp);
        p += n;
        left -= n;
    }
    return out;
}

void append_utf8(std::string& out, utf8proc_int32_t cp) {
    utf8proc_uint8_t buf[4];
    const auto n = utf8proc_encode_char(cp, buf);
    out.append(reinterpret_cast<const char*>(buf), static_cast<size_t>(n));
}

// OpenCC's traditional → simplified converter, loaded once per process, on first use. The library is opened
// with dlopen rather than linked: linked, it (with libmarisa and the shared libstdc++ it needs) is mapped and
// relocated at the start of every command, and most commands (`case show`, lists, audits) never fold an
// address; that start-up cost is measured in bench/RESULTS.md ("Start-up"). Conversion is serialized: OpenCC
// does not document its converters as safe to share between threads.
class Simplifier {
public:
    std::string operator()(const std::string& text) {
        std::call_once(once_, [this] { load(); });
        if (handle_ == reinterpret_cast<opencc_t>(-1))
            throw storage_error(std::string("无法载入 OpenCC 繁简转换表 ") + MINSHENG_OPENCC_T2S +
                                "：请安装 Debian 软件包 libopencc1.1 和 libopencc-data（apt-get install "
                                "libopencc-dev）");
        const std::lock_guard<std::mutex> lock(mutex_);
        char* converted = convert_(handle_, text.data(), text.size());
        if (!converted) return text;
        std::string out(converted);
        free_(converted);
        return out;
    }

private:
    void load() {
        void* lib = ::dlopen(MINSHENG_OPENCC_SONAME, RTLD_NOW | RTLD_LOCAL);
        if (!lib) return;
        auto* open = reinterpret_cast<decltype(&opencc_open)>(::dlsym(lib, "opencc_open"));
        convert_ = reinterpret_cast<decltype(&opencc_convert_utf8)>(::dlsym(lib, "opencc_convert_utf8"));
        free_ =
            reinterpret_cast<decltype(&opencc_convert_utf8_free)>(::dlsym(lib, "opencc_convert_utf8_free"));
        if (open && convert_ && free_) handle_ = open(MINSHENG_OPENCC_T2S);
    }

    std::once_flag once_;
    std::mutex mutex_;
    opencc_t handle_ = reinterpret_cast<opencc_t>(-1);
    decltype(&opencc_convert_utf8) convert_ = nullptr;
    decltype(&opencc_convert_utf8_free) free_ = nullptr;
};

Simplifier& simplifier() {
    static Simplifier s;
    return s;
}

// The keys of the t2s dictionaries, read from them at build time (engine/tools/opencc_key_chars.cpp): the
// one-character keys, sorted, and the longer keys (phrases), sorted. OpenCC gives a text that holds none of
// the characters and none of the phrases back unchanged (it only ever replaces a matched key), so it is asked
// only about the others: its conversion costs about 75,000 instructions per address (segmentation, two
// dictionary tries), a fifth of all an import did per row; this check costs a few hundred. The test "OpenCC
// changes no text without a key" holds these tables to the dictionaries installed when it runs.
constexpr utf8proc_int32_t kT2sKeyChars[] = {
#include "opencc_t2s_key_chars.inc"
};
constexpr std::string_view kT2sPhrases[] = {
#include "opencc_t2s_phrases.inc"
};

bool is_t2s_key_char(utf8proc_int32_t cp) {
    return std::binary_search(std::begin(kT2sKeyChars), std::end(kT2sKeyChars), cp);
}

// Whether a phrase key starts at the start of `rest`: the phrases sharing rest's first character are
// the sorted run beginning at that character.
bool t2s_phrase_at(std::string_view rest, std::size_t first_char_bytes) {
    const std::string_view first = rest.substr(0, first_char_bytes);
    for (auto it = std::lower_bound(std::begin(kT2sPhrases), std::end(kT2sPhrases), first);
         it != std::end(kT2sPhrases) && it->substr(0, first.size()) == first; ++it)
        if (rest.substr(0, it->size()) == *it) return true;
    return false;
}

// A Chinese numeral digit's value, or -1.
int numeral_digit(utf8proc_int32_t cp) {
    switch (cp) {
        case U'〇':
        case U'零':
            return 0;
        case U'一':
            return 1;
        case U'二':
        case U'两':
            return 2;
        case U'三':
            return 3;
        case U'四':
            return 4;
        case U'五':
            return 5;
        case U'六':
            return 6;
        case U'七':
            return 7;
        case U'八':
            return 8;
        case U'九':
            return 9;
        default:
            return -1;
    }
}

int numeral_multiplier(utf8proc_int32_t cp) {
    return cp == U'十' ? 10 : cp == U'百' ? 100 : cp == U'千' ? 1000 : 0;
}

// The units a house number is written before. Not 路, 街, 巷 or 里: 五一路 and 三里屯 are names, not numbers.
bool is_number_unit(const std::vector<utf8proc_int32_t>& cps, size_t i) {
    if (i >= cps.size()) return false;
    switch (cps[i]) {
        case U'号':
        case U'栋':
        case U'幢':
        case U'楼':
        case U'层':
        case U'室':
        case U'弄':
        case U'座':
        case U'排':
        case U'户':
        case U'门':
        case U'组':
        case U'期':
            return true;
        case U'单':
            return i + 1 < cps.size() && cps[i + 1] == U'元';
        default:
            return false;
    }
}

// The value of a run of Chinese numerals: 三 3, 十二 12, 二十 20, 一百零五 105; a run of digits only reads
// digit by digit (一二三 123, 〇三 03).
std::string numeral_value(const std::vector<utf8proc_int32_t>& run) {
    bool positional = false;
    for (auto cp : run)
        positional = positional || numeral_multiplier(cp) != 0;
    if (!positional) {
        std::string out;
        for (auto cp : run)
            out += static_cast<char>('0' + numeral_digit(cp));
        return out;
    }
    long total = 0, current = 0;
    for (auto cp : run) {
        if (const int m = numeral_multiplier(cp)) {
            total += (current == 0 ? 1 : current) * m;
            current = 0;
        } else {
            current = numeral_digit(cp);
        }
    }
    return std::to_string(total + current);
}

bool is_digit(utf8proc_int32_t cp) {
    return cp >= '0' && cp <= '9';
}

// Numerals before a unit as digits, then every run of digits without its leading zeros.
std::string fold_numbers(const std::vector<utf8proc_int32_t>& cps) {
    std::vector<utf8proc_int32_t> step;
    for (size_t i = 0; i < cps.size();) {
        size_t j = i;
        while (j < cps.size() && (numeral_digit(cps[j]) >= 0 || numeral_multiplier(cps[j]) != 0))
            ++j;
        if (j > i && is_number_unit(cps, j)) {
            for (char c :
                 numeral_value({cps.begin() + static_cast<long>(i), cps.begin() + static_cast<long>(j)}))
                step.push_back(c);
            i = j;
        } else if (j > i) {
            step.insert(step.end(), cps.begin() + static_cast<long>(i), cps.begin() + static_cast<long>(j));
            i = j;
        } else {
            step.push_back(cps[i++]);
        }
    }
    std::string out;
    for (size_t i = 0; i < step.size();) {
        if (!is_digit(step[i])) {
            append_utf8(out, step[i++]);
            continue;
        }
        size_t j = i;
        while (j < step.size() && is_digit(step[j]))
            ++j;
        size_t k = i;
        while (k + 1 < j && step[k] == '0')
            ++k;
        for (; k < j; ++k)
            out += static_cast<char>(step[k]);
        i = j;
    }
    return out;
}

bool has_digit(std::string_view s) {
    for (char c : s)
        if (c >= '0' && c <= '9') return true;
    return false;
}

// What normalize_address gives, computed.
std::string fold_address(std::string_view address) {
    if (!is_valid_utf8(address)) return std::string(address);
    std::unique_ptr<utf8proc_uint8_t, decltype(&std::free)> folded(
        utf8proc_NFKC(reinterpret_cast<const utf8proc_uint8_t*>(std::string(address).c_str())), &std::free);
    if (!folded) return std::string(address);
    std::string compact;
    for (auto cp : decode(reinterpret_cast<const char*>(folded.get())))
        if (!is_space(cp)) append_utf8(compact, cp);
    const std::string simplified = t2s_may_change(compact) ? simplifier()(compact) : compact;
    return fold_numbers(decode(simplified));
}

}  // namespace

bool t2s_may_change(std::string_view text) {
    const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(text.data());
    std::size_t at = 0;
    while (at < text.size()) {
        if (p[at] < 0x80) {  // ASCII holds no traditional character, and begins no phrase key
            ++at;
            continue;
        }
        utf8proc_int32_t cp = 0;
        const utf8proc_ssize_t n =
            utf8proc_iterate(p + at, static_cast<utf8proc_ssize_t>(text.size() - at), &cp);
        if (n <= 0) return true;  // not UTF-8: let OpenCC decide
        if (is_t2s_key_char(cp) || t2s_phrase_at(text.substr(at), static_cast<std::size_t>(n))) return true;
        at += static_cast<std::size_t>(n);
    }
    return false;
}

std::string opencc_t2s(const std::string& text) {
    return simplifier()(text);
}

std::string normalize_address(std::string_view address) {
    // Opening a case folds its address twice in a row (repeat matching, then the open event): the last
    // answer is kept, per thread.
    thread_local std::string last_address, last_key;
    if (!last_address.empty() && address == last_address) return last_key;
    std::string key = fold_address(address);
    last_address.assign(address);
    last_key = key;
    return key;
}

bool similar_address_keys(std::string_view a, std::string_view b) {
    if (a.size() == b.size()) return false;
    const std::string_view shorter = a.size() < b.size() ? a : b, longer = a.size() < b.size() ? b : a;
    if (longer.compare(0, shorter.size(), shorter) != 0 || !has_digit(shorter)) return false;
    const auto last = static_cast<unsigned char>(shorter.back());
    const auto next = static_cast<unsigned char>(longer[shorter.size()]);
    // A cut inside a UTF-8 sequence, or between two digits, is no boundary.
    if ((next & 0xC0) == 0x80) return false;
    return !(last >= '0' && last <= '9' && next >= '0' && next <= '9');
}

std::vector<std::string> similar_address_prefixes(std::string_view key) {
    std::vector<std::string> out;
    for (size_t n = key.size(); n-- > 1;) {
        const std::string_view p = key.substr(0, n);
        if (similar_address_keys(p, key)) out.emplace_back(p);
    }
    return out;
}

}  // namespace minsheng
