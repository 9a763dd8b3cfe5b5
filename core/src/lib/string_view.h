// A non-owning view of characters (not necessarily NUL-terminated).
#pragma once

#include "lib/types.h"

namespace v3 {

class StringView {
public:
    constexpr StringView() = default;
    constexpr StringView(const char* chars, usize length) : chars_(chars), length_(length) {}
    constexpr StringView(const char* cstring)
        : chars_(cstring), length_(cstring ? strlen(cstring) : 0) {}

    constexpr const char* data() const { return chars_; }
    constexpr usize length() const { return length_; }
    constexpr bool is_empty() const { return length_ == 0; }
    constexpr char operator[](usize i) const { return chars_[i]; }
    constexpr const char* begin() const { return chars_; }
    constexpr const char* end() const { return chars_ + length_; }

    constexpr StringView substring(usize start, usize count) const {
        if (start > length_)
            start = length_;
        if (count > length_ - start)
            count = length_ - start;
        return {chars_ + start, count};
    }
    constexpr StringView substring(usize start) const { return substring(start, length_); }

    constexpr bool operator==(StringView other) const {
        if (length_ != other.length_)
            return false;
        for (usize i = 0; i < length_; ++i)
            if (chars_[i] != other.chars_[i])
                return false;
        return true;
    }
    constexpr bool starts_with(StringView prefix) const {
        return prefix.length_ <= length_ && substring(0, prefix.length_) == prefix;
    }
    constexpr bool ends_with(StringView suffix) const {
        return suffix.length_ <= length_ && substring(length_ - suffix.length_) == suffix;
    }
    // Case-insensitive ASCII comparison.
    constexpr bool equals_ignoring_case(StringView other) const {
        if (length_ != other.length_)
            return false;
        for (usize i = 0; i < length_; ++i)
            if (to_lower(chars_[i]) != to_lower(other.chars_[i]))
                return false;
        return true;
    }
    // Index of the first `c`, or length() when absent.
    constexpr usize find(char c) const {
        for (usize i = 0; i < length_; ++i)
            if (chars_[i] == c)
                return i;
        return length_;
    }
    constexpr StringView trimmed() const {
        usize start = 0, stop = length_;
        while (start < stop && is_space(chars_[start]))
            ++start;
        while (stop > start && is_space(chars_[stop - 1]))
            --stop;
        return {chars_ + start, stop - start};
    }

    static constexpr usize strlen(const char* s) {
        usize n = 0;
        while (s[n])
            ++n;
        return n;
    }
    static constexpr bool is_space(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
    }
    static constexpr char to_lower(char c) { return (c >= 'A' && c <= 'Z') ? char(c + 32) : c; }

private:
    const char* chars_ = "";
    usize length_ = 0;
};

} // namespace v3
