#include "vm/vm_runtime.h"
#include "boot/linux_boot.h"
#include "lib/format.h"
#include "lib/host.h"
#include "lib/log.h"
#include "vm/vm.h"

namespace v3 {

namespace {

constexpr u64 kPauseTimeoutNs = 10ull * 1000 * 1000 * 1000;

// Holds the VM's device lock for a scope.
class DeviceLock {
public:
    explicit DeviceLock(Vm& vm) : vm_(vm) { vm_.lock_devices(); }
    ~DeviceLock() { vm_.unlock_devices(); }

private:
    Vm& vm_;
};

} // namespace

Result<OwnPtr<VmRuntime>> VmRuntime::try_create(Vm& vm, OwnPtr<VcoreBackend> backend) {
    if (!backend)
        return make_error(Errno::Inval, "a VM runtime needs a CPU backend");
    OwnPtr<VmRuntime> runtime(new (alloc) VmRuntime(vm));
    if (!runtime)
        return make_error(Errno::NoMem, "out of memory for the VM runtime");
    runtime->pause_waiter_ = host().waiter_alloc();
    if (!runtime->pause_waiter_)
        return make_error(Errno::NoMem, "the host could not make the VM's pause waiter");
    runtime->backend_ = move(backend);
    if (!runtime->cores_.try_reserve(vm.num_cores()))
        return make_error(Errno::NoMem, "out of memory for virtual cores");
    for (u32 id = 0; id < vm.num_cores(); ++id)
        (void)runtime->cores_.try_append(TRY(runtime->backend_->create_vcore(id)));
    if (vm.linux_entry().entry)
        runtime->cores_[0]->start_linux_protected_mode(
            vm.linux_entry().entry, vm.linux_entry().boot_params, boot::kBootGdtAddress);
    TRY(runtime->start_threads());
    return runtime;
}

Result<void> VmRuntime::start_threads() {
    // The threads exist from creation and wait for launch(): creating a
    // kernel thread waits for kthreadd (about 1 ms measured in the sandbox,
    // half of the launch-to-first-byte time), so launch only wakes them.
    if (!threads_.try_reserve(cores_.size()))
        return make_error(Errno::NoMem, "out of memory for core threads");
    unsigned cpus = host().cpu_count();
    for (usize i = 0; i < cores_.size(); ++i) {
        auto* t = new (alloc) CoreThread{this, cores_[i].get(), nullptr};
        if (!t) {
            stop();
            return make_error(Errno::NoMem, "out of memory for a core thread");
        }
        char name[32];
        format(name, sizeof name, "%s-%u", vm_.name_cstr(), unsigned(i));
        // Bind each core to a host CPU: the SVM host save area is per CPU.
        unsigned cpu = unsigned(i) % (cpus ? cpus : 1);
        while (cpus && !host().cpu_online(cpu))
            cpu = (cpu + 1) % cpus;
        t->thread = host().thread_start(core_thread_main, t, name, int(cpu));
        if (!t->thread) {
            destroy(t);
            stop();
            return make_error(Errno::NoMem, "the host could not start a core thread");
        }
        (void)threads_.try_append(t);
    }
    return {};
}

VmRuntime::~VmRuntime() {
    stop();
    cores_.clear();
    backend_.reset();
    if (pause_waiter_)
        host().waiter_free(pause_waiter_);
}

int VmRuntime::core_thread_main(void* arg) {
    auto* t = static_cast<CoreThread*>(arg);
    VcoreSignal& signal = t->runtime->vm_.core_signal(t->core->id());
    // Created with the VM: wait for launch() (or a stop before any launch).
    while (!__atomic_load_n(&t->runtime->launched_, __ATOMIC_ACQUIRE) &&
           !t->runtime->stop_requested_ && !host().thread_should_stop()) {
        signal.wait(0);
        (void)signal.take();
    }
    if (__atomic_load_n(&t->runtime->launched_, __ATOMIC_ACQUIRE))
        t->runtime->run_core(*t->core);
    // The VM stopped or failed: a pause in progress must not wait for this
    // core. Then wait to be joined (kthread_stop expects the thread to
    // still exist); thread_stop wakes the wait.
    t->runtime->settle_pause();
    while (!host().thread_should_stop()) {
        signal.wait(0);
        (void)signal.take();
    }
    return 0;
}

void VmRuntime::settle_pause() {
    __atomic_store_n(&pause_settled_, 1u, __ATOMIC_SEQ_CST);
    host().waiter_wake(pause_waiter_);
}

void VmRuntime::park(Vcore& core, VcoreSignal& signal) {
    core.pause_guest_time();
    __atomic_add_fetch(&parked_, 1, __ATOMIC_SEQ_CST);
    settle_pause();
    while (pause_requested_ && !stop_requested_ && !host().thread_should_stop()) {
        signal.wait(0); // resume() and stop() notify every core
        (void)signal.take();
    }
    __atomic_sub_fetch(&parked_, 1, __ATOMIC_SEQ_CST);
    core.resume_guest_time();
}

Result<void> VmRuntime::advance_clock() {
    u64 now = host().monotonic_ns();
    if (now <= clock_host_ns_)
        return {};
    u64 elapsed = now - clock_host_ns_;
    clock_host_ns_ = now;
    return vm_.clock().advance(elapsed);
}

u64 VmRuntime::timer_deadline_ns() const {
    u64 guest_now = vm_.clock().now_ns();
    u64 event = vm_.clock().next_event_ns();
    if (event == kNoTimeEvent)
        return 0;
    // The host instant at which the guest clock reaches `event`: guest time
    // runs at host speed from clock_host_ns_ (a pause moves that base).
    return clock_host_ns_ + (event > guest_now ? event - guest_now : 0);
}

void VmRuntime::run_core(Vcore& core) {
    VcoreSignal& signal = vm_.core_signal(core.id());
    // The PIC delivers to core 0, so core 0 keeps the timer; every core
    // moves guest time forward when it passes.
    const bool keeps_timer = core.id() == 0;
    while (!stop_requested_ && !host().thread_should_stop()) {
        if (vm_.state() == VmState::Stopped || vm_.state() == VmState::Error)
            return;
        // A guest that never halts must not starve the host CPU it is bound
        // to: give the scheduler a chance on every pass (cheap when nothing
        // else wants the CPU), as KVM does before each entry.
        host().yield_cpu();
        if (pause_requested_) {
            park(core, signal);
            continue;
        }
        u64 deadline = 0;
        {
            DeviceLock lock(vm_);
            auto advanced = advance_clock();
            if (advanced.is_error()) {
                vm_.fail("a timer device failed: %s", advanced.error().message);
                return;
            }
            if (vm_.environment().streams)
                vm_.environment().streams->poll_input();
            core.prepare_interrupts();
            if (keeps_timer)
                deadline = timer_deadline_ns();
            // Everything a notifier can have changed was looked at above;
            // what comes from now on raises the signal again.
            (void)signal.take();
        }
        if (keeps_timer)
            signal.arm_timer(deadline);
        if (core.halted()) {
            // Until an interrupt is raised for the VM, host input arrives,
            // the timer deadline comes, or the host pauses or stops it.
            signal.wait(0);
            continue;
        }
        signal.entering(host().current_cpu());
        bool entered = core.enter(signal.pending_flag()); // without the lock
        signal.left();
        if (!entered)
            continue;
        DeviceLock lock(vm_);
        auto handled = core.handle_exit();
        // The one fail-stop path: a handler returns an error, and the VM
        // fails here with the core's reason; the exits that led there go to
        // the log. A VM that a device already stopped stays stopped.
        if (handled.is_error()) {
            core.log_recent_exits();
            if (vm_.state() == VmState::Running) {
                char reason[240];
                core.describe_failure(handled.error(), reason, sizeof reason);
                vm_.fail("core %u: %s", core.id(), reason);
            }
            return;
        }
    }
}

Result<void> VmRuntime::launch() {
    // A runtime launches once, from the VM's created state: a stopped VM is
    // relaunched by resetting it and building a fresh runtime (vmm_vm.cpp).
    if (launched_ || vm_.state() != VmState::Created)
        return make_error(Errno::Busy, "the VM has already been launched");
    if (stop_requested_ || threads_.size() != cores_.size())
        return make_error(Errno::Inval, "the VM's core threads are gone; free it");
    pause_requested_ = false;
    started_ns_ = host().monotonic_ns();
    clock_host_ns_ = started_ns_; // guest time runs from the launch
    vm_.set_state(VmState::Running);
    __atomic_store_n(&launched_, true, __ATOMIC_RELEASE);
    vm_.wake_cores();
    return {};
}

Result<void> VmRuntime::pause() {
    if (!allows(vm_.state(), V3_VM_OP_PAUSE))
        return make_error(Errno::Inval, "only a running VM can be paused");
    __atomic_store_n(&pause_settled_, 0u, __ATOMIC_SEQ_CST);
    pause_requested_ = true;
    vm_.wake_cores(); // a halted core parks now, not at its next interrupt
    const u64 deadline = host().monotonic_ns() + kPauseTimeoutNs;
    // Each core that parks (or stops) raises pause_settled_ and wakes us.
    while (__atomic_load_n(&parked_, __ATOMIC_SEQ_CST) < threads_.size() &&
           vm_.state() == VmState::Running && host().monotonic_ns() < deadline) {
        (void)host().waiter_wait(pause_waiter_, &pause_settled_, deadline);
        __atomic_store_n(&pause_settled_, 0u, __ATOMIC_SEQ_CST);
    }
    if (vm_.state() != VmState::Running) {
        pause_requested_ = false;
        vm_.wake_cores();
        return make_error(Errno::Inval, "the VM stopped while being paused");
    }
    if (__atomic_load_n(&parked_, __ATOMIC_SEQ_CST) < threads_.size()) {
        pause_requested_ = false;
        vm_.wake_cores();
        return make_error(Errno::TimedOut, "the VM's cores did not pause within 10 s");
    }
    vm_.set_state(VmState::Paused);
    return {};
}

Result<void> VmRuntime::resume() {
    if (!allows(vm_.state(), V3_VM_OP_CONTINUE))
        return make_error(Errno::Inval, "only a paused VM can be continued");
    vm_.set_state(VmState::Running);
    {
        // Guest time did not pass while the cores were parked.
        DeviceLock lock(vm_);
        clock_host_ns_ = host().monotonic_ns();
    }
    pause_requested_ = false;
    vm_.wake_cores();
    return {};
}

void VmRuntime::stop() {
    stop_requested_ = true;
    pause_requested_ = false;
    vm_.wake_cores();
    for (CoreThread* t : threads_) {
        host().thread_stop(t->thread);
        destroy(t);
    }
    threads_.clear();
    // No core runs: nothing may fire for this runtime any more (a relaunch
    // arms afresh).
    for (u32 i = 0; i < vm_.num_cores(); ++i)
        vm_.core_signal(i).arm_timer(0);
    if (allows(vm_.state(), V3_VM_OP_STOP))
        vm_.request_stop(0, "stopped by the host");
}

ExitStats VmRuntime::total_stats() const {
    ExitStats total;
    for (const OwnPtr<Vcore>& core : cores_) {
        const ExitStats& s = core->stats();
        for (u8 i = 0; i < u8(ExitReason::Count); ++i)
            total.counts[i] += s.counts[i];
        total.total += s.total;
    }
    return total;
}

} // namespace v3
