// Calendar arithmetic for the MC146818 real-time clock: a broken-down date
// and time that advances second by second with real month lengths and
// Gregorian leap years, as the RTC's own update cycle does. Kept apart from
// the device so the date rules can be read and tested on their own.
#pragma once

#include "lib/string_view.h"
#include "lib/types.h"

namespace v3::devices::rtc {

inline constexpr u32 kMinYear = 1900;
inline constexpr u32 kMaxYear = 9999; // the century byte holds 00-99

// Fields hold what the guest last wrote, which may be out of range (an RTC
// stores whatever it is given); the arithmetic below copes with any value.
struct CalendarTime {
    u16 year = 2000;    // full year (the RTC shows year % 100 and the century byte)
    u8 month = 1;       // 1-12
    u8 day = 1;         // 1-31
    u8 hour = 0;        // 0-23 (12-hour mode is only a way of showing it)
    u8 minute = 0;      // 0-59
    u8 second = 0;      // 0-59
    u8 day_of_week = 7; // 1-7, Sunday = 1 (2000-01-01 was a Saturday)
};

bool is_leap_year(u32 year);
// Days in `month` of `year`; 31 for a month outside 1-12, so a garbage month
// still rolls over.
u8 days_in_month(u32 year, u32 month);
// 1-7, Sunday = 1, in the proleptic Gregorian calendar.
u8 day_of_week(u32 year, u32 month, u32 day);

// One RTC update cycle: the next second, carrying into minutes, hours, the
// day of the week, the date, the month and the year (9999 wraps to 0).
void advance_one_second(CalendarTime& time);
// `seconds` update cycles at once (for long gaps in guest time).
void advance_seconds(CalendarTime& time, u64 seconds);

// Parses "YYYY-MM-DDTHH:MM:SS" (kMinYear..kMaxYear, a real date, 24-hour
// time) into `time`, computing the day of the week. Returns nullptr on
// success, otherwise what is wrong (a static message).
const char* parse_iso_datetime(StringView text, CalendarTime& time);

} // namespace v3::devices::rtc
