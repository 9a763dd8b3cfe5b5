// Logging through the host's print service. Messages are prefixed with
// "v3vee: " here so every host shows the same text.
#pragma once

#include <v3/host.h>

namespace v3 {

void log(v3_log_level level, const char* fmt, ...) __attribute__((format(printf, 2, 3)));

} // namespace v3

#define V3_ERROR(...) ::v3::log(V3_LOG_ERROR, __VA_ARGS__)
#define V3_WARN(...) ::v3::log(V3_LOG_WARNING, __VA_ARGS__)
#define V3_INFO(...) ::v3::log(V3_LOG_INFO, __VA_ARGS__)
#define V3_DEBUG(...) ::v3::log(V3_LOG_DEBUG, __VA_ARGS__)
