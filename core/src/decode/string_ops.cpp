#include "decode/execution.h"
#include "decode/gpr_access.h"

namespace v3::decode {
namespace {

struct Element {
    bool has_source = false;
    bool has_destination = false;
    PhysicalSpan source;
    PhysicalSpan destination;
};

// Resolves the current element's operands: [seg:rSI] for MOVS/LODS,
// ES:[rDI] for MOVS/STOS (ES cannot be overridden).
Result<Element> resolve_element(Execution& ex) {
    const Instruction& insn = ex.instruction;
    const MemoryOperand& m = insn.memory;
    u64 mask = size_mask(m.address_size);
    Element e;
    if (insn.operation != Operation::Stos) {
        e.source = TRY(ex.access.resolve(m.segment, ex.regs.gpr[x86::RSI] & mask, m.address_size,
                                         insn.operand_size, AccessKind::Read));
        e.has_source = true;
    }
    if (insn.operation != Operation::Lods) {
        e.destination = TRY(ex.access.resolve(x86::ES, ex.regs.gpr[x86::RDI] & mask, m.address_size,
                                              insn.operand_size, AccessKind::Write));
        e.has_destination = true;
    }
    return e;
}

Result<void> check_first_element(Execution& ex, const Element& e) {
    // MOVS may have faulted on either side; the check passes if one matches.
    if (e.has_source && e.has_destination && e.source.touches_page(ex.faulting_gpa))
        return {};
    return check_faulting_address(ex, e.has_destination ? e.destination : e.source);
}

Result<void> transfer(Execution& ex, const Element& e) {
    const Instruction& insn = ex.instruction;
    u8 data[8] = {};
    if (e.has_source) {
        TRY(ex.access.read(e.source, data));
    } else {
        u64 value = ex.regs.gpr[x86::RAX];
        for (u32 i = 0; i < insn.operand_size; ++i)
            data[i] = u8(value >> (8 * i));
    }
    if (e.has_destination) {
        TRY(ex.access.write(e.destination, data));
    } else {
        u64 value = 0;
        for (u32 i = 0; i < insn.operand_size; ++i)
            value |= u64(data[i]) << (8 * i);
        write_register(ex.regs, x86::RAX, insn.operand_size, value);
    }
    return {};
}

// rSI/rDI move by the element size, down when RFLAGS.DF is set; only the
// address-size part of the register changes (a 32-bit update zero-extends).
void step_pointers(Execution& ex) {
    const Instruction& insn = ex.instruction;
    u8 asz = insn.memory.address_size;
    u64 step = insn.operand_size;
    if (ex.regs.rflags & x86::kRflagsDf)
        step = u64(0) - step;
    if (insn.operation != Operation::Stos)
        write_register(ex.regs, x86::RSI, asz, ex.regs.gpr[x86::RSI] + step);
    if (insn.operation != Operation::Lods)
        write_register(ex.regs, x86::RDI, asz, ex.regs.gpr[x86::RDI] + step);
}

} // namespace

Result<void> execute_string(Execution& ex) {
    const Instruction& insn = ex.instruction;
    u8 asz = insn.memory.address_size;
    bool repeated = insn.repeated();
    // REP counts in CX, ECX or RCX by address size.
    u64 remaining = repeated ? ex.regs.gpr[x86::RCX] & size_mask(asz) : 1;
    for (u32 done = 0; remaining > 0; ++done) {
        if (done == kMaxStringIterationsPerExit)
            return {}; // RIP stays: the guest re-executes with the progress made
        Element e = TRY(resolve_element(ex));
        if (done == 0)
            TRY(check_first_element(ex, e));
        TRY(transfer(ex, e));
        step_pointers(ex);
        --remaining;
        if (repeated)
            write_register(ex.regs, x86::RCX, asz, remaining);
    }
    retire(ex);
    return {};
}

} // namespace v3::decode
