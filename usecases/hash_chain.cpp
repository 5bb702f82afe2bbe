// The log's hash chain (see hash_chain.h).
#include "usecases/hash_chain.h"

#define OPENSSL_SUPPRESS_DEPRECATED  // SHA256_*: see event_hash
#include <openssl/sha.h>

#include "engine/error.h"

namespace minsheng {

const std::string kGenesisHash(64, '0');

// Fed to SHA-256 piece by piece (no joined copy).
//
// OpenSSL's low-level SHA256_* functions, not EVP: EVP's first use in a process initialises OpenSSL 3's
// provider machinery to fetch the digest, 0.7M instructions — 9% of a whole `case open` (callgrind, 100k
// station) — while SHA256_* run the same assembly with no set-up. They are deprecated in OpenSSL 3.0 only in
// favour of EVP, and kept in 3.x; OPENSSL_SUPPRESS_DEPRECATED (hash_chain.cpp only) says so.
std::string event_hash(const std::string& prev, std::int64_t seq, const std::string& case_id,
                       const std::string& action, const std::string& at, const std::string& actor,
                       const std::string& recorded_at, const std::string& data) {
    SHA256_CTX sha;
    bool ok = SHA256_Init(&sha) == 1;
    const char sep = '\x1f';
    const std::string seq_text = std::to_string(seq);
    bool first = true;
    for (const std::string* part : {&prev, &seq_text, &case_id, &action, &at, &actor, &recorded_at, &data}) {
        if (!first) ok = ok && SHA256_Update(&sha, &sep, 1) == 1;
        first = false;
        ok = ok && SHA256_Update(&sha, part->data(), part->size()) == 1;
    }
    unsigned char digest[SHA256_DIGEST_LENGTH];
    const unsigned len = SHA256_DIGEST_LENGTH;
    if (!ok || SHA256_Final(digest, &sha) != 1) throw storage_error("SHA-256 计算失败（OpenSSL）");
    static const char* hex = "0123456789abcdef";
    std::string out(2 * len, '0');
    for (unsigned i = 0; i < len; ++i) {
        out[2 * i] = hex[digest[i] >> 4];
        out[2 * i + 1] = hex[digest[i] & 0xf];
    }
    return out;
}

LogEntry chain_entry(const LogHead& head, const Event& e, const std::string& recorded_at) {
    LogEntry out;
    out.seq = head.seq + 1;
    out.case_id = e.case_id;
    out.action = e.action;
    out.at = e.at;
    out.actor = e.actor;
    out.recorded_at = recorded_at;
    out.data = e.data.dump();
    out.prev_hash = head.seq == 0 ? kGenesisHash : head.hash;
    out.hash = event_hash(out.prev_hash, out.seq, out.case_id, out.action, out.at, out.actor, out.recorded_at,
                          out.data);
    return out;
}

std::string head_record(const LogHead& head) {
    return std::to_string(head.seq) + ":" + head.hash;
}

}  // namespace minsheng
