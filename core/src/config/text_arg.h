// A StringView made printable with %s: copied into a NUL-terminated buffer,
// cut with "..." when long and with control characters shown as spaces, so
// a hostile value cannot flood or break a one-line message.
#pragma once

#include "lib/string_view.h"

namespace v3 {

class TextArg {
public:
    explicit TextArg(StringView text) {
        // Text that fits is kept whole; longer text keeps kKeep characters and "...".
        usize n = text.length() <= kKeep + 3 ? text.length() : kKeep;
        for (usize i = 0; i < n; ++i) {
            char c = text[i];
            text_[i] = (u8(c) < 0x20 || c == 0x7f) ? ' ' : c;
        }
        if (n < text.length())
            for (int dot = 0; dot < 3; ++dot)
                text_[n++] = '.';
        text_[n] = 0;
    }
    const char* c_str() const { return text_; }

private:
    static constexpr usize kKeep = 60;
    char text_[kKeep + 4];
};

} // namespace v3
