#include "vm/vcore_signal.h"
#include "lib/host.h"

namespace v3 {

Result<OwnPtr<VcoreSignal>> VcoreSignal::try_create() {
    OwnPtr<VcoreSignal> signal(new (alloc) VcoreSignal);
    if (!signal)
        return make_error(Errno::NoMem, "out of memory for a core's wakeup signal");
    signal->waiter_ = host().waiter_alloc();
    signal->timer_ = host().timer_alloc(timer_fired, signal.get());
    signal->kick_ = host().kick_alloc();
    if (!signal->waiter_ || !signal->timer_ || !signal->kick_)
        return make_error(Errno::NoMem, "the host could not make a core's waiter, timer or kick");
    return signal;
}

VcoreSignal::~VcoreSignal() {
    // The timer first: its callback notifies, which uses the others.
    if (timer_)
        host().timer_free(timer_);
    if (kick_)
        host().kick_free(kick_);
    if (waiter_)
        host().waiter_free(waiter_);
}

void VcoreSignal::notify() {
    __atomic_store_n(&pending_, 1u, __ATOMIC_SEQ_CST);
    host().waiter_wake(waiter_);
    int cpu = __atomic_load_n(&guest_cpu_, __ATOMIC_SEQ_CST);
    if (cpu >= 0 && unsigned(cpu) != host().current_cpu())
        host().kick_cpu(kick_, unsigned(cpu));
    // On the core's own CPU no kick is needed: this code runs there in host
    // mode, so the guest already exited (a timer's interrupt did it).
}

void VcoreSignal::wait(u64 deadline_ns) {
    (void)host().waiter_wait(waiter_, &pending_, deadline_ns);
}

void VcoreSignal::arm_timer(u64 deadline_ns) {
    if (deadline_ns == armed_deadline_)
        return;
    armed_deadline_ = deadline_ns;
    if (deadline_ns)
        host().timer_arm(timer_, deadline_ns);
    else
        host().timer_cancel(timer_);
}

void VcoreSignal::timer_fired(void* self) {
    auto* signal = static_cast<VcoreSignal*>(self);
    signal->notify();
}

} // namespace v3
