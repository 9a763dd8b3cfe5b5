// A virtual core's state in a checkpoint (Vcore::save_state/load_state):
// the VMCB save area field by field, the GPRs outside it, the FXSAVE image,
// the CPU model's MSRs, the halt state, the events in flight (EVENTINJ,
// EXITINTINFO), the interrupt shadow, V_TPR and a pending interrupt-window
// request, and the guest TSC as a value. The VMCB's control fields that are
// the VMM's own (intercepts, permission maps, nested CR3, ASID) are not
// saved: the loading VM has its own.
#include "arch/svm/svm_vcore.h"
#include "arch/x86/cpu.h"
#include "chkpt/snapshot.h"

namespace v3::svm {

namespace {

constexpr u8 kStateVersion = 1;
// What of VMCB virtual_interrupt is guest state: V_TPR (7:0), V_IRQ (8),
// V_INTR_PRIO (19:16), V_IGN_TPR (20), V_INTR_VECTOR (39:32).
constexpr u64 kVirtualInterruptGuestBits = 0xffull | kVirqPending | (0xfull << kVintrPrioShift) |
                                           kVintrIgnoreTpr | (0xffull << kVintrVectorShift);
// MXCSR bits above 15 are reserved: FXRSTOR of such an image faults in the
// host.
constexpr u32 kMxcsrOffset = 24;

Result<void> save_segment(chkpt::Writer& w, const VmcbSegment& s) {
    TRY(w.u16_(s.selector));
    TRY(w.u16_(s.attributes));
    TRY(w.u32_(s.limit));
    return w.u64_(s.base);
}

Result<VmcbSegment> load_segment(chkpt::Reader& r) {
    VmcbSegment s{};
    s.selector = TRY(r.u16_());
    s.attributes = TRY(r.u16_());
    s.limit = TRY(r.u32_());
    s.base = TRY(r.u64_());
    if (s.attributes & 0xf000)
        return make_error(Errno::Inval,
                          "a saved segment has attribute bits the VMCB does not hold");
    return s;
}

// The guest's own state, read completely before anything is installed.
struct SavedCore {
    u64 guest_tsc = 0;
    VmcbSegment segments[10] = {}; // es cs ss ds fs gs gdtr ldtr idtr tr
    u8 cpl = 0;
    u64 efer = 0, cr0 = 0, cr2 = 0, cr3 = 0, cr4 = 0, dr6 = 0, dr7 = 0;
    u64 rflags = 0, rip = 0, rsp = 0, rax = 0;
    u64 star = 0, lstar = 0, cstar = 0, sfmask = 0, kernel_gs_base = 0;
    u64 sysenter_cs = 0, sysenter_esp = 0, sysenter_eip = 0, g_pat = 0, dbgctl = 0;
    GuestGprs gprs{};
    u8 fpu[512] = {};
    x86::ModelMsrState msrs;
    bool halted = false;
    u64 event_inject = 0, exit_int_info = 0, interrupt_shadow = 0, virtual_interrupt = 0;
    bool window_requested = false;
};

} // namespace

Result<void> SvmVcore::save_state(chkpt::Writer& w) const {
    const VmcbSave& s = vmcb_->save;
    const VmcbControl& c = vmcb_->control;
    TRY(w.u8_(kStateVersion));
    // Guest TSC = host TSC + offset; a parked core's stands at the instant
    // it parked (resume_guest_time takes the parked time back out).
    u64 host_tsc = parked_ ? parked_tsc_ : x86::read_tsc();
    TRY(w.u64_(host_tsc + c.tsc_offset));
    const VmcbSegment* segments[10] = {&s.es, &s.cs,   &s.ss,   &s.ds,   &s.fs,
                                       &s.gs, &s.gdtr, &s.ldtr, &s.idtr, &s.tr};
    for (const VmcbSegment* seg : segments)
        TRY(save_segment(w, *seg));
    TRY(w.u8_(s.cpl));
    const u64 fields[] = {s.efer,        s.cr0,          s.cr2,          s.cr3,
                          s.cr4,         s.dr6,          s.dr7,          s.rflags,
                          s.rip,         s.rsp,          s.rax,          s.star,
                          s.lstar,       s.cstar,        s.sfmask,       s.kernel_gs_base,
                          s.sysenter_cs, s.sysenter_esp, s.sysenter_eip, s.g_pat,
                          s.dbgctl};
    for (u64 v : fields)
        TRY(w.u64_(v));
    const u64 gprs[] = {gprs_.rbx, gprs_.rcx, gprs_.rdx, gprs_.rsi, gprs_.rdi,
                        gprs_.rbp, gprs_.r8,  gprs_.r9,  gprs_.r10, gprs_.r11,
                        gprs_.r12, gprs_.r13, gprs_.r14, gprs_.r15};
    for (u64 v : gprs)
        TRY(w.u64_(v));
    TRY(w.bytes(fpu_, sizeof fpu_));
    TRY(w.u64_(model_msrs_.apic_base));
    TRY(w.u64_(model_msrs_.mtrr_def_type));
    TRY(w.u64_(model_msrs_.hwcr));
    TRY(w.u64_(model_msrs_.syscfg));
    TRY(w.bool_(halted_));
    TRY(w.u64_(c.event_inject));
    TRY(w.u64_(c.exit_int_info));
    TRY(w.u64_(c.interrupt_shadow));
    TRY(w.u64_(c.virtual_interrupt & kVirtualInterruptGuestBits));
    return w.bool_(c.intercept_misc1 & kInterceptVintr);
}

Result<void> SvmVcore::load_state(chkpt::Reader& r, bool apply) {
    if (TRY(r.u8_()) != kStateVersion)
        return make_error(Errno::Inval, "a saved core's state has an unknown version");
    SavedCore in;
    in.guest_tsc = TRY(r.u64_());
    for (VmcbSegment& seg : in.segments)
        seg = TRY(load_segment(r));
    in.cpl = TRY(r.u8_());
    u64* fields[] = {&in.efer,        &in.cr0,          &in.cr2,          &in.cr3,
                     &in.cr4,         &in.dr6,          &in.dr7,          &in.rflags,
                     &in.rip,         &in.rsp,          &in.rax,          &in.star,
                     &in.lstar,       &in.cstar,        &in.sfmask,       &in.kernel_gs_base,
                     &in.sysenter_cs, &in.sysenter_esp, &in.sysenter_eip, &in.g_pat,
                     &in.dbgctl};
    for (u64* v : fields)
        *v = TRY(r.u64_());
    u64* gprs[] = {&in.gprs.rbx, &in.gprs.rcx, &in.gprs.rdx, &in.gprs.rsi, &in.gprs.rdi,
                   &in.gprs.rbp, &in.gprs.r8,  &in.gprs.r9,  &in.gprs.r10, &in.gprs.r11,
                   &in.gprs.r12, &in.gprs.r13, &in.gprs.r14, &in.gprs.r15};
    for (u64* v : gprs)
        *v = TRY(r.u64_());
    TRY(r.bytes(in.fpu, sizeof in.fpu));
    in.msrs.apic_base = TRY(r.u64_());
    in.msrs.mtrr_def_type = TRY(r.u64_());
    in.msrs.hwcr = TRY(r.u64_());
    in.msrs.syscfg = TRY(r.u64_());
    in.halted = TRY(r.bool_());
    in.event_inject = TRY(r.u64_());
    in.exit_int_info = TRY(r.u64_());
    in.interrupt_shadow = TRY(r.u64_());
    in.virtual_interrupt = TRY(r.u64_());
    in.window_requested = TRY(r.bool_());
    if (!r.at_end())
        return make_error(Errno::Inval, "a saved core's state is longer than this version's");

    // What would fault in the host (FXRSTOR) or is no guest state at all is
    // refused here; a state VMRUN itself rejects fail-stops the VM at its
    // first entry, with the reason.
    u32 mxcsr = u32(in.fpu[kMxcsrOffset]) | u32(in.fpu[kMxcsrOffset + 1]) << 8 |
                u32(in.fpu[kMxcsrOffset + 2]) << 16 | u32(in.fpu[kMxcsrOffset + 3]) << 24;
    if (mxcsr >> 16)
        return make_error(Errno::Inval, "a saved core's MXCSR has reserved bits set");
    if (in.cpl > 3)
        return make_error(Errno::Inval, "a saved core's privilege level is above 3");
    if ((in.cr0 >> 32) || !(in.rflags & 2) || (in.rflags >> 22))
        return make_error(Errno::Inval, "a saved core's CR0 or RFLAGS has reserved bits set");
    if (in.virtual_interrupt & ~kVirtualInterruptGuestBits)
        return make_error(Errno::Inval, "a saved core's virtual interrupt state is not valid");
    if (in.interrupt_shadow > 1)
        return make_error(Errno::Inval, "a saved core's interrupt shadow is not valid");
    if (!apply)
        return {};

    VmcbSave& s = vmcb_->save;
    VmcbControl& c = vmcb_->control;
    VmcbSegment* segments[10] = {&s.es, &s.cs,   &s.ss,   &s.ds,   &s.fs,
                                 &s.gs, &s.gdtr, &s.ldtr, &s.idtr, &s.tr};
    for (int i = 0; i < 10; ++i)
        *segments[i] = in.segments[i];
    s.cpl = in.cpl;
    s.efer = in.efer | x86::kEferSvme; // VMRUN requires it; the guest never sees it
    s.cr0 = in.cr0;
    s.cr2 = in.cr2;
    s.cr3 = in.cr3;
    s.cr4 = in.cr4;
    s.dr6 = in.dr6;
    s.dr7 = in.dr7;
    s.rflags = in.rflags;
    s.rip = in.rip;
    s.rsp = in.rsp;
    s.rax = in.rax;
    s.star = in.star;
    s.lstar = in.lstar;
    s.cstar = in.cstar;
    s.sfmask = in.sfmask;
    s.kernel_gs_base = in.kernel_gs_base;
    s.sysenter_cs = in.sysenter_cs;
    s.sysenter_esp = in.sysenter_esp;
    s.sysenter_eip = in.sysenter_eip;
    s.g_pat = in.g_pat;
    s.dbgctl = in.dbgctl;
    gprs_ = in.gprs;
    for (usize i = 0; i < sizeof fpu_; ++i)
        fpu_[i] = in.fpu[i];
    model_msrs_ = in.msrs;
    halted_ = in.halted;
    c.event_inject = in.event_inject;
    c.exit_int_info = in.exit_int_info;
    c.interrupt_shadow = in.interrupt_shadow;
    c.virtual_interrupt =
        (c.virtual_interrupt & ~kVirtualInterruptGuestBits) | in.virtual_interrupt;
    if (in.window_requested)
        c.intercept_misc1 |= kInterceptVintr;
    else
        c.intercept_misc1 &= ~kInterceptVintr;
    // The guest TSC continues from the saved value: from the instant the
    // core resumes when it is parked, from now when it is yet to launch.
    u64 host_tsc = parked_ ? parked_tsc_ : x86::read_tsc();
    c.tsc_offset = in.guest_tsc - host_tsc;
    return {};
}

} // namespace v3::svm
