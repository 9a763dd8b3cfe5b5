// Result<T>: a value or an Error, the core's only way to report failure
// (no exceptions in the kernel). Error carries an errno for the host and a
// static sentence for the log.
#pragma once

#include "lib/errno.h"
#include "lib/types.h"

namespace v3 {

struct Error {
    Errno code;
    const char* message; // static storage; says what failed and why

    constexpr int negative_errno() const { return -static_cast<int>(code); }
};

constexpr Error make_error(Errno code, const char* message) {
    return Error{code, message};
}

template <typename T> class [[nodiscard]] Result {
public:
    Result(const T& value) : has_value_(true) { new (&storage_) T(value); }
    Result(T&& value) : has_value_(true) { new (&storage_) T(move(value)); }
    Result(Error error) : has_value_(false), error_(error) {}
    Result(Result&& other) : has_value_(other.has_value_), error_(other.error_) {
        if (has_value_)
            new (&storage_) T(move(other.value()));
    }
    Result(const Result&) = delete;
    Result& operator=(const Result&) = delete;
    ~Result() {
        if (has_value_)
            value().~T();
    }

    bool is_error() const { return !has_value_; }
    explicit operator bool() const { return has_value_; }
    const Error& error() const { return error_; }

    T& value() { return *reinterpret_cast<T*>(&storage_); }
    const T& value() const { return *reinterpret_cast<const T*>(&storage_); }
    T release_value() { return move(value()); }

private:
    alignas(T) unsigned char storage_[sizeof(T)];
    bool has_value_;
    Error error_{Errno::Inval, nullptr};
};

template <> class [[nodiscard]] Result<void> {
public:
    Result() = default;
    Result(Error error) : ok_(false), error_(error) {}

    bool is_error() const { return !ok_; }
    explicit operator bool() const { return ok_; }
    const Error& error() const { return error_; }
    void release_value() {}

private:
    bool ok_ = true;
    Error error_{Errno::Inval, nullptr};
};

} // namespace v3

// Evaluates a Result-returning expression; on error returns the error from the
// enclosing function, otherwise yields the value (GNU statement expression).
#define TRY(expression)                                                                            \
    ({                                                                                             \
        auto _v3_result = (expression);                                                            \
        if (_v3_result.is_error())                                                                 \
            return _v3_result.error();                                                             \
        _v3_result.release_value();                                                                \
    })
