// One virtual CPU under AMD SVM: its VMCB, the guest registers outside the
// VMCB, the guest's FPU state, and the exit handlers. Driven by the VM's run
// loop (vm/vcore_runner), one thread per virtual core.
#pragma once

#include "arch/svm/vmcb.h"
#include "arch/svm/vmrun.h"
#include "arch/x86/cpu_model.h"
#include "arch/x86/registers.h"
#include "lib/alloc.h"
#include "lib/result.h"
#include "vm/exit_stats.h"

namespace v3 {
class Vm;
}

namespace v3::svm {

// Pages shared by every core of one VM: nested page tables and the I/O and
// MSR permission maps.
struct SharedControl {
    u64 nested_cr3 = 0;
    u64 iopm_pa = 0;
    u64 msrpm_pa = 0;
};

class SvmVcore {
public:
    static Result<OwnPtr<SvmVcore>> try_create(Vm& vm, u32 core_id, const SharedControl& shared);
    ~SvmVcore();
    SvmVcore(const SvmVcore&) = delete;
    SvmVcore& operator=(const SvmVcore&) = delete;

    u32 id() const { return id_; }
    bool halted() const { return halted_; }

    // The x86 reset state (APM 14.1.3), with CS:IP = F000:FFF0 and CS base
    // 0xF0000 so the first fetch reads the BIOS image at the top of the first MB.
    void reset();
    // The state the Linux 32-bit boot protocol requires instead of the
    // reset state: protected mode, paging off, flat 4 GiB segments
    // __BOOT_CS/__BOOT_DS from the loader's GDT, interrupts off,
    // ESI = the zero page, EBP/EDI/EBX zero.
    void start_linux_protected_mode(u64 entry, u64 boot_params, u64 gdt_base);

    // Queues a pending interrupt from the VM's controllers into the VMCB:
    // injected now if the guest can take it, otherwise a virtual-interrupt
    // window exit is requested. Call with the VM's device lock held.
    void prepare_interrupts();

    // Enters the guest once (the world switch; no lock needed).
    void enter();
    // Handles the exit enter() returned with; call with the device lock
    // held. Errors are fail-stop reasons (the caller stops the VM with them).
    Result<void> handle_exit();
    const char* last_exit_name() const;
    // For a fail-stop reason: RIP, control registers, EFER and the last
    // exits (oldest first), e.g. "RIP 0x1000 CR0 0x11 ... exits IOIO,HLT".
    void describe_state(char* out, usize size) const;
    // Logs the last exits, oldest first, with what each entry injected and
    // what the exit reported (exit info, EXITINTINFO, RFLAGS, interrupt
    // shadow): what a fail-stop such as a triple fault needs to be explained.
    void log_recent_exits() const;

    // Moves the guest's TSC back by `host_cycles` (time the VM spent paused,
    // which the guest must not see pass).
    void hide_tsc_cycles(u64 host_cycles) { vmcb_->control.tsc_offset -= host_cycles; }

    const ExitStats& stats() const { return stats_; }
    u64 rip() const { return vmcb_->save.rip; }

    // Copies between the VMCB/GPRs and the architecture-neutral register
    // file the emulator uses.
    void load_registers(x86::Registers& out) const;
    void store_registers(const x86::Registers& in);

private:
    SvmVcore(Vm& vm, u32 id) : vm_(vm), id_(id) {}
    Result<void> handle_io();
    Result<bool> handle_string_io(u16 port, u8 size, bool in, bool rep, u64 info);
    Result<void> handle_cpuid();
    Result<void> handle_msr();
    Result<void> handle_nested_page_fault();
    void inject_exception(u8 vector, bool has_error_code = false, u32 error_code = 0);
    // Past the intercepted instruction: the CPU's next RIP when it provides
    // one (NRIP save), otherwise the known instruction length (QEMU's
    // emulated SVM has no NRIP save).
    void advance_rip(u64 length) {
        if (nrip_save_ && vmcb_->control.next_rip)
            vmcb_->save.rip = vmcb_->control.next_rip;
        else
            vmcb_->save.rip += length;
    }

    Vm& vm_;
    u32 id_;
    Vmcb* vmcb_ = nullptr;
    u64 vmcb_pa_ = 0;
    u64 host_area_pa_ = 0; // VMSAVE/VMLOAD target for host state
    GuestGprs gprs_{};
    alignas(16) u8 fpu_[512] = {}; // FXSAVE image of the guest's x87/SSE state
    x86::ModelMsrState model_msrs_;
    // One entry/exit pair as log_recent_exits() reports it.
    struct ExitRecord {
        u64 code = 0;
        u64 info1 = 0;
        u64 info2 = 0;
        u64 exit_int_info = 0;         // the event whose delivery this exit interrupted
        u64 injected = 0;              // EVENTINJ on the entry before this exit
        bool window_requested = false; // V_IRQ + VINTR intercept on that entry
        u64 entry_rip = 0;
        u64 rip = 0; // at the exit
        u64 rflags = 0;
        u64 interrupt_shadow = 0;
    };
    static constexpr usize kRecentExits = 8;
    ExitRecord recent_exits_[kRecentExits] = {};
    usize exits_seen_ = 0;
    ExitRecord entry_; // what enter() is about to ask the CPU for
    bool halted_ = false;
    bool nrip_save_ = false;
    ExitStats stats_;
};

// Allocates and fills the I/O (12 KB) and MSR (8 KB) permission maps.
Result<SharedControl> create_shared_control(u64 nested_cr3);
void free_shared_control(const SharedControl& shared);

} // namespace v3::svm
