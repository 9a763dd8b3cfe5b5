// JSON string literals for the tools' --json output (no JSON library: the
// tools are static and small).
#pragma once

#include <cstdio>
#include <string>

namespace v3ctl {

// `text` as a quoted JSON string: quotes and backslashes escaped, control
// characters as \u00XX.
inline std::string jsonString(const std::string& text) {
    std::string out = "\"";
    for (char c : text) {
        if (c == '"' || c == '\\')
            out += '\\';
        if (static_cast<unsigned char>(c) < 0x20) {
            char escaped[8];
            std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
            out += escaped;
            continue;
        }
        out += c;
    }
    return out + "\"";
}

} // namespace v3ctl
