// Sign-in (signin.h). libsodium gives Argon2id (crypto_pwhash_str), the random tokens and BLAKE2b for
// hashing them; the store only keeps what these functions hand it.
#include "usecases/signin.h"

#include <sodium.h>

#include <mutex>
#include <stdexcept>

#include "engine/error.h"
#include "engine/text.h"
#include "usecases/hash_chain.h"

namespace minsheng {

namespace {

// Argon2id with OWASP's minimum for it (19 MiB, 2 passes): a sign-in costs ~50 ms and 19 MiB on a station
// PC, not the 64 MiB of libsodium's "interactive" preset (several sign-ins at once must fit a small server).
constexpr unsigned long long kOpsLimit = 2;
constexpr std::size_t kMemLimit = 19u * 1024u * 1024u;

void init_sodium() {
    static const int rc = sodium_init();
    if (rc < 0) throw storage_error("无法初始化加密库 libsodium");
}

std::string hex(const unsigned char* p, std::size_t n) {
    std::string out(n * 2 + 1, '\0');
    sodium_bin2hex(out.data(), out.size(), p, n);
    out.pop_back();
    return out;
}

std::string random_hex(std::size_t bytes) {
    std::string buf(bytes, '\0');
    randombytes_buf(buf.data(), bytes);
    return hex(reinterpret_cast<const unsigned char*>(buf.data()), bytes);
}

// The store's key for a session token: BLAKE2b-256 of it (a stolen database yields no usable cookie).
std::string token_hash(const std::string& token) {
    unsigned char out[crypto_generichash_BYTES];
    crypto_generichash(out, sizeof out, reinterpret_cast<const unsigned char*>(token.data()), token.size(),
                       nullptr, 0);
    return hex(out, sizeof out);
}

// One Argon2id at a time in a process: each takes kMemLimit of memory for its ~50 ms, and fifty people
// signing in at once to the server held four of them (one per open station) at 106 MB peak against its 64 MB
// bound. Queued, the fiftieth waits a few seconds once, and the server's memory holds one.
std::mutex& argon2_turn() {
    static std::mutex m;
    return m;
}

std::string hash_password(const std::string& password) {
    const std::lock_guard<std::mutex> turn(argon2_turn());
    char out[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str_alg(out, password.data(), password.size(), kOpsLimit, kMemLimit,
                              crypto_pwhash_ALG_ARGON2ID13) != 0)
        throw storage_error("计算密码散列时内存不足");
    return out;
}

bool password_matches(const std::string& hash, const std::string& password) {
    const std::lock_guard<std::mutex> turn(argon2_turn());
    return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

// A hash to verify against when the name has no password, so a wrong name costs the same time as a wrong
// password (the answer must not tell them apart).
const std::string& dummy_hash() {
    static const std::string h = hash_password("minsheng-no-such-account");
    return h;
}

}  // namespace

void set_password(Station& st, const std::string& actor, const std::string& name, const std::string& password,
                  const std::string& now) {
    init_sodium();
    const StaffMember who = st.require_staff(actor);
    const std::string target = trim(name);
    if (target != who.name && who.role != Role::Supervisor)
        throw not_allowed("只有督办可以为他人设置密码；" + who.name + " 只能设置自己的密码");
    if (!st.staff(target)) throw not_found("没有名为 " + target + " 的工作人员：请先用 staff add 登记");
    require_text(password, "密码");
    if (password.size() < kMinPasswordBytes)
        throw refused("密码太短：至少 " + std::to_string(kMinPasswordBytes) + " 个字符");
    const std::string hash = hash_password(password);
    Store& store = st.store();
    store.write([&] {
        store.set_password_hash(target, hash, now);
        store.delete_sessions_of(target);
        // The change itself is an event of the station's log (SPEC "Checkpoints"), without the hash.
        Event e;
        e.action = "staff-passwd";
        e.at = now;
        e.actor = who.name;
        e.data = {{"name", target}};
        store.append(chain_entry(store.log_head(), e, now));
    });
}

SignInResult sign_in(Station& st, const std::string& name, const std::string& password, std::int64_t epoch,
                     const SignInPolicy& policy) {
    init_sodium();
    SignInResult r;
    const std::string who = trim(name);
    Store& store = st.store();
    std::vector<std::int64_t> failures;
    std::optional<std::string> hash;
    std::optional<StaffMember> member;
    store.read([&] {
        failures = store.signin_failures(who, policy.max_failures);
        hash = store.password_hash(who);
        member = store.staff(who);
    });
    // Locked while the latest `max_failures` failures fell within the window and the last is recent.
    if (static_cast<int>(failures.size()) >= policy.max_failures &&
        failures.front() - failures.back() <= policy.failure_window_seconds &&
        epoch - failures.front() < policy.lockout_seconds) {
        r.outcome = SignInResult::Outcome::Throttled;
        return r;
    }
    const bool ok = password_matches(hash ? *hash : dummy_hash(), password) && hash && member;
    if (!ok) {
        store.write([&] { store.add_signin_failure(who, epoch, epoch - 24 * 3600); });
        r.outcome = SignInResult::Outcome::Wrong;
        return r;
    }
    r.outcome = SignInResult::Outcome::Ok;
    r.token = random_hex(32);
    r.who = {member->name, member->role, random_hex(32), token_hash(r.token)};
    store.write([&] {
        store.clear_signin_failures(who);
        store.delete_sessions_idle_before(epoch - policy.idle_seconds);
        store.put_session({r.who.token_hash, r.who.name, r.who.csrf_token, epoch, epoch});
    });
    return r;
}

std::optional<SignedIn> session_for(Station& st, const std::string& token, std::int64_t epoch,
                                    const SignInPolicy& policy) {
    if (token.size() != 64) return std::nullopt;
    init_sodium();
    const std::string key = token_hash(token);
    Store& store = st.store();
    std::optional<SessionRow> row;
    std::optional<StaffMember> member;
    store.read([&] {
        row = store.session(key);
        if (row) member = store.staff(row->name);
    });
    if (!row || !member) return std::nullopt;
    if (epoch - row->last_seen > policy.idle_seconds) {
        store.write([&] { store.delete_session(key); });
        return std::nullopt;
    }
    // A write per request would be costly: the last use is moved up at most once a minute.
    if (epoch - row->last_seen >= 60) store.write([&] { store.touch_session(key, epoch); });
    return SignedIn{member->name, member->role, row->csrf_token, key};
}

void sign_out(Station& st, const SignedIn& who) {
    Store& store = st.store();
    store.write([&] { store.delete_session(who.token_hash); });
}

}  // namespace minsheng
