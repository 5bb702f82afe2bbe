// The log's hash chain (SPEC "Storage"): each event carries the SHA-256 of its predecessor's hash and its own
// columns, so an edit, deletion or reordering made behind the program's back is detected. Written once here,
// above the store, so every backend keeps the same chain.
#pragma once

#include <cstdint>
#include <string>

#include "engine/case.h"
#include "storage/store.h"

namespace minsheng {

// The predecessor of the first event.
extern const std::string kGenesisHash;

// What the hash covers: the predecessor's hash and every column of the event, joined by the unit separator
// (0x1F), as lower-case hex.
std::string event_hash(const std::string& prev, std::int64_t seq, const std::string& case_id,
                       const std::string& action, const std::string& at, const std::string& actor,
                       const std::string& recorded_at, const std::string& data);

// The log entry that follows `head` for event `e` recorded at `recorded_at`: next sequence number, the
// event's JSON text, the chain's hashes.
LogEntry chain_entry(const LogHead& head, const Event& e, const std::string& recorded_at);

// The head record a store keeps ("SEQ:HASH").
std::string head_record(const LogHead& head);

}  // namespace minsheng
