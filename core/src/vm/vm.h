// A virtual machine: its memory, hook tables, IRQ router, clock and devices,
// and its lifecycle state. Built from a validated configuration by
// Vm::try_create; VmRuntime's run loop (vm/vm_runtime.h) and the CPU backend
// behind vm/vcore.h drive it.
#pragma once

#include "uapi/v3vee_lifecycle.h"

#include "config/vm_config.h"
#include "devices/device_manager.h"
#include "hooks/cpuid_hooks.h"
#include "hooks/host_events.h"
#include "hooks/io_port_bus.h"
#include "hooks/memory_hooks.h"
#include "hooks/msr_hooks.h"
#include "intr/irq_router.h"
#include "lib/string.h"
#include "mem/guest_memory.h"
#include "vm/guest_clock.h"
#include "vm/host_console.h"
#include "vm/host_streams.h"
#include "vm/vcore_signal.h"

namespace v3 {

// The lifecycle's states (uapi/v3vee_lifecycle.h defines them, their names
// and which operation each allows). A VM here is only ever created, running,
// paused, stopped or error.
using VmState = v3vee::VmState;
inline const char* describe(VmState state) {
    return v3_vm_state_name(u32(state));
}
// The lifecycle's rule: whether a VM in `state` allows `op` (V3_VM_OP_*).
inline bool allows(VmState state, u32 op) {
    return v3_vm_op_allowed(u32(state), op) != 0;
}

// What the embedding offers a VM. Every member may be null; a device that
// needs a missing service fails to create with a message saying so.
struct VmEnvironment {
    StreamProvider* streams = nullptr;
    ConsoleProvider* consoles = nullptr; // the text console (CURSES_CONSOLE)
};

// Where core 0 starts when the VM boots a Linux kernel directly: the 32-bit
// protected-mode entry with ESI pointing at the zero page.
struct LinuxEntry {
    u64 entry = 0; // 0: no Linux boot, the reset vector runs the BIOS
    u64 boot_params = 0;
};

class Vm {
public:
    static Result<OwnPtr<Vm>> try_create(StringView name, const config::VmConfig& config,
                                         const VmEnvironment& environment,
                                         config::Diagnostic& diag);
    ~Vm();
    Vm(const Vm&) = delete;
    Vm& operator=(const Vm&) = delete;

    StringView name() const { return name_.view(); }
    const char* name_cstr() const { return name_.c_str(); }

    // Serialises device access between core threads (the device lock).
    void lock_devices();
    void unlock_devices();
    u32 num_cores() const { return num_cores_; }
    const VmEnvironment& environment() const { return environment_; }

    VmState state() const { return state_; }
    void set_state(VmState state) { state_ = state; }
    // Why the VM stopped or failed ("" while it runs).
    const char* stop_reason() const { return stop_reason_; }
    // The status a guest passed to a test device (TEST_EXIT, MMIO_TEST).
    u32 exit_code() const { return exit_code_; }

    // Fail-stop: something the VMM cannot handle happened. The VM enters the
    // error state with this reason (logged); the host is unaffected. Only the
    // run loop calls it, with the error an exit handler or device returned.
    void fail(const char* fmt, ...) __attribute__((format(printf, 2, 3)));
    // The VM ends without an error: the guest halted for good, reset through
    // the keyboard controller or wrote to a test device, or the host stopped
    // it.
    void request_stop(u32 exit_code, const char* reason);

    // Puts the VM back as try_create left it, for a relaunch: every device
    // in the state it was created in, guest time at zero, RAM cleared (the
    // caller loads the boot files again), no stop reason or exit code, the
    // state created. Only while no core runs.
    Result<void> reset_to_created();

    // True the first time the guest touches this MSR number that no model
    // or device has (so it is logged once). Call with the device lock held.
    bool first_unknown_msr_access(u32 msr);

    // Each core's wakeup signal (vm/vcore_signal.h), and waking them all:
    // what an interrupt for the VM, host input or a lifecycle request does.
    // wake_cores may be called from any thread, and with the device lock
    // held or not.
    VcoreSignal& core_signal(u32 core) { return *core_signals_[core]; }
    void wake_cores();
    static void wake_cores_callback(void* vm) { static_cast<Vm*>(vm)->wake_cores(); }

    const LinuxEntry& linux_entry() const { return linux_entry_; }
    void set_linux_entry(const LinuxEntry& entry) { linux_entry_ = entry; }

    IoPortBus& io_ports() { return io_ports_; }
    MemoryHooks& memory_hooks() { return memory_hooks_; }
    MsrHooks& msrs() { return msrs_; }
    CpuidHooks& cpuid() { return cpuid_; }
    HostEvents& host_events() { return host_events_; }
    IrqRouter& irqs() { return irqs_; }
    GuestClock& clock() { return clock_; }
    GuestMemory& memory() { return *memory_; }
    const GuestMemory& memory() const { return *memory_; }
    devices::DeviceManager& devices() { return devices_; }

private:
    Vm() = default;

    String name_;
    void* device_lock_ = nullptr; // host mutex
    u32 num_cores_ = 0;
    VmEnvironment environment_;
    VmState state_ = VmState::Created;
    char stop_reason_[256] = {};
    u32 exit_code_ = 0;
    LinuxEntry linux_entry_;
    Vector<u32> unknown_msrs_logged_;
    // The devices' state right after creation (a device snapshot) and the
    // IRQ line levels then: what reset_to_created() returns to.
    Vector<u8> created_device_state_;
    IrqRouter::Levels created_irq_levels_;

    // Declared before the devices: devices unregister from these when they
    // are destroyed, which happens first (members die in reverse order).
    // The core signals outlive the devices too: a stream's input
    // notification reaches them until the stream closes.
    Vector<OwnPtr<VcoreSignal>> core_signals_;
    IoPortBus io_ports_;
    MemoryHooks memory_hooks_;
    MsrHooks msrs_;
    CpuidHooks cpuid_;
    HostEvents host_events_;
    IrqRouter irqs_;
    GuestClock clock_;
    OwnPtr<GuestMemory> memory_;
    devices::DeviceManager devices_;
};

} // namespace v3
