// The log's hash chain (see hash_chain.h).
#include "usecases/hash_chain.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "engine/error.h"

namespace minsheng {

const std::string kGenesisHash(64, '0');

// Fed to SHA-256 piece by piece (no joined copy), with the digest implementation fetched once.
std::string event_hash(const std::string& prev, std::int64_t seq, const std::string& case_id,
                       const std::string& action, const std::string& at, const std::string& actor,
                       const std::string& recorded_at, const std::string& data) {
    struct Sha256 {
        // Only a digest is needed: skip OpenSSL's configuration file and its tables of every cipher and
        // digest, which cost a write command more time than the hashing.
        bool init = OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG | OPENSSL_INIT_NO_ADD_ALL_CIPHERS |
                                            OPENSSL_INIT_NO_ADD_ALL_DIGESTS,
                                        nullptr) == 1;
        EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
        EVP_MD_CTX* ctx = EVP_MD_CTX_new();
        ~Sha256() {
            EVP_MD_CTX_free(ctx);
            EVP_MD_free(md);
        }
    };
    static thread_local Sha256 sha;
    if (!sha.init || !sha.md || !sha.ctx || EVP_DigestInit_ex(sha.ctx, sha.md, nullptr) != 1)
        throw storage_error("SHA-256 计算失败（OpenSSL）");
    const char sep = '\x1f';
    const std::string seq_text = std::to_string(seq);
    bool ok = true;
    bool first = true;
    for (const std::string* part : {&prev, &seq_text, &case_id, &action, &at, &actor, &recorded_at, &data}) {
        if (!first) ok = ok && EVP_DigestUpdate(sha.ctx, &sep, 1) == 1;
        first = false;
        ok = ok && EVP_DigestUpdate(sha.ctx, part->data(), part->size()) == 1;
    }
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (!ok || EVP_DigestFinal_ex(sha.ctx, digest, &len) != 1)
        throw storage_error("SHA-256 计算失败（OpenSSL）");
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
