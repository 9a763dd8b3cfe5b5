// Result<T> for libv3ctl: a value, or an Error carrying the errno and one
// sentence that says what failed, why, and what to do.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace v3ctl {

struct Error {
    int errnum = 0;      // errno value (0 when no errno applies)
    std::string message; // one sentence, no trailing newline
};

template <typename T> class [[nodiscard]] Result {
public:
    Result(T value) : state_(std::move(value)) {}
    Result(Error error) : state_(std::move(error)) {}

    bool ok() const { return std::holds_alternative<T>(state_); }
    explicit operator bool() const { return ok(); }
    T& value() { return std::get<T>(state_); }
    const T& value() const { return std::get<T>(state_); }
    const Error& error() const { return std::get<Error>(state_); }

private:
    std::variant<T, Error> state_;
};

struct Ok {};

// "what: strerror(errnum)" plus an optional hint.
Error errnoError(int errnum, const std::string& what, const std::string& hint = {});

} // namespace v3ctl
