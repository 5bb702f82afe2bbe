// Signing in to the web workspace (SPEC Part 2 "Sign-in"): passwords kept only as Argon2id hashes
// (libsodium), sessions kept only as a hash of their random token, idle expiry, and throttling after
// failures. The HTTP server calls these; the command line calls set_password (`staff passwd`).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "engine/workflow.h"
#include "usecases/station.h"

namespace minsheng {

// How sessions and throttling behave; the defaults are SPEC's (5 failures in 15 minutes → 15 minutes).
struct SignInPolicy {
    std::int64_t idle_seconds = 2 * 3600;  // a session unused this long is gone
    int max_failures = 5;
    std::int64_t failure_window_seconds = 15 * 60;
    std::int64_t lockout_seconds = 15 * 60;
};

// A signed-in staff member as a request sees them.
struct SignedIn {
    std::string name;
    Role role = Role::Coordinator;
    std::string csrf_token;
    std::string token_hash;  // the session's key in the store (for sign-out)
};

struct SignInResult {
    enum class Outcome { Ok, Wrong, Throttled } outcome = Outcome::Wrong;
    std::string token;  // the session cookie's value, only when Ok; never stored
    SignedIn who;
};

// The shortest password accepted.
inline constexpr std::size_t kMinPasswordBytes = 8;

// Sets NAME's password (supervisors for anyone, staff for themselves). Refused (exit 3) when shorter than
// kMinPasswordBytes or not valid text. Recorded in the station's log as a `staff-passwd` event (case id "",
// without the hash); every session of NAME ends.
void set_password(Station& st, const std::string& actor, const std::string& name, const std::string& password,
                  const std::string& now);

// Checks name and password; on success a new session. `epoch` is the wall clock in seconds.
SignInResult sign_in(Station& st, const std::string& name, const std::string& password, std::int64_t epoch,
                     const SignInPolicy& policy);

// The session behind a cookie token, when it exists and has not been idle too long (its last use is then
// moved up). The staff member must still be registered.
std::optional<SignedIn> session_for(Station& st, const std::string& token, std::int64_t epoch,
                                    const SignInPolicy& policy);

void sign_out(Station& st, const SignedIn& who);

}  // namespace minsheng
