// An owned, NUL-terminated string over the host allocator. Creation can fail,
// so it goes through try_create.
#pragma once

#include "lib/alloc.h"
#include "lib/result.h"
#include "lib/string_view.h"

namespace v3 {

class String {
public:
    String() = default;
    static Result<String> try_create(StringView text) {
        char* chars = static_cast<char*>(allocate(text.length() + 1));
        if (!chars)
            return make_error(Errno::NoMem, "out of memory for a string");
        for (usize i = 0; i < text.length(); ++i)
            chars[i] = text[i];
        chars[text.length()] = 0;
        String s;
        s.chars_ = chars;
        s.length_ = text.length();
        return s;
    }
    String(String&& other) : chars_(other.chars_), length_(other.length_) {
        other.chars_ = nullptr;
        other.length_ = 0;
    }
    String& operator=(String&& other) {
        if (this != &other) {
            deallocate(chars_);
            chars_ = other.chars_;
            length_ = other.length_;
            other.chars_ = nullptr;
            other.length_ = 0;
        }
        return *this;
    }
    String(const String&) = delete;
    String& operator=(const String&) = delete;
    ~String() { deallocate(chars_); }

    StringView view() const { return chars_ ? StringView(chars_, length_) : StringView(); }
    const char* c_str() const { return chars_ ? chars_ : ""; }
    usize length() const { return length_; }
    bool is_empty() const { return length_ == 0; }
    bool operator==(StringView other) const { return view() == other; }

private:
    char* chars_ = nullptr;
    usize length_ = 0;
};

} // namespace v3
