#include "timestamp.h"

#include <cstdio>
#include <ctime>

namespace inventory {

std::string utc_timestamp(std::chrono::system_clock::time_point when) {
    using namespace std::chrono;
    const auto since_epoch = floor<milliseconds>(when.time_since_epoch());
    const auto whole_seconds = floor<seconds>(since_epoch);
    const int millis = int((since_epoch - whole_seconds).count());
    const std::time_t secs = std::time_t(whole_seconds.count());
    std::tm utc{};
    gmtime_r(&secs, &utc);
    char text[64]; // room for any int values, so the output can never be cut short
    std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900,
                  utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, millis);
    return text;
}

std::string utc_timestamp_now() {
    return utc_timestamp(std::chrono::system_clock::now());
}

} // namespace inventory
