#include "arch/svm/svm_vcore.h"
#include "arch/x86/cpu.h"
#include "lib/host.h"
#include "lib/log.h"
#include "vm/vm.h"

namespace v3::svm {

namespace {

constexpr u64 kPageSize = 4096;

// Segment attributes in the VMCB layout for the reset state.
constexpr u16 kAttrCode16 = 0x009b; // present, code, readable, accessed
constexpr u16 kAttrData16 = 0x0093; // present, data, writable, accessed
constexpr u16 kAttrLdt = 0x0082;
constexpr u16 kAttrTss16Busy = 0x008b;

VmcbSegment real_mode_segment(u16 selector, u16 attributes) {
    return VmcbSegment{selector, attributes, 0xffff, u64(selector) << 4};
}

inline void clgi() {
    asm volatile("clgi" ::: "memory");
}
inline void stgi() {
    asm volatile("stgi" ::: "memory");
}
inline u64 save_flags_and_enable() {
    u64 flags;
    asm volatile("pushfq; popq %0; sti" : "=r"(flags)::"memory");
    return flags;
}
inline void restore_flags(u64 flags) {
    asm volatile("cli; pushq %0; popfq" ::"r"(flags) : "memory", "cc");
}
inline void fxsave(u8* area) {
    asm volatile("fxsave64 %0" : "=m"(*area)::"memory");
}
inline void fxrstor(const u8* area) {
    asm volatile("fxrstor64 %0" ::"m"(*area) : "memory");
}

} // namespace

Result<OwnPtr<SvmVcore>> SvmVcore::try_create(Vm& vm, u32 core_id, const SharedControl& shared) {
    OwnPtr<SvmVcore> core(new (alloc) SvmVcore(vm, core_id));
    if (!core)
        return make_error(Errno::NoMem, "out of memory for a virtual core");
    core->vmcb_pa_ = host().allocate_pages(1, kPageSize);
    core->host_area_pa_ = host().allocate_pages(1, kPageSize);
    if (!core->vmcb_pa_ || !core->host_area_pa_)
        return make_error(Errno::NoMem, "out of memory for a VMCB");
    core->vmcb_ = static_cast<Vmcb*>(host().paddr_to_vaddr(core->vmcb_pa_));
    core->nrip_save_ = x86::cpuid(x86::kCpuidSvmFeatures).edx & x86::kSvmFeatureNripSave;

    VmcbControl& c = core->vmcb_->control;
    c.intercept_misc1 = kInterceptIntr | kInterceptNmi | kInterceptSmi | kInterceptInit |
                        kInterceptCpuid | kInterceptInvd | kInterceptHlt | kInterceptInvlpga |
                        kInterceptIoio | kInterceptMsr | kInterceptShutdown;
    // VMRUN must be intercepted (the CPU refuses VMRUN otherwise); the other
    // SVM instructions would let the guest touch host state.
    c.intercept_misc2 = kInterceptVmrun | kInterceptVmmcall | kInterceptVmload | kInterceptVmsave |
                        kInterceptStgi | kInterceptClgi | kInterceptSkinit | kInterceptMonitor |
                        kInterceptMwait | kInterceptXsetbv;
    c.iopm_base_pa = shared.iopm_pa;
    c.msrpm_base_pa = shared.msrpm_pa;
    c.guest_asid = 1;
    c.nested_control = 1; // NP_ENABLE
    c.nested_cr3 = shared.nested_cr3;
    // V_INTR_MASKING: the guest's IF masks only virtual interrupts; host
    // interrupts always exit to the host.
    c.virtual_interrupt = kVintrMasking;
    // The guest's TSC starts near zero when the VM is created.
    u32 lo, hi;
    asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
    c.tsc_offset = u64(0) - ((u64(hi) << 32) | lo);

    // A freshly initialised x87/SSE state: FCW 0x37f, MXCSR 0x1f80.
    core->fpu_[0] = 0x7f;
    core->fpu_[1] = 0x03;
    core->fpu_[24] = 0x80;
    core->fpu_[25] = 0x1f;
    core->reset();
    return core;
}

SvmVcore::~SvmVcore() {
    if (vmcb_pa_)
        host().free_pages(vmcb_pa_, 1);
    if (host_area_pa_)
        host().free_pages(host_area_pa_, 1);
}

void SvmVcore::reset() {
    VmcbSave& s = vmcb_->save;
    s.cs = real_mode_segment(0xf000, kAttrCode16);
    s.ds = s.es = s.fs = s.gs = s.ss = real_mode_segment(0, kAttrData16);
    s.gdtr = VmcbSegment{0, 0, 0xffff, 0};
    s.idtr = VmcbSegment{0, 0, 0xffff, 0};
    s.ldtr = VmcbSegment{0, kAttrLdt, 0xffff, 0};
    s.tr = VmcbSegment{0, kAttrTss16Busy, 0xffff, 0};
    s.cpl = 0;
    s.efer = x86::kEferSvme; // VMRUN requires EFER.SVME in the guest state
    s.cr0 = 0x60000010;      // CD, NW, ET
    s.cr2 = s.cr3 = s.cr4 = 0;
    s.dr6 = 0xffff0ff0;
    s.dr7 = 0x400;
    s.rflags = 0x2;
    s.rip = 0xfff0;
    s.rsp = 0;
    s.rax = 0;
    s.g_pat = 0x0007040600070406ULL;
    gprs_ = GuestGprs{};
    gprs_.rdx = 0x00000600; // family 6 reset signature in EDX
    vmcb_->control.event_inject = 0;
    vmcb_->control.interrupt_shadow = 0;
    x86::reset_model_msrs(model_msrs_, id_ == 0);
    halted_ = false;
}

void SvmVcore::start_linux_protected_mode(u64 entry, u64 boot_params, u64 gdt_base) {
    reset();
    // VMCB attribute layout: type, S, DPL, P in bits 0-7; AVL, L, D/B, G in 8-11.
    constexpr u16 kAttrFlatCode32 = 0x0c9b; // G, D, present, code, readable, accessed
    constexpr u16 kAttrFlatData32 = 0x0c93; // G, B, present, data, writable, accessed
    constexpr u16 kCodeSelector = 0x10, kDataSelector = 0x18;
    VmcbSave& s = vmcb_->save;
    s.cs = VmcbSegment{kCodeSelector, kAttrFlatCode32, 0xffffffff, 0};
    s.ds = s.es = s.fs = s.gs = s.ss = VmcbSegment{kDataSelector, kAttrFlatData32, 0xffffffff, 0};
    s.gdtr = VmcbSegment{0, 0, 31, gdt_base};
    s.cr0 = 0x11; // PE, ET; caches on
    s.rip = entry;
    gprs_ = GuestGprs{};
    gprs_.rsi = boot_params;
}

void SvmVcore::inject_exception(u8 vector, bool has_error_code, u32 error_code) {
    u64 event = kEventValid | kEventTypeException | vector;
    if (has_error_code)
        event |= kEventErrorValid | (u64(error_code) << 32);
    vmcb_->control.event_inject = event;
}

void SvmVcore::prepare_interrupts() {
    VmcbControl& c = vmcb_->control;
    // An event whose delivery the exit interrupted goes first, except the
    // ones an instruction raises itself (INTn, INT3, INTO): RIP still points
    // at that instruction, so re-executing it raises the event again, while
    // injecting it would hand the guest a return address one instruction
    // early (Linux's INT3 text-patching handler then misidentifies the site).
    if (c.exit_int_info & kEventValid) {
        u64 info = c.exit_int_info;
        c.exit_int_info = 0;
        u64 type = info & (u64(7) << 8);
        u8 vector = u8(info);
        bool raised_by_instruction = type == kEventTypeSoftInt ||
                                     (type == kEventTypeException && (vector == 3 || vector == 4));
        if (!raised_by_instruction) {
            c.event_inject = info;
            return;
        }
    }
    if (c.event_inject & kEventValid)
        return;
    c.virtual_interrupt &= ~kVirqPending;
    c.intercept_misc1 &= ~kInterceptVintr;
    if (!vm_.irqs().interrupt_pending())
        return;
    halted_ = false; // an interrupt request wakes HLT even before delivery
    bool can_take = (vmcb_->save.rflags & x86::kRflagsIf) && !(c.interrupt_shadow & 1);
    if (can_take) {
        auto vector = vm_.irqs().acknowledge();
        if (!vector.is_error())
            c.event_inject = kEventValid | kEventTypeIntr | vector.value();
        return;
    }
    // Ask for an exit as soon as the guest can take a virtual interrupt: a
    // dummy V_IRQ plus the VINTR intercept (the vector is injected properly
    // on that exit).
    c.virtual_interrupt |= kVirqPending | (u64(0xf) << kVintrPrioShift) | kVintrIgnoreTpr;
    c.intercept_misc1 |= kInterceptVintr;
}

void SvmVcore::pause_guest_time() {
    parked_tsc_ = x86::read_tsc();
    parked_ = true;
}

void SvmVcore::resume_guest_time() {
    vmcb_->control.tsc_offset -= x86::read_tsc() - parked_tsc_;
    parked_ = false;
}

const char* SvmVcore::last_exit_name() const {
    return exit_name(vmcb_->control.exit_code);
}

bool SvmVcore::enter(const volatile u32* cancel) {
    VmcbControl& c = vmcb_->control;
    c.tlb_control = 1; // flush: ASIDs are not managed per VM yet
    c.clean_bits = 0;
    c.next_rip = 0; // so a stale value is never taken for this exit's
    // Recorded now: the CPU consumes EVENTINJ and V_IRQ on the way in.
    entry_ = ExitRecord{};
    entry_.injected = c.event_inject;
    entry_.window_requested = c.virtual_interrupt & kVirqPending;
    entry_.entry_rip = vmcb_->save.rip;

    host().fpu_begin();
    fxrstor(fpu_);
    clgi();
    // A wakeup that came after the run loop last looked (an interrupt for
    // this core, its timer) is either seen here, with host interrupts held,
    // or its kick is held pending by GIF and ends the VMRUN at once.
    if (cancel && __atomic_load_n(cancel, __ATOMIC_SEQ_CST)) {
        stgi();
        host().fpu_end(); // the guest's FPU image in fpu_ is unchanged
        return false;
    }
    u64 flags = save_flags_and_enable(); // IF=1 under GIF=0: host interrupts exit the guest
    v3_svm_vmrun(vmcb_pa_, host_area_pa_, &gprs_);
    fxsave(fpu_); // before GIF is set: no interrupt handler sees guest FPU state
    restore_flags(flags);
    stgi();
    host().fpu_end();
    return true;
}

void SvmVcore::load_registers(x86::Registers& r) const {
    const VmcbSave& s = vmcb_->save;
    r.gpr[x86::RAX] = s.rax;
    r.gpr[x86::RCX] = gprs_.rcx;
    r.gpr[x86::RDX] = gprs_.rdx;
    r.gpr[x86::RBX] = gprs_.rbx;
    r.gpr[x86::RSP] = s.rsp;
    r.gpr[x86::RBP] = gprs_.rbp;
    r.gpr[x86::RSI] = gprs_.rsi;
    r.gpr[x86::RDI] = gprs_.rdi;
    r.gpr[x86::R8] = gprs_.r8;
    r.gpr[x86::R9] = gprs_.r9;
    r.gpr[x86::R10] = gprs_.r10;
    r.gpr[x86::R11] = gprs_.r11;
    r.gpr[x86::R12] = gprs_.r12;
    r.gpr[x86::R13] = gprs_.r13;
    r.gpr[x86::R14] = gprs_.r14;
    r.gpr[x86::R15] = gprs_.r15;
    r.rip = s.rip;
    r.rflags = s.rflags;
    r.cr0 = s.cr0;
    r.cr2 = s.cr2;
    r.cr3 = s.cr3;
    r.cr4 = s.cr4;
    r.efer = s.efer;
    r.cpl = s.cpl;
    const VmcbSegment* segs[6] = {&s.es, &s.cs, &s.ss, &s.ds, &s.fs, &s.gs};
    for (int i = 0; i < 6; ++i)
        r.segments[i] =
            x86::Segment{segs[i]->selector, segs[i]->base, segs[i]->limit, segs[i]->attributes};
}

void SvmVcore::store_registers(const x86::Registers& r) {
    VmcbSave& s = vmcb_->save;
    s.rax = r.gpr[x86::RAX];
    gprs_.rcx = r.gpr[x86::RCX];
    gprs_.rdx = r.gpr[x86::RDX];
    gprs_.rbx = r.gpr[x86::RBX];
    s.rsp = r.gpr[x86::RSP];
    gprs_.rbp = r.gpr[x86::RBP];
    gprs_.rsi = r.gpr[x86::RSI];
    gprs_.rdi = r.gpr[x86::RDI];
    gprs_.r8 = r.gpr[x86::R8];
    gprs_.r9 = r.gpr[x86::R9];
    gprs_.r10 = r.gpr[x86::R10];
    gprs_.r11 = r.gpr[x86::R11];
    gprs_.r12 = r.gpr[x86::R12];
    gprs_.r13 = r.gpr[x86::R13];
    gprs_.r14 = r.gpr[x86::R14];
    gprs_.r15 = r.gpr[x86::R15];
    s.rip = r.rip;
    s.rflags = r.rflags;
}

} // namespace v3::svm
