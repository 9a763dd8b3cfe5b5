// One virtual CPU under AMD SVM: its VMCB, the guest registers outside the
// VMCB, the guest's FPU state, and the exit handlers. The SVM implementation
// of vm/vcore.h, driven by the VM's run loop (vm/vm_runtime.cpp), one host
// thread per virtual core.
#pragma once

#include "arch/svm/vmcb.h"
#include "arch/svm/vmrun.h"
#include "arch/x86/cpu_model.h"
#include "arch/x86/registers.h"
#include "lib/alloc.h"
#include "lib/result.h"
#include "vm/vcore.h"

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

class SvmVcore final : public Vcore {
public:
    static Result<OwnPtr<SvmVcore>> try_create(Vm& vm, u32 core_id, const SharedControl& shared);
    ~SvmVcore() override;
    SvmVcore(const SvmVcore&) = delete;
    SvmVcore& operator=(const SvmVcore&) = delete;

    u32 id() const override { return id_; }
    bool halted() const override { return halted_; }

    // CS base 0xF0000 in the reset state, so the first fetch reads the BIOS
    // image at the top of the first MB (APM 14.1.3).
    void reset() override;
    void start_linux_protected_mode(u64 entry, u64 boot_params, u64 gdt_base) override;

    // Injects a pending interrupt now if the guest can take it, otherwise
    // requests a virtual-interrupt window exit.
    void prepare_interrupts() override;
    bool enter(const volatile u32* cancel) override;
    Result<void> handle_exit() override;
    // "<what failed> (exit NAME; RIP .. CR0 .. CR3 .. CR4 .. EFER .. exits
    // A,B,..)": the error's message, or the handler's specifics when it
    // recorded some (failure_detail_), then the exit and the guest state.
    void describe_failure(const Error& error, char* out, usize size) const override;
    // Logs the last exits, oldest first, with what each entry injected and
    // what the exit reported (exit info, EXITINTINFO, RFLAGS, interrupt
    // shadow): what a fail-stop such as a triple fault needs to be explained.
    void log_recent_exits() const override;

    // The guest's TSC runs on while the host thread is parked; the offset
    // takes the parked cycles back out.
    void pause_guest_time() override;
    void resume_guest_time() override;

    void load_registers(x86::Registers& out) const override;
    void store_registers(const x86::Registers& in) override;

    const ExitStats& stats() const override { return stats_; }

    // svm_vcore_state.cpp: the VMCB save area, GPRs, FXSAVE image, model
    // MSRs, pending events, interrupt shadow, V_TPR, halt state and TSC.
    Result<void> save_state(chkpt::Writer& writer) const override;
    Result<void> load_state(chkpt::Reader& reader, bool apply) override;

private:
    SvmVcore(Vm& vm, u32 id) : vm_(vm), id_(id) {}
    Result<void> handle_io();
    Result<bool> handle_string_io(u16 port, u8 size, bool in, bool rep, u64 info);
    Result<void> handle_cpuid();
    Result<void> handle_msr();
    Result<void> handle_nested_page_fault();
    void inject_exception(u8 vector, bool has_error_code = false, u32 error_code = 0);
    const char* last_exit_name() const;
    // Formats the specifics of a failing exit (addresses, instruction bytes)
    // for describe_failure; the handler then returns its error.
    void record_failure_detail(const char* fmt, ...) __attribute__((format(printf, 2, 3)));
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
    u64 parked_tsc_ = 0;            // host TSC when pause_guest_time() was called
    bool parked_ = false;           // between pause_guest_time() and resume_guest_time()
    char failure_detail_[192] = {}; // "" unless the current exit's handler failed
    ExitStats stats_;
};

// Allocates and fills the I/O (12 KB) and MSR (8 KB) permission maps.
Result<SharedControl> create_shared_control(u64 nested_cr3);
void free_shared_control(const SharedControl& shared);

} // namespace v3::svm
