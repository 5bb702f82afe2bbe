// The one error type the engine, storage and CLI raise. Its kind decides the process exit code (SPEC.md).
#pragma once

#include <stdexcept>
#include <string>

namespace minsheng {

// Values are the exit codes of SPEC.md "Exit codes and errors".
enum class ErrorKind {
    Storage = 1,     // storage or internal failure
    Usage = 2,       // unknown command or flag, malformed date or value
    Refused = 3,     // the rules forbid it: illegal action for the phase, missing field, invalid workflow
    NotAllowed = 4,  // unknown actor or wrong role
    NotFound = 5,    // case id, file, category not found
};

// An expected failure with a one-line, user-facing message that says what was wrong.
//
// The rule's sentence (message()) is for anyone, in any front end. The command line's wording of the same
// failure (what()) may add the flags and commands to type (`--set root_cause=…`, `minsheng case do ID`),
// which mean nothing in the web workspace: a refusal that names them is made with with_cli_hint (the
// sentence, then the hint) or with_cli_text (the command line's own wording, when its flags sit inside the
// sentence). Without either, both are the same text.
class Error : public std::runtime_error {
public:
    Error(ErrorKind kind, const std::string& message)
        : std::runtime_error(message), kind_(kind), message_(message) {}
    ErrorKind kind() const { return kind_; }
    int exit_code() const { return static_cast<int>(kind_); }
    // The rule's sentence, without command-line syntax (what the web workspace shows).
    const std::string& message() const { return message_; }

    // The same error, the command line printing `hint` after the sentence.
    Error with_cli_hint(const std::string& hint) const { return with_cli_text(message_ + hint); }
    // The same error, the command line printing `text` instead of the sentence.
    Error with_cli_text(const std::string& text) const {
        Error e(kind_, text);
        e.message_ = message_;
        return e;
    }

private:
    ErrorKind kind_;
    std::string message_;
};

// The database was held by another writer for the whole of an attempt: whoever retries whole transactions
// catches it (storage), and a front end that meets it shows its message (exit 1, SPEC "Exit codes"). Not an
// Error on purpose: the places that turn a kind of Error into a row problem or another message must not
// swallow it, or the retry above them would never see it.
struct Busy : std::runtime_error {
    Busy() : std::runtime_error("数据库正被其他程序占用，请稍后再试") {}
    explicit Busy(const std::string& message) : std::runtime_error(message) {}
};

inline Error storage_error(const std::string& m) {
    return Error(ErrorKind::Storage, m);
}
inline Error usage_error(const std::string& m) {
    return Error(ErrorKind::Usage, m);
}
inline Error refused(const std::string& m) {
    return Error(ErrorKind::Refused, m);
}
inline Error not_allowed(const std::string& m) {
    return Error(ErrorKind::NotAllowed, m);
}
inline Error not_found(const std::string& m) {
    return Error(ErrorKind::NotFound, m);
}

}  // namespace minsheng
