// The architecture-neutral virtual CPU the run loop (vm/vm_runtime.cpp)
// drives, and the per-VM backend that creates one per core. AMD SVM
// implements both in arch/svm/; Intel VMX will be a second implementation,
// chosen when the VM is created (arch/cpu_backend.h). Nothing in vm/ knows
// which one runs: this interface and the Vm's public services are all the
// two sides share.
#pragma once

#include "lib/alloc.h"
#include "lib/result.h"
#include "vm/exit_stats.h"

namespace v3 {

namespace x86 {
struct Registers;
}
namespace chkpt {
class Reader;
class Writer;
} // namespace chkpt

class Vcore {
public:
    virtual ~Vcore() = default;

    virtual u32 id() const = 0;
    // True while the guest waits (HLT) for an interrupt: the run loop sleeps
    // instead of entering it.
    virtual bool halted() const = 0;

    // The x86 power-on state (CS:IP = F000:FFF0, the BIOS entry).
    virtual void reset() = 0;
    // The state the Linux 32-bit boot protocol requires instead of the reset
    // state: protected mode, paging off, flat segments from the loader's GDT
    // at gdt_base, interrupts off, ESI = boot_params.
    virtual void start_linux_protected_mode(u64 entry, u64 boot_params, u64 gdt_base) = 0;

    // Moves a pending interrupt from the VM's controllers towards the guest
    // (injected now, or an exit requested once the guest can take it). Call
    // with the VM's device lock held.
    virtual void prepare_interrupts() = 0;
    // Runs the guest until its next exit (the world switch; no lock held).
    // Once host interrupts are held off for the switch, a non-zero *cancel
    // (the core's pending wakeup, vm/vcore_signal.h) skips it: enter then
    // returns false and there is no exit to handle.
    virtual bool enter(const volatile u32* cancel) = 0;
    // Handles the exit enter() returned with; call with the device lock held.
    // An error is a fail-stop: the run loop fails the VM with the reason
    // describe_failure() gives for it. A handler never fails the VM itself.
    virtual Result<void> handle_exit() = 0;
    // The fail-stop reason for an error handle_exit() returned: what failed
    // (with the specifics the handler recorded, such as an address), the
    // exit, and the guest's state, e.g. "triple fault: ... (exit SHUTDOWN;
    // RIP 0x1000 CR0 0x11 CR3 0 CR4 0 EFER 0 exits IOIO,SHUTDOWN)".
    virtual void describe_failure(const Error& error, char* out, usize size) const = 0;
    // Logs the last exits in detail, for the host's log after a fail-stop.
    virtual void log_recent_exits() const = 0;

    // While the core is parked (the VM paused) guest time must not pass:
    // called when parking starts and when it ends.
    virtual void pause_guest_time() = 0;
    virtual void resume_guest_time() = 0;

    // Copies between the CPU state and the architecture-neutral register
    // file the instruction emulator uses.
    virtual void load_registers(x86::Registers& out) const = 0;
    virtual void store_registers(const x86::Registers& in) = 0;

    virtual const ExitStats& stats() const = 0;

    // Checkpoints (vmm_chkpt.cpp), only while the core does not run (the
    // VM created or paused): everything the guest can observe of this core,
    // its time as the guest TSC's value (so guest time continues from there
    // on load, wherever and whenever that is). load_state with apply false
    // only checks that the state is complete and valid for this CPU;
    // with apply true it installs it (and cannot fail on a state that
    // passed the check). A core that does not implement them (the test
    // stand-ins) refuses every checkpoint.
    virtual Result<void> save_state(chkpt::Writer& writer) const {
        (void)writer;
        return make_error(Errno::NotSup, "this virtual core cannot be checkpointed");
    }
    virtual Result<void> load_state(chkpt::Reader& reader, bool apply) {
        (void)reader;
        (void)apply;
        return make_error(Errno::NotSup, "this virtual core cannot be checkpointed");
    }
};

// One VM's CPU backend: what its cores share (for SVM the nested page tables
// and permission maps) and how a core is made. Outlives every core it made.
class VcoreBackend {
public:
    virtual ~VcoreBackend() = default;
    virtual Result<OwnPtr<Vcore>> create_vcore(u32 core_id) = 0;
};

} // namespace v3
