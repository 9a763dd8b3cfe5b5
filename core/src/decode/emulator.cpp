#include "decode/emulator.h"
#include "decode/decoder.h"
#include "decode/execution.h"
#include "decode/linear_address.h"
#include "decode/page_walk.h"

namespace v3::decode {
namespace {

constexpr u64 kRflagsRf = bit(16);

struct Fetched {
    u8 bytes[kMaxInstructionLength] = {};
    usize count = 0;
    // Why fewer than 15 bytes could be fetched, raised only if the decoder
    // needs the missing bytes.
    bool stopped_by_fault = false;
    GuestException stop_exception;
};

// Reads up to 15 instruction bytes at CS:RIP, page by page, as the CPU's
// fetch would: within the CS limit and through the guest's page tables.
Result<void> fetch(x86::Registers& regs, GuestMemory& memory, GuestAccess& access, Fetched& out) {
    u8 ip_size = u8(cpu_mode(regs));
    u64 ip = regs.rip & size_mask(ip_size);
    auto linear = linear_address(regs, x86::CS, ip, ip_size, 1, AccessKind::Execute);
    if (linear.is_error())
        return access.raise(GuestException{kGeneralProtectionVector, true, 0, 0});
    usize wanted = kMaxInstructionLength;
    if (!regs.long_mode_64()) {
        u64 limit = regs.segments[x86::CS].limit;
        u64 within = limit >= ip ? limit - ip + 1 : 0;
        if (within < wanted) {
            wanted = usize(within);
            out.stopped_by_fault = true;
            out.stop_exception = GuestException{kGeneralProtectionVector, true, 0, 0};
        }
    }
    u64 address = linear.value();
    while (out.count < wanted) {
        usize page_left = usize(GuestMemory::kPageSize - (address & (GuestMemory::kPageSize - 1)));
        usize take = wanted - out.count < page_left ? wanted - out.count : page_left;
        PageFault fault;
        auto physical = translate(regs, memory, address, AccessKind::Execute, fault);
        if (physical.is_error()) {
            if (physical.error().code != Errno::Fault)
                return physical.error();
            GuestException page_fault{kPageFaultVector, true, fault.error_code, fault.address};
            if (out.count == 0)
                return access.raise(page_fault);
            // The first page gave some bytes; the fault matters only if the
            // instruction continues onto the next page.
            out.stopped_by_fault = true;
            out.stop_exception = page_fault;
            return {};
        }
        if (memory.read(physical.value(), out.bytes + out.count, take).is_error())
            return make_error(Errno::Fault, "the instruction at RIP is not in guest RAM");
        out.count += take;
        address += take;
        if (!regs.long_mode_64())
            address &= 0xffffffffu;
    }
    return {};
}

class Emulation {
public:
    Emulation(x86::Registers& regs, GuestMemory& memory, MemoryHooks& hooks, u64 faulting_gpa,
              EmulationOutcome& outcome)
        : regs_(regs), memory_(memory), access_(regs, memory, hooks), faulting_gpa_(faulting_gpa),
          outcome_(outcome) {}

    Result<void> run(const u8* bytes, usize available) {
        Fetched fetched;
        if (!bytes || available == 0) {
            auto r = fetch(regs_, memory_, access_, fetched);
            if (r.is_error())
                return finish_error(r.error(), nullptr, 0);
            bytes = fetched.bytes;
            available = fetched.count;
        }
        auto decoded = decode_instruction(bytes, available, cpu_mode(regs_), &outcome_.detail);
        if (decoded.is_error()) {
            if (decoded.error().code == Errno::Range && fetched.stopped_by_fault) {
                outcome_.detail.text[0] = 0;
                return finish_error(access_.raise(fetched.stop_exception), nullptr, 0);
            }
            return finish_error(decoded.error(), bytes, available);
        }
        outcome_.decoded = true;
        outcome_.instruction = decoded.value();
        Execution ex{regs_, access_, outcome_.instruction, faulting_gpa_};
        auto result = outcome_.instruction.form == OperandForm::String ? execute_string(ex)
                                                                       : execute_memory_operand(ex);
        outcome_.completed = ex.completed;
        if (result.is_error()) {
            auto error = finish_error(result.error(), bytes, outcome_.instruction.length);
            if (ex.operand_mismatch)
                outcome_.detail.append(" (the operand is at gpa 0x%llx)",
                                       (unsigned long long)ex.operand_gpa);
            return error;
        }
        return {};
    }

private:
    Result<void> finish_error(Error error, const u8* bytes, usize count) {
        if (access_.exception_pending()) {
            outcome_.exception_pending = true;
            outcome_.exception = access_.exception();
            return {};
        }
        if (!outcome_.detail.text[0])
            outcome_.detail.set(error.message, bytes, count);
        outcome_.detail.append(" at rip 0x%llx, faulting gpa 0x%llx", (unsigned long long)regs_.rip,
                               (unsigned long long)faulting_gpa_);
        return error;
    }

    x86::Registers& regs_;
    GuestMemory& memory_;
    GuestAccess access_;
    u64 faulting_gpa_;
    EmulationOutcome& outcome_;
};

} // namespace

Result<void> check_faulting_address(Execution& ex, const PhysicalSpan& span) {
    if (span.touches_page(ex.faulting_gpa))
        return {};
    ex.operand_mismatch = true;
    ex.operand_gpa = span.address[0];
    return make_error(Errno::Inval,
                      "the instruction's memory operand does not resolve to the faulting "
                      "guest-physical address");
}

void retire(Execution& ex) {
    u64 mask = size_mask(u8(ex.instruction.mode));
    ex.regs.rip = (ex.regs.rip + ex.instruction.length) & mask;
    ex.regs.rflags &= ~kRflagsRf;
    ex.completed = true;
}

Result<void> emulate_mmio(x86::Registers& regs, GuestMemory& memory, MemoryHooks& hooks,
                          u64 faulting_gpa, const u8* bytes, usize available,
                          EmulationOutcome* outcome) {
    EmulationOutcome local;
    EmulationOutcome& out = outcome ? *outcome : local;
    if (outcome)
        outcome->reset();
    Emulation emulation(regs, memory, hooks, faulting_gpa, out);
    TRY(emulation.run(bytes, available));
    if (out.exception_pending && !outcome)
        return make_error(Errno::Fault, "the instruction raises a guest exception and no "
                                        "outcome was given to carry it");
    return {};
}

} // namespace v3::decode
