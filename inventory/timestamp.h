// Timestamps as the inventory stores them: UTC, ISO-8601, milliseconds
// ("2024-05-01T12:34:56.789Z"), so they sort as text.
#pragma once

#include <chrono>
#include <string>

namespace inventory {

std::string utc_timestamp(std::chrono::system_clock::time_point when);
std::string utc_timestamp_now();

} // namespace inventory
