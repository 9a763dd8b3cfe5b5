#include "vm/guest_clock.h"

namespace v3 {

Result<void> GuestClock::subscribe(TimeListener& listener) {
    if (!listeners_.try_append(&listener))
        return make_error(Errno::NoMem, "out of memory for a time listener");
    return {};
}

void GuestClock::unsubscribe(TimeListener& listener) {
    for (usize i = listeners_.size(); i > 0; --i)
        if (listeners_[i - 1] == &listener)
            listeners_.remove(i - 1);
}

Result<void> GuestClock::advance(u64 elapsed_ns) {
    if (elapsed_ns == 0)
        return {};
    u64 previous = now_ns_;
    now_ns_ += elapsed_ns;
    for (TimeListener* l : listeners_)
        TRY(l->advance_time(previous, now_ns_));
    return {};
}

u64 GuestClock::next_event_ns() const {
    u64 earliest = kNoTimeEvent;
    for (const TimeListener* l : listeners_) {
        u64 event = l->next_event_ns(now_ns_);
        if (event < earliest)
            earliest = event;
    }
    return earliest;
}

} // namespace v3
