// Guest time. The core (the run loop in the kernel, the test harness in
// process) hands in elapsed host time; timer devices (PIT, RTC) subscribe and
// advance their counters from it. Nanoseconds, integer only: no floating
// point in the kernel.
#pragma once

#include "lib/result.h"
#include "lib/vector.h"

namespace v3 {

class TimeListener {
public:
    virtual ~TimeListener() = default;
    // Guest time moved from previous_ns to now_ns (now_ns > previous_ns).
    virtual Result<void> advance_time(u64 previous_ns, u64 now_ns) = 0;
};

class GuestClock {
public:
    u64 now_ns() const { return now_ns_; }
    Result<void> subscribe(TimeListener& listener);
    void unsubscribe(TimeListener& listener);
    // Moves time forward by `elapsed_ns` and tells every listener.
    Result<void> advance(u64 elapsed_ns);
    // Back to time zero (a VM reset for its relaunch); listeners stay.
    void reset() { now_ns_ = 0; }

private:
    u64 now_ns_ = 0;
    Vector<TimeListener*> listeners_;
};

} // namespace v3
