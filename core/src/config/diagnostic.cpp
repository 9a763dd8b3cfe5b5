#include "config/diagnostic.h"

#include "config/text_arg.h"
#include "lib/format.h"

namespace v3::config {

namespace {

// Where a named setting was found: an attribute of the element itself, or
// a child element's text (then messages point at the child).
struct Setting {
    bool present = false;
    StringView value;
    const xml::Element* at = nullptr;
};

Setting find_setting(const xml::Element& e, StringView name) {
    if (const StringView* value = e.attribute(name))
        return {true, value->trimmed(), &e};
    if (const xml::Element* child = e.child(name))
        return {true, child->text(), child};
    return {false, StringView(), &e};
}

constexpr const char* kTrueWords[] = {"true", "yes", "enable", "on", "1"};
constexpr const char* kFalseWords[] = {"false", "no", "disable", "off", "0"};

enum class NumberStatus { Ok, NotANumber, TooLarge };

NumberStatus parse_number(StringView text, u64& value) {
    text = text.trimmed();
    bool hex = text.length() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X');
    StringView digits = hex ? text.substring(2) : text;
    if (digits.is_empty())
        return NumberStatus::NotANumber;
    bool too_large = false;
    u64 result = 0;
    for (char c : digits) {
        u64 digit;
        if (c >= '0' && c <= '9')
            digit = u64(c - '0');
        else if (hex && c >= 'a' && c <= 'f')
            digit = u64(c - 'a' + 10);
        else if (hex && c >= 'A' && c <= 'F')
            digit = u64(c - 'A' + 10);
        else
            return NumberStatus::NotANumber;
        u64 base = hex ? 16 : 10;
        if (result > (~u64(0) - digit) / base)
            too_large = true;
        else
            result = result * base + digit;
    }
    if (too_large)
        return NumberStatus::TooLarge;
    value = result;
    return NumberStatus::Ok;
}

} // namespace

usize format_element_path(const xml::Element& element, char* buffer, usize size) {
    const xml::Element* chain[xml::kMaxDepth];
    usize depth = 0;
    for (const xml::Element* e = &element; e && depth < xml::kMaxDepth; e = e->parent())
        chain[depth++] = e;
    usize n = 0;
    if (size)
        buffer[0] = 0;
    while (depth-- > 0) {
        const xml::Element& e = *chain[depth];
        n += format(buffer + n, size - n, "/%s", TextArg(e.name()).c_str());
        if (e.parent() && e.parent()->child_count(e.name()) > 1)
            n += format(buffer + n, size - n, "[%zu]", e.index_among_same_name());
    }
    return n;
}

Error Diagnostic::fail(const xml::Element& where, const char* fmt, ...) {
    usize n = format_element_path(where, message, sizeof message);
    if (const StringView* id = where.attribute("id"))
        n += format(message + n, sizeof message - n, " (id=%s)", TextArg(*id).c_str());
    n += format(message + n, sizeof message - n, ": ");
    __builtin_va_list args;
    __builtin_va_start(args, fmt);
    vformat(message + n, sizeof message - n, fmt, args);
    __builtin_va_end(args);
    return kInvalidConfiguration;
}

Error Diagnostic::fail_document(const char* fmt, ...) {
    __builtin_va_list args;
    __builtin_va_start(args, fmt);
    vformat(message, sizeof message, fmt, args);
    __builtin_va_end(args);
    return kInvalidConfiguration;
}

Error Diagnostic::fail_as(Error error, const char* fmt, ...) {
    __builtin_va_list args;
    __builtin_va_start(args, fmt);
    vformat(message, sizeof message, fmt, args);
    __builtin_va_end(args);
    return error;
}

bool parse_unsigned(StringView text, u64& value) {
    return parse_number(text, value) == NumberStatus::Ok;
}

Result<u64> read_unsigned(const xml::Element& e, StringView name, u64 min, u64 max,
                          u64 default_value, bool required, Diagnostic& diag) {
    TextArg shown(name);
    Setting setting = find_setting(e, name);
    if (!setting.present) {
        if (required)
            return diag.fail(e, "missing '%s' (an attribute or a <%s> child element)",
                             shown.c_str(), shown.c_str());
        return default_value;
    }
    if (setting.value.is_empty())
        return diag.fail(*setting.at, "'%s' is empty: expected a number", shown.c_str());
    u64 value = 0;
    switch (parse_number(setting.value, value)) {
    case NumberStatus::NotANumber:
        return diag.fail(*setting.at, "'%s' value '%s' is not a number (use decimal or 0x hex)",
                         shown.c_str(), TextArg(setting.value).c_str());
    case NumberStatus::TooLarge:
        return diag.fail(*setting.at, "'%s' value '%s' does not fit in 64 bits", shown.c_str(),
                         TextArg(setting.value).c_str());
    case NumberStatus::Ok:
        break;
    }
    if (value < min || value > max) {
        bool hex = setting.value.starts_with("0x") || setting.value.starts_with("0X");
        return diag.fail(*setting.at,
                         hex ? "'%s' value '%s' is out of range [0x%llx, 0x%llx]"
                             : "'%s' value '%s' is out of range [%llu, %llu]",
                         shown.c_str(), TextArg(setting.value).c_str(), (unsigned long long)min,
                         (unsigned long long)max);
    }
    return value;
}

Result<bool> read_bool(const xml::Element& e, StringView name, bool default_value,
                       Diagnostic& diag) {
    Setting setting = find_setting(e, name);
    if (!setting.present)
        return default_value;
    const StringView v = setting.value;
    for (const char* word : kTrueWords)
        if (v.equals_ignoring_case(word))
            return true;
    for (const char* word : kFalseWords)
        if (v.equals_ignoring_case(word))
            return false;
    return diag.fail(*setting.at,
                     "'%s' value '%s' is not a boolean (use true/false, yes/no, enable/disable, "
                     "on/off or 1/0)",
                     TextArg(name).c_str(), TextArg(v).c_str());
}

Result<StringView> read_string(const xml::Element& e, StringView name, bool required,
                               Diagnostic& diag) {
    Setting setting = find_setting(e, name);
    if (!required)
        return setting.value;
    TextArg shown(name);
    if (!setting.present)
        return diag.fail(e, "missing '%s' (an attribute or a <%s> child element)", shown.c_str(),
                         shown.c_str());
    if (setting.value.is_empty())
        return diag.fail(*setting.at, "'%s' must not be empty", shown.c_str());
    return setting.value;
}

} // namespace v3::config
