#include "lib/log.h"
#include "lib/host.h"

namespace v3 {

void log(v3_log_level level, const char* fmt, ...) {
    if (!host_is_set() || !host().vprint)
        return;
    __builtin_va_list args;
    __builtin_va_start(args, fmt);
    host().vprint(level, fmt, args);
    __builtin_va_end(args);
}

} // namespace v3
