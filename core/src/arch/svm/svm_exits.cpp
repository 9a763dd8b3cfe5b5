// Exit handling for SvmVcore: what each #VMEXIT means and what the VMM does
// about it. Anything not handled here is an error the handler returns; the
// run loop then stops the VM with describe_failure()'s reason (fail-stop),
// never the host.
#include "arch/svm/svm_vcore.h"
#include "arch/x86/cpu.h"
#include "arch/x86/cpu_model.h"
#include "arch/x86/msr.h"
#include "decode/emulator.h"
#include "decode/page_walk.h"
#include "lib/format.h"
#include "lib/host.h"
#include "lib/log.h"
#include "vm/vm.h"

namespace v3::svm {

namespace {

constexpr u8 kVectorUd = 6;
constexpr u8 kVectorGp = 13;

u64 size_mask(u8 size) {
    return size == 8 ? ~u64(0) : (u64(1) << (size * 8)) - 1;
}

} // namespace

Result<void> SvmVcore::handle_exit() {
    failure_detail_[0] = 0;
    VmcbControl& c = vmcb_->control;
    u64 code = c.exit_code;
    ExitRecord& record = recent_exits_[exits_seen_++ % kRecentExits];
    record = entry_;
    record.code = code;
    record.info1 = c.exit_info1;
    record.info2 = c.exit_info2;
    record.exit_int_info = c.exit_int_info;
    record.rip = vmcb_->save.rip;
    record.rflags = vmcb_->save.rflags;
    record.interrupt_shadow = c.interrupt_shadow;
    // A guest state whose RIP is the host's VMRUN return address is the
    // host's own state, saved into this VMCB by the CPU (seen under QEMU's
    // emulated SVM on the first VM after the sandbox booted). Entering it
    // would run host code as the guest: stop the VM instead.
    if (vmcb_->save.rip == u64(reinterpret_cast<uptr>(v3_svm_vmrun_return)))
        return make_error(Errno::Fault,
                          "the guest state in the VMCB is the host's (RIP is the host's VMRUN "
                          "return address): the CPU saved host state into this VMCB");
    switch (code) {
    case kExitIntr:
    case kExitNmi:
    case kExitSmi:
    case kExitInit:
        // The host took (or will take, once GIF is set) its interrupt.
        stats_.count(ExitReason::Interrupt);
        return {};
    case kExitVintr:
        // The guest can take interrupts again: prepare_interrupts injects.
        stats_.count(ExitReason::InterruptWindow);
        c.virtual_interrupt &= ~kVirqPending;
        c.intercept_misc1 &= ~kInterceptVintr;
        return {};
    case kExitIoio:
        stats_.count(ExitReason::Io);
        return handle_io();
    case kExitCpuid:
        stats_.count(ExitReason::Cpuid);
        return handle_cpuid();
    case kExitMsr:
        stats_.count(ExitReason::Msr);
        return handle_msr();
    case kExitHlt:
        stats_.count(ExitReason::Hlt);
        advance_rip(1); // F4
        if (!(vmcb_->save.rflags & x86::kRflagsIf)) {
            // Nothing can wake it (no NMI source exists): this is how Linux
            // halts or powers off a PC without ACPI, so the VM ends here.
            vm_.request_stop(0, "the guest halted with interrupts disabled (halt or power off)");
            return {};
        }
        halted_ = true;
        return {};
    case kExitNestedPageFault:
        stats_.count(ExitReason::Mmio);
        return handle_nested_page_fault();
    case kExitShutdown:
        stats_.count(ExitReason::Shutdown);
        return make_error(Errno::Fault, "triple fault: the guest shut down (SHUTDOWN intercept)");
    case kExitInvd:
        stats_.count(ExitReason::Other);
        advance_rip(2); // 0F 08; nothing is cached on the VM's behalf
        return {};
    case kExitVmrun:
    case kExitVmmcall:
    case kExitVmload:
    case kExitVmsave:
    case kExitStgi:
    case kExitClgi:
    case kExitSkinit:
    case kExitInvlpga:
    case kExitMonitor:
    case kExitMwait:
    case kExitXsetbv:
        // Not offered to guests (no nested SVM, no MONITOR/XSAVE in CPUID):
        // the architectural answer is #UD.
        stats_.count(ExitReason::Exception);
        inject_exception(kVectorUd);
        return {};
    case kExitInvalid:
        return make_error(Errno::Inval, "VMRUN refused the guest state (VMEXIT_INVALID)");
    default:
        stats_.count(ExitReason::Other);
        return make_error(Errno::NoSys, "unhandled VM exit");
    }
}

void SvmVcore::record_failure_detail(const char* fmt, ...) {
    __builtin_va_list args;
    __builtin_va_start(args, fmt);
    vformat(failure_detail_, sizeof failure_detail_, fmt, args);
    __builtin_va_end(args);
}

void SvmVcore::describe_failure(const Error& error, char* out, usize size) const {
    const VmcbSave& s = vmcb_->save;
    usize n = format(
        out, size, "%s (exit %s; RIP 0x%llx CR0 0x%llx CR3 0x%llx CR4 0x%llx EFER 0x%llx exits",
        failure_detail_[0] ? failure_detail_ : error.message, last_exit_name(),
        (unsigned long long)s.rip, (unsigned long long)s.cr0, (unsigned long long)s.cr3,
        (unsigned long long)s.cr4, (unsigned long long)(s.efer & ~x86::kEferSvme));
    usize count = exits_seen_ < kRecentExits ? exits_seen_ : kRecentExits;
    for (usize i = 0; i < count && n < size; ++i) {
        u64 code = recent_exits_[(exits_seen_ - count + i) % kRecentExits].code;
        n += format(out + n, size - n, "%s%s", i ? "," : " ", exit_name(code));
    }
    if (n < size)
        format(out + n, size - n, ")");
}

void SvmVcore::log_recent_exits() const {
    auto hsave_msr = x86::read_msr(x86::kMsrVmHsavePa);
    u64 hsave = hsave_msr.is_error() ? ~u64(0) : hsave_msr.value();
    V3_ERROR("v3vee: VM %s core %u: VMCB 0x%llx, host state area 0x%llx, on host cpu %u whose "
             "VM_HSAVE_PA is 0x%llx; guest CR3 0x%llx; last exits, oldest first:\n",
             vm_.name_cstr(), id_, (unsigned long long)vmcb_pa_, (unsigned long long)host_area_pa_,
             host().current_cpu(), (unsigned long long)hsave, (unsigned long long)vmcb_->save.cr3);
    usize count = exits_seen_ < kRecentExits ? exits_seen_ : kRecentExits;
    for (usize i = 0; i < count; ++i) {
        usize number = exits_seen_ - count + i;
        const ExitRecord& r = recent_exits_[number % kRecentExits];
        V3_ERROR("v3vee: VM %s core %u exit %llu: entered at RIP 0x%llx injecting 0x%llx%s; "
                 "exit %s info1 0x%llx info2 0x%llx EXITINTINFO 0x%llx RIP 0x%llx RFLAGS 0x%llx "
                 "(IF %d) shadow %llu\n",
                 vm_.name_cstr(), id_, (unsigned long long)number, (unsigned long long)r.entry_rip,
                 (unsigned long long)r.injected, r.window_requested ? " + interrupt window" : "",
                 exit_name(r.code), (unsigned long long)r.info1, (unsigned long long)r.info2,
                 (unsigned long long)r.exit_int_info, (unsigned long long)r.rip,
                 (unsigned long long)r.rflags, int((r.rflags & x86::kRflagsIf) != 0),
                 (unsigned long long)(r.interrupt_shadow & 1));
    }
}

Result<void> SvmVcore::handle_io() {
    u64 info = vmcb_->control.exit_info1;
    u16 port = u16(info >> kIoioPortShift);
    u8 size = (info >> kIoioSizeShift) & 1 ? 1 : (info >> kIoioSizeShift) & 2 ? 2 : 4;
    bool in = info & kIoioIn;
    if (info & kIoioString) {
        if (!TRY(handle_string_io(port, size, in, info & kIoioRep, info)))
            return {}; // RIP stays on the instruction
    } else if (in) {
        u32 value = TRY(vm_.io_ports().read(port, size));
        u64 rax = vmcb_->save.rax;
        // IN to AL/AX keeps the rest of RAX; IN to EAX zero-extends.
        vmcb_->save.rax = size == 4 ? value : (rax & ~size_mask(size)) | value;
    } else {
        TRY(vm_.io_ports().write(port, size, u32(vmcb_->save.rax & size_mask(size))));
    }
    vmcb_->save.rip = vmcb_->control.exit_info2; // the next instruction, always provided
    return {};
}

// INS/OUTS (with REP). The guest addresses memory through ES:rDI (INS) or
// seg:rSI (OUTS), translated through its page tables when paging is on. A
// page fault is injected with the REP progress kept and RIP left on the
// instruction, and a long REP yields after kStringIterationsPerExit elements
// so interrupts are not held off; the guest then re-executes it, as a CPU
// interrupting a REP does. Returns whether the instruction completed.
Result<bool> SvmVcore::handle_string_io(u16 port, u8 size, bool in, bool rep, u64 info) {
    constexpr u64 kStringIterationsPerExit = 4096;
    unsigned address_bits = (info >> kIoioAddrShift) & 1   ? 16
                            : (info >> kIoioAddrShift) & 2 ? 32
                                                           : 64;
    u64 address_mask = address_bits == 64 ? ~u64(0) : (u64(1) << address_bits) - 1;
    // exit_info1 bits 12:10 encode the segment as ES, CS, SS, DS, FS, GS.
    unsigned segment = (info >> kIoioSegShift) & 7;
    const VmcbSave& s = vmcb_->save;
    const VmcbSegment* segs[6] = {&s.es, &s.cs, &s.ss, &s.ds, &s.fs, &s.gs};
    const VmcbSegment& seg = in ? s.es : *segs[segment < 6 ? segment : unsigned(x86::DS)];
    bool paging = s.cr0 & x86::kCr0Pg;
    x86::Registers regs;
    if (paging)
        load_registers(regs);
    u64& index = in ? gprs_.rdi : gprs_.rsi;
    u64 count = rep ? (gprs_.rcx & address_mask) : 1;
    i64 step = (s.rflags & x86::kRflagsDf) ? -i64(size) : i64(size);

    // The guest-physical address of each byte of the element at `linear`.
    auto physical = [&](u64 linear, u64(&out)[4]) -> Result<bool> {
        for (u8 b = 0; b < size; ++b) {
            u64 address = linear + b;
            if (!paging) {
                out[b] = address;
                continue;
            }
            decode::PageFault fault;
            auto translated =
                decode::translate(regs, vm_.memory(), address,
                                  in ? decode::AccessKind::Write : decode::AccessKind::Read, fault);
            if (translated.is_error()) {
                if (translated.error().code != Errno::Fault)
                    return translated.error();
                vmcb_->save.cr2 = fault.address;
                inject_exception(decode::kPageFaultVector, true, fault.error_code);
                return false;
            }
            out[b] = translated.value();
        }
        return true;
    };

    for (u64 i = 0; i < count; ++i) {
        if (i == kStringIterationsPerExit)
            return false; // re-executed with the progress kept
        u64 linear = seg.base + (index & address_mask);
        u64 where[4];
        if (!TRY(physical(linear, where)))
            return false;
        u8 bytes[4] = {};
        if (in) {
            u32 value = TRY(vm_.io_ports().read(port, size));
            for (u8 b = 0; b < size; ++b) {
                bytes[b] = u8(value >> (8 * b));
                TRY(vm_.memory().write(where[b], &bytes[b], 1));
            }
        } else {
            for (u8 b = 0; b < size; ++b)
                TRY(vm_.memory().read(where[b], &bytes[b], 1));
            u32 value = 0;
            for (u8 b = 0; b < size; ++b)
                value |= u32(bytes[b]) << (8 * b);
            TRY(vm_.io_ports().write(port, size, value));
        }
        index = (index & ~address_mask) | ((index + u64(step)) & address_mask);
        if (rep)
            gprs_.rcx = (gprs_.rcx & ~address_mask) | ((gprs_.rcx - 1) & address_mask);
        if (vm_.state() != VmState::Running)
            break; // e.g. the test-exit port stopped the VM mid-string
    }
    return true;
}

// RDMSR/WRMSR: the CPU model's MSRs first, then MSRs a device claims;
// anything else is an MSR this VM does not have, which #GPs as on hardware
// (logged once per MSR number so a guest probing MSRs cannot flood the log).
Result<void> SvmVcore::handle_msr() {
    bool write = vmcb_->control.exit_info1 & 1;
    u32 msr = u32(gprs_.rcx);
    VmcbSave& s = vmcb_->save;
    u64 value = (u64(u32(gprs_.rdx)) << 32) | u32(s.rax);
    // The guest never sees the SVME bit VMRUN requires in its EFER.
    u64 efer = s.efer & ~x86::kEferSvme;
    // Copies: the VMCB is packed, so its fields cannot be bound to references.
    u64 pat = s.g_pat;
    u64 tsc_offset = vmcb_->control.tsc_offset;
    x86::MsrContext context{efer, pat, tsc_offset, x86::read_tsc(), model_msrs_};
    x86::MsrOutcome outcome = write ? x86::write_model_msr(msr, value, context)
                                    : x86::read_model_msr(msr, context, value);
    if (outcome == x86::MsrOutcome::NotModelled && vm_.msrs().is_hooked(msr)) {
        if (write)
            TRY(vm_.msrs().write(msr, value));
        else
            value = TRY(vm_.msrs().read(msr));
        outcome = x86::MsrOutcome::Done;
    }
    if (outcome == x86::MsrOutcome::NotModelled && vm_.first_unknown_msr_access(msr))
        V3_INFO("v3vee: VM %s core %u: %s of MSR 0x%x, which this CPU model does not have: "
                "#GP (RIP 0x%llx; logged once per MSR)\n",
                vm_.name_cstr(), id_, write ? "WRMSR" : "RDMSR", msr, (unsigned long long)s.rip);
    if (outcome != x86::MsrOutcome::Done) {
        inject_exception(kVectorGp, true, 0);
        return {};
    }
    if (write) {
        s.efer = efer | x86::kEferSvme;
        s.g_pat = pat;
        vmcb_->control.tsc_offset = tsc_offset;
    } else {
        s.rax = u32(value);
        gprs_.rdx = value >> 32;
    }
    advance_rip(2);
    return {};
}

// A nested page fault on a hooked guest-physical page: emulate the faulting
// instruction against the device. Anything else (an address with neither RAM
// nor a device) is a fail-stop with the address in the reason.
Result<void> SvmVcore::handle_nested_page_fault() {
    u64 gpa = vmcb_->control.exit_info2;
    if (!vm_.memory_hooks().find(gpa)) {
        record_failure_detail("the guest accessed guest-physical 0x%llx, where there is neither "
                              "RAM nor a device",
                              (unsigned long long)gpa);
        return make_error(Errno::Fault, "the guest accessed guest-physical memory where there is "
                                        "neither RAM nor a device");
    }
    x86::Registers regs;
    load_registers(regs);
    const u8* bytes = vmcb_->control.bytes_fetched ? vmcb_->control.guest_instruction : nullptr;
    decode::EmulationOutcome outcome;
    auto emulated = decode::emulate_mmio(regs, vm_.memory(), vm_.memory_hooks(), gpa, bytes,
                                         vmcb_->control.bytes_fetched, &outcome);
    if (emulated.is_error()) {
        record_failure_detail("MMIO at 0x%llx: %s", (unsigned long long)gpa,
                              outcome.detail.text[0] ? outcome.detail.text
                                                     : emulated.error().message);
        return emulated.error();
    }
    store_registers(regs);
    if (outcome.exception_pending) {
        const decode::GuestException& e = outcome.exception;
        if (e.vector == 14)
            vmcb_->save.cr2 = e.cr2;
        inject_exception(e.vector, e.has_error_code, e.error_code);
    }
    return {};
}

} // namespace v3::svm
