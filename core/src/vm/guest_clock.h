// Guest time. The core (the run loop in the kernel, the test harness in
// process) hands in elapsed host time; timer devices (PIT, RTC) subscribe and
// advance their counters from it. Nanoseconds, integer only: no floating
// point in the kernel.
#pragma once

#include "lib/result.h"
#include "lib/vector.h"

namespace v3 {

// "No event is due": a listener with nothing scheduled.
inline constexpr u64 kNoTimeEvent = ~u64(0);

class TimeListener {
public:
    virtual ~TimeListener() = default;
    // Guest time moved from previous_ns to now_ns (now_ns > previous_ns).
    virtual Result<void> advance_time(u64 previous_ns, u64 now_ns) = 0;
    // The earliest guest time (> now_ns) at which advancing the clock would
    // make this device do something the guest can notice unprompted (raise
    // an interrupt), or kNoTimeEvent. The run loop arms the host timer for
    // the earliest over all listeners, so interrupts come on time whether or
    // not the guest exits. A device a guest only polls needs none.
    virtual u64 next_event_ns(u64 now_ns) const {
        (void)now_ns;
        return kNoTimeEvent;
    }
};

class GuestClock {
public:
    u64 now_ns() const { return now_ns_; }
    Result<void> subscribe(TimeListener& listener);
    void unsubscribe(TimeListener& listener);
    // Moves time forward by `elapsed_ns` and tells every listener.
    Result<void> advance(u64 elapsed_ns);
    // The earliest next_event_ns() of the listeners (kNoTimeEvent: none).
    u64 next_event_ns() const;
    // Back to time zero (a VM reset for its relaunch); listeners stay.
    void reset() { now_ns_ = 0; }
    // Guest time as a checkpoint recorded it (before the devices, which
    // restore their times relative to now); listeners stay.
    void restore(u64 now_ns) { now_ns_ = now_ns; }

private:
    u64 now_ns_ = 0;
    Vector<TimeListener*> listeners_;
};

} // namespace v3
