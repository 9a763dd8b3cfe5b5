#include "vm/vm_runtime.h"
#include "boot/linux_boot.h"
#include "lib/format.h"
#include "lib/host.h"
#include "lib/log.h"
#include "vm/vm.h"

namespace v3 {

namespace {

constexpr unsigned long kHaltSleepUs = 500;
constexpr unsigned long kParkSleepUs = 1000;
constexpr unsigned kPauseWaitIterations = 10000; // 10 s at 1 ms

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
    runtime->backend_ = move(backend);
    if (!runtime->cores_.try_reserve(vm.num_cores()))
        return make_error(Errno::NoMem, "out of memory for virtual cores");
    for (u32 id = 0; id < vm.num_cores(); ++id)
        (void)runtime->cores_.try_append(TRY(runtime->backend_->create_vcore(id)));
    if (vm.linux_entry().entry)
        runtime->cores_[0]->start_linux_protected_mode(
            vm.linux_entry().entry, vm.linux_entry().boot_params, boot::kBootGdtAddress);
    return runtime;
}

VmRuntime::~VmRuntime() {
    stop();
    cores_.clear();
    backend_.reset();
}

int VmRuntime::core_thread_main(void* arg) {
    auto* t = static_cast<CoreThread*>(arg);
    t->runtime->run_core(*t->core);
    // Wait to be joined: kthread_stop expects the thread to still exist.
    while (!host().thread_should_stop())
        host().sleep_us(kParkSleepUs);
    return 0;
}

void VmRuntime::run_core(Vcore& core) {
    u64 last_ns = host().monotonic_ns();
    while (!stop_requested_ && !host().thread_should_stop()) {
        if (vm_.state() == VmState::Stopped || vm_.state() == VmState::Error)
            return;
        // A guest that never halts must not starve the host CPU it is bound
        // to: give the scheduler a chance on every pass (cheap when nothing
        // else wants the CPU), as KVM does before each entry.
        host().yield_cpu();
        if (pause_requested_) {
            core.pause_guest_time();
            __atomic_add_fetch(&parked_, 1, __ATOMIC_SEQ_CST);
            while (pause_requested_ && !stop_requested_ && !host().thread_should_stop())
                host().sleep_us(kParkSleepUs);
            __atomic_sub_fetch(&parked_, 1, __ATOMIC_SEQ_CST);
            core.resume_guest_time();
            last_ns = host().monotonic_ns(); // a pause is not guest time
            continue;
        }
        {
            DeviceLock lock(vm_);
            u64 now = host().monotonic_ns();
            // Core 0 keeps the VM's clock; the others only follow it.
            if (core.id() == 0 && now > last_ns) {
                auto advanced = vm_.clock().advance(now - last_ns);
                if (advanced.is_error()) {
                    vm_.fail("a timer device failed: %s", advanced.error().message);
                    return;
                }
            }
            last_ns = now;
            if (vm_.environment().streams)
                vm_.environment().streams->poll_input();
            core.prepare_interrupts();
        }
        if (core.halted()) {
            host().sleep_us(kHaltSleepUs);
            continue;
        }
        core.enter(); // the world switch runs without the lock
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
    // Threads start only on a VM in its created state: a stopped VM is
    // relaunched by resetting it and building a fresh runtime (vmm_vm.cpp).
    if (!threads_.is_empty() || vm_.state() != VmState::Created)
        return make_error(Errno::Busy, "the VM has already been launched");
    if (!threads_.try_reserve(cores_.size()))
        return make_error(Errno::NoMem, "out of memory for core threads");
    stop_requested_ = false;
    pause_requested_ = false;
    started_ns_ = host().monotonic_ns();
    vm_.set_state(VmState::Running);
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

Result<void> VmRuntime::pause() {
    if (!allows(vm_.state(), V3_VM_OP_PAUSE))
        return make_error(Errno::Inval, "only a running VM can be paused");
    pause_requested_ = true;
    for (unsigned i = 0; i < kPauseWaitIterations; ++i) {
        if (__atomic_load_n(&parked_, __ATOMIC_SEQ_CST) >= threads_.size() ||
            vm_.state() != VmState::Running)
            break;
        host().sleep_us(kParkSleepUs);
    }
    if (vm_.state() != VmState::Running) {
        pause_requested_ = false;
        return make_error(Errno::Inval, "the VM stopped while being paused");
    }
    if (__atomic_load_n(&parked_, __ATOMIC_SEQ_CST) < threads_.size()) {
        pause_requested_ = false;
        return make_error(Errno::TimedOut, "the VM's cores did not pause within 10 s");
    }
    vm_.set_state(VmState::Paused);
    return {};
}

Result<void> VmRuntime::resume() {
    if (!allows(vm_.state(), V3_VM_OP_CONTINUE))
        return make_error(Errno::Inval, "only a paused VM can be continued");
    vm_.set_state(VmState::Running);
    pause_requested_ = false;
    return {};
}

void VmRuntime::stop() {
    stop_requested_ = true;
    pause_requested_ = false;
    for (CoreThread* t : threads_) {
        host().thread_stop(t->thread);
        destroy(t);
    }
    threads_.clear();
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
