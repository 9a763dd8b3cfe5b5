// Bounded formatting into a caller's buffer (vsnprintf's common subset:
// %s %c %d %i %u %x %X %p %%, with l/ll/z length, a width (or *) with 0 or
// - flags, and a precision for %s, including %.*s for StringViews). The kernel has no libc, so the
// core carries its own; it is used for error messages that name element paths and values.
#pragma once

#include "lib/types.h"

namespace v3 {

// Always NUL-terminates when size > 0. Returns the number of characters
// written (not counting the NUL), truncating at size - 1.
usize format(char* buffer, usize size, const char* fmt, ...) __attribute__((format(printf, 3, 4)));
usize vformat(char* buffer, usize size, const char* fmt, __builtin_va_list args);

} // namespace v3
