// How a virtual core learns, at once, that something needs it: an interrupt
// was raised for the VM, host input arrived, its timer deadline came, the
// host wants it paused, continued or stopped. One per virtual core, owned by
// the Vm (so stream and IRQ notifications, which may come from any thread,
// always find it alive).
//
// The protocol, for one core thread and any number of notifiers:
//  - notify() raises `pending`, wakes the thread if it waits, and kicks the
//    CPU the core's guest runs on if that is another CPU (an IPI makes VMRUN
//    exit). It may be called from any context, hard interrupts included.
//  - The core thread consumes `pending` (take()) after it has looked at
//    everything a notifier may have changed (with the device lock held), and
//    before entering the guest it publishes the CPU (entering()) and then,
//    with host interrupts held (GIF clear), checks `pending` again: a notify
//    after the consume either is seen there, or sees the published CPU and
//    kicks it, and the kick's interrupt ends the VMRUN at once.
//  - wait() blocks until `pending` is raised or the deadline passes.
#pragma once

#include "lib/alloc.h"
#include "lib/result.h"

namespace v3 {

class VcoreSignal {
public:
    static Result<OwnPtr<VcoreSignal>> try_create();
    ~VcoreSignal();
    VcoreSignal(const VcoreSignal&) = delete;
    VcoreSignal& operator=(const VcoreSignal&) = delete;

    void notify();
    // Consumes the pending notification; true when there was one.
    bool take() { return __atomic_exchange_n(&pending_, 0u, __ATOMIC_SEQ_CST) != 0; }
    const volatile u32* pending_flag() const { return &pending_; }
    bool is_pending() const { return __atomic_load_n(&pending_, __ATOMIC_SEQ_CST) != 0; }

    // Blocks the core thread until notified, the host deadline (monotonic
    // ns; 0: none) passes, or the thread is asked to stop.
    void wait(u64 deadline_ns);

    // The host timer: notify() at `deadline_ns` (host monotonic ns), or not
    // at all (0). Re-arming to the armed deadline costs nothing.
    void arm_timer(u64 deadline_ns);
    u64 armed_deadline() const { return armed_deadline_; }

    // Around the world switch, on the core thread.
    void entering(unsigned cpu) { __atomic_store_n(&guest_cpu_, int(cpu), __ATOMIC_SEQ_CST); }
    void left() { __atomic_store_n(&guest_cpu_, -1, __ATOMIC_SEQ_CST); }

private:
    VcoreSignal() = default;
    static void timer_fired(void* self);

    volatile u32 pending_ = 0;
    volatile int guest_cpu_ = -1; // the CPU in VMRUN for this core, or -1
    u64 armed_deadline_ = 0;
    void* waiter_ = nullptr;
    void* timer_ = nullptr;
    void* kick_ = nullptr;
};

} // namespace v3
