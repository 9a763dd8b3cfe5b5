// Result<T> for userspace (libv3ctl, the inventory, the tools and the GUI):
// a value, or an Error carrying the errno and one sentence that says what
// failed, why, and what to do. TRY propagates an Error out of a function
// that itself returns a Result.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace v3ctl {

struct Error {
    int errnum = 0;      // errno value (0 when no errno applies)
    std::string message; // one sentence, no trailing newline
};

// The same shape as the core's v3::Result (core/src/lib/result.h): ok() /
// is_error(), error(), and release_value() for TRY.
template <typename T> class [[nodiscard]] Result {
public:
    Result(T value) : state_(std::move(value)) {}
    Result(Error error) : state_(std::move(error)) {}

    bool ok() const { return std::holds_alternative<T>(state_); }
    bool is_error() const { return !ok(); }
    explicit operator bool() const { return ok(); }
    T& value() { return std::get<T>(state_); }
    const T& value() const { return std::get<T>(state_); }
    const Error& error() const { return std::get<Error>(state_); }
    // Moves the value out (TRY's yield); only on a Result that is ok().
    T release_value() { return std::move(std::get<T>(state_)); }

private:
    std::variant<T, Error> state_;
};

struct Ok {};

// "what: strerror(errnum)" plus an optional hint.
Error errnoError(int errnum, const std::string& what, const std::string& hint = {});

} // namespace v3ctl

// Evaluates a Result-returning expression; on error returns the error from the
// enclosing function, otherwise yields the value (GNU statement expression).
// Token for token the core's TRY (core/src/lib/result.h), so a file that sees
// both headers gets one macro that works for both Result types.
#define TRY(expression)                                                                            \
    ({                                                                                             \
        auto _v3_result = (expression);                                                            \
        if (_v3_result.is_error())                                                                 \
            return _v3_result.error();                                                             \
        _v3_result.release_value();                                                                \
    })
