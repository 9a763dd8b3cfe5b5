// Events the host delivers to a VM (Palacios' v3_deliver_*_event): keyboard
// scancodes and mouse packets from a console, periodic timer ticks, and
// console resizes. Devices subscribe to the kinds they care about.
#pragma once

#include "lib/result.h"
#include "lib/vector.h"

namespace v3 {

struct KeyboardEvent {
    u8 status;    // 8042 status the host saw (usually 0)
    u8 scan_code; // set-1 make/break code; 0xE0 prefixes arrive as their own event
};

struct MouseEvent {
    u8 data[3]; // a standard PS/2 packet: buttons/signs, dx, dy
};

struct TimerEvent {
    u64 period_us; // time since the previous tick
};

struct ConsoleEvent {
    u32 columns;
    u32 rows;
};

class HostEventListener {
public:
    virtual ~HostEventListener() = default;
    virtual Result<void> on_keyboard(const KeyboardEvent&) { return {}; }
    virtual Result<void> on_mouse(const MouseEvent&) { return {}; }
    virtual Result<void> on_timer(const TimerEvent&) { return {}; }
    virtual Result<void> on_console(const ConsoleEvent&) { return {}; }
};

enum HostEventKind : u8 {
    kKeyboardEvents = 1 << 0,
    kMouseEvents = 1 << 1,
    kTimerEvents = 1 << 2,
    kConsoleEvents = 1 << 3,
};

class HostEvents {
public:
    Result<void> subscribe(u8 kinds, HostEventListener& listener);
    void unsubscribe(HostEventListener& listener);

    // Each returns the first listener error (the VM then fail-stops).
    Result<void> deliver(const KeyboardEvent& event);
    Result<void> deliver(const MouseEvent& event);
    Result<void> deliver(const TimerEvent& event);
    Result<void> deliver(const ConsoleEvent& event);

private:
    struct Subscription {
        u8 kinds;
        HostEventListener* listener;
    };
    Vector<Subscription> subscriptions_;
};

} // namespace v3
