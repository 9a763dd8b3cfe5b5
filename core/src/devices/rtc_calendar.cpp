#include "devices/rtc_calendar.h"

namespace v3::devices::rtc {

namespace {

constexpr u64 kSecondsPerDay = 86400;
// The Gregorian calendar repeats every 400 years: 146097 days, a whole
// number of weeks, so skipping a cycle changes neither dates nor weekdays.
constexpr u64 kDaysPer400Years = 146097;

void advance_one_day(CalendarTime& t) {
    t.day_of_week = t.day_of_week >= 7 ? 1 : u8(t.day_of_week + 1);
    if (t.day < days_in_month(t.year, t.month)) {
        ++t.day;
        return;
    }
    t.day = 1;
    if (t.month < 12) {
        ++t.month;
        return;
    }
    t.month = 1;
    t.year = t.year >= kMaxYear ? 0 : u16(t.year + 1);
}

// Reads exactly `digits` decimal digits at text[at].
bool read_digits(StringView text, usize at, usize digits, u32& value) {
    value = 0;
    for (usize i = 0; i < digits; ++i) {
        char c = text[at + i];
        if (c < '0' || c > '9')
            return false;
        value = value * 10 + u32(c - '0');
    }
    return true;
}

} // namespace

bool is_leap_year(u32 year) {
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

u8 days_in_month(u32 year, u32 month) {
    switch (month) {
    case 2:
        return is_leap_year(year) ? 29 : 28;
    case 4:
    case 6:
    case 9:
    case 11:
        return 30;
    default:
        return 31;
    }
}

u8 day_of_week(u32 year, u32 month, u32 day) {
    // Days since Monday 0001-01-01.
    u64 y = year ? year - 1 : 0;
    u64 days = 365 * y + y / 4 - y / 100 + y / 400;
    for (u32 m = 1; m < month && m <= 12; ++m)
        days += days_in_month(year, m);
    days += day ? day - 1 : 0;
    return u8((days + 1) % 7 + 1);
}

void advance_one_second(CalendarTime& t) {
    if (t.second < 59) {
        ++t.second;
        return;
    }
    t.second = 0;
    if (t.minute < 59) {
        ++t.minute;
        return;
    }
    t.minute = 0;
    if (t.hour < 23) {
        ++t.hour;
        return;
    }
    t.hour = 0;
    advance_one_day(t);
}

void advance_seconds(CalendarTime& t, u64 seconds) {
    u64 days = seconds / kSecondsPerDay;
    u64 rest = seconds % kSecondsPerDay;
    // Normalise the time of day first (the guest may have stored 75 seconds).
    u64 of_day = (u64(t.hour) * 60 + t.minute) * 60 + t.second + rest;
    days += of_day / kSecondsPerDay;
    of_day %= kSecondsPerDay;
    t.hour = u8(of_day / 3600);
    t.minute = u8(of_day / 60 % 60);
    t.second = u8(of_day % 60);
    if (days >= kDaysPer400Years) {
        u64 cycles = days / kDaysPer400Years;
        days %= kDaysPer400Years;
        t.year = u16((t.year + (cycles % 25) * 400) % (kMaxYear + 1));
    }
    while (days-- > 0)
        advance_one_day(t);
}

const char* parse_iso_datetime(StringView text, CalendarTime& time) {
    // YYYY-MM-DDTHH:MM:SS
    if (text.length() != 19 || text[4] != '-' || text[7] != '-' || text[10] != 'T' ||
        text[13] != ':' || text[16] != ':')
        return "is not a date and time of the form YYYY-MM-DDTHH:MM:SS";
    u32 year, month, day, hour, minute, second;
    if (!read_digits(text, 0, 4, year) || !read_digits(text, 5, 2, month) ||
        !read_digits(text, 8, 2, day) || !read_digits(text, 11, 2, hour) ||
        !read_digits(text, 14, 2, minute) || !read_digits(text, 17, 2, second))
        return "is not a date and time of the form YYYY-MM-DDTHH:MM:SS";
    if (year < kMinYear || year > kMaxYear)
        return "has a year outside 1900-9999";
    if (month < 1 || month > 12)
        return "has a month outside 01-12";
    if (day < 1 || day > days_in_month(year, month))
        return "has a day that this month does not have";
    if (hour > 23)
        return "has an hour outside 00-23";
    if (minute > 59)
        return "has a minute outside 00-59";
    if (second > 59)
        return "has a second outside 00-59";
    time.year = u16(year);
    time.month = u8(month);
    time.day = u8(day);
    time.hour = u8(hour);
    time.minute = u8(minute);
    time.second = u8(second);
    time.day_of_week = day_of_week(year, month, day);
    return nullptr;
}

} // namespace v3::devices::rtc
