// Configuration errors that say where they are: every rejection names the
// element path (/vm/devices/device[3]) and, when it has one, the element's
// id, so a user can find the offending line in a long config. The readers
// here are what each device uses to pull numbers, booleans and strings out
// of its own config subtree with that same reporting.
#pragma once

#include "config/xml.h"
#include "lib/result.h"
#include "lib/string_view.h"
#include "lib/types.h"

namespace v3::config {

struct Diagnostic {
    char message[320] = {};

    // Formats "PATH (id=ID): " followed by the printf-style text. PATH is like
    // /vm/devices/device[3]: the [n] appears only where the element has
    // siblings of the same name. Returns the Error callers pass up, so a
    // check reads `return diag.fail(e, "...")`.
    Error fail(const xml::Element& where, const char* fmt, ...)
        __attribute__((format(printf, 3, 4)));
    // For problems that belong to no element (e.g. XML syntax errors, which
    // the caller formats as "line L, column C: ...").
    Error fail_document(const char* fmt, ...) __attribute__((format(printf, 2, 3)));
    // The message as fail_document writes it, returning `error` (for checks
    // whose failure is not a configuration error, e.g. of the image).
    Error fail_as(Error error, const char* fmt, ...) __attribute__((format(printf, 3, 4)));
};

// The error every configuration rejection returns.
inline constexpr Error kInvalidConfiguration{Errno::Inval, "invalid configuration"};

// Writes the path of `element` (e.g. /vm/devices/device[3]) into buffer;
// returns the length written (truncated to size - 1, always terminated).
usize format_element_path(const xml::Element& element, char* buffer, usize size);

// Parses decimal or 0x-prefixed hexadecimal text (surrounding whitespace
// allowed). False on anything else, including overflow of 64 bits.
bool parse_unsigned(StringView text, u64& value);

// Reads attribute `name`, or else the text of child element <name>. Accepts
// decimal and 0x hex; rejects garbage, overflow and values outside
// [min, max], naming the value and the range. When absent: an error if
// `required`, otherwise default_value.
Result<u64> read_unsigned(const xml::Element& e, StringView attribute_or_child, u64 min, u64 max,
                          u64 default_value, bool required, Diagnostic& diag);

// true/false, yes/no, enable/disable, on/off, 1/0 (any case); default_value
// when absent.
Result<bool> read_bool(const xml::Element& e, StringView name, bool default_value,
                       Diagnostic& diag);

// Attribute or child text. An empty view when absent and not required; a
// required value must also be non-empty.
Result<StringView> read_string(const xml::Element& e, StringView name, bool required,
                               Diagnostic& diag);

} // namespace v3::config
