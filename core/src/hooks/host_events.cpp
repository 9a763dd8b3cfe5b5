#include "hooks/host_events.h"

namespace v3 {

Result<void> HostEvents::subscribe(u8 kinds, HostEventListener& listener) {
    if (!subscriptions_.try_append(Subscription{kinds, &listener}))
        return make_error(Errno::NoMem, "out of memory for an event subscription");
    return {};
}

void HostEvents::unsubscribe(HostEventListener& listener) {
    for (usize i = subscriptions_.size(); i > 0; --i)
        if (subscriptions_[i - 1].listener == &listener)
            subscriptions_.remove(i - 1);
}

#define V3_DELIVER(Type, kind, method)                                                             \
    Result<void> HostEvents::deliver(const Type& event) {                                          \
        for (Subscription & s : subscriptions_)                                                    \
            if (s.kinds & kind)                                                                    \
                TRY(s.listener->method(event));                                                    \
        return {};                                                                                 \
    }

V3_DELIVER(KeyboardEvent, kKeyboardEvents, on_keyboard)
V3_DELIVER(MouseEvent, kMouseEvents, on_mouse)
V3_DELIVER(TimerEvent, kTimerEvents, on_timer)
V3_DELIVER(ConsoleEvent, kConsoleEvents, on_console)

#undef V3_DELIVER

} // namespace v3
