#include "decode/failure_detail.h"
#include "lib/format.h"

namespace v3::decode {

void FailureDetail::set(const char* reason, const u8* bytes, usize count) {
    usize used = format(text, sizeof text, "%s", reason);
    if (!bytes || count == 0)
        return;
    if (count > 15)
        count = 15;
    used += format(text + used, sizeof text - used, " (bytes:");
    for (usize i = 0; i < count && used < sizeof text; ++i)
        used += format(text + used, sizeof text - used, " %02x", unsigned(bytes[i]));
    if (used < sizeof text)
        format(text + used, sizeof text - used, ")");
}

void FailureDetail::append(const char* fmt, ...) {
    usize used = 0;
    while (used < sizeof text && text[used])
        ++used;
    if (used + 1 >= sizeof text)
        return;
    __builtin_va_list args;
    __builtin_va_start(args, fmt);
    vformat(text + used, sizeof text - used, fmt, args);
    __builtin_va_end(args);
}

} // namespace v3::decode
