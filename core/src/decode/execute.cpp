#include "decode/alu.h"
#include "decode/execution.h"
#include "decode/gpr_access.h"

namespace v3::decode {
namespace {

u64 load_little_endian(const u8* data, u32 size) {
    u64 value = 0;
    for (u32 i = 0; i < size; ++i)
        value |= u64(data[i]) << (8 * i);
    return value;
}

void store_little_endian(u8* data, u32 size, u64 value) {
    for (u32 i = 0; i < size; ++i)
        data[i] = u8(value >> (8 * i));
}

i64 sign_extend(u64 value, u32 bytes) {
    unsigned shift = 64 - bytes * 8;
    return i64(value << shift) >> shift;
}

bool is_bit_operation(Operation op) {
    return op == Operation::Bt || op == Operation::Bts || op == Operation::Btr ||
           op == Operation::Btc;
}

bool reads_memory(const Instruction& insn) {
    if (insn.operation == Operation::Mov)
        return insn.form == OperandForm::RegisterMemory;
    return true;
}

bool writes_memory(const Instruction& insn) {
    switch (insn.operation) {
    case Operation::Movzx:
    case Operation::Movsx:
    case Operation::Cmp:
    case Operation::Test:
    case Operation::Bt:
        return false;
    case Operation::Xchg:
        return true;
    default:
        return insn.form != OperandForm::RegisterMemory;
    }
}

// BT* with a register bit offset address a bit string: the signed offset
// selects an operand-sized unit relative to the memory operand (the CPU
// moves the address), and the bit within it.
struct BitSelection {
    u64 address_adjust = 0;
    u32 bit = 0;
};

BitSelection select_bit(const Instruction& insn, const x86::Registers& regs) {
    u32 width = insn.operand_size * 8u;
    BitSelection s;
    if (insn.form == OperandForm::MemoryImmediate) {
        s.bit = u32(insn.immediate) & (width - 1);
        return s;
    }
    i64 offset = sign_extend(read_register(regs, insn.reg, insn.operand_size), insn.operand_size);
    unsigned shift = width == 16 ? 4 : width == 32 ? 5 : 6;
    s.address_adjust = u64((offset >> shift) * i64(insn.operand_size));
    s.bit = u32(offset) & (width - 1);
    return s;
}

struct Computed {
    u64 memory_value = 0; // to write back, when the instruction writes memory
    bool register_written = false;
    u64 register_value = 0; // at register_size
    u8 register_size = 0;
    u64 flags = 0;
    u64 affected = 0;
};

// What the instruction makes of the memory operand's old value.
Computed compute(const Instruction& insn, const x86::Registers& regs, u64 memory_value,
                 const BitSelection& bit) {
    Computed c;
    u8 size = insn.operand_size;
    u64 reg_value = read_register(regs, insn.reg, size);
    switch (insn.operation) {
    case Operation::Mov:
        if (insn.form == OperandForm::RegisterMemory) {
            c.register_written = true;
            c.register_value = memory_value;
            c.register_size = size;
        } else {
            c.memory_value = insn.form == OperandForm::MemoryImmediate ? insn.immediate : reg_value;
        }
        return c;
    case Operation::Movzx:
    case Operation::Movsx:
        c.register_written = true;
        c.register_size = size;
        c.register_value = insn.operation == Operation::Movzx
                               ? memory_value
                               : u64(sign_extend(memory_value, insn.memory_size));
        return c;
    case Operation::Xchg:
        c.memory_value = reg_value;
        c.register_written = true;
        c.register_value = memory_value;
        c.register_size = size;
        return c;
    case Operation::Bt:
    case Operation::Bts:
    case Operation::Btr:
    case Operation::Btc: {
        u64 mask = u64(1) << bit.bit;
        c.flags = (memory_value & mask) ? x86::kRflagsCf : 0;
        c.affected = x86::kRflagsCf; // OF SF AF PF undefined: left as they were
        c.memory_value = insn.operation == Operation::Bts   ? memory_value | mask
                         : insn.operation == Operation::Btr ? memory_value & ~mask
                         : insn.operation == Operation::Btc ? memory_value ^ mask
                                                            : memory_value;
        return c;
    }
    default:
        break;
    }
    // ALU: the memory operand is the destination except in the reg, r/m form.
    bool register_destination = insn.form == OperandForm::RegisterMemory;
    u64 a = register_destination ? reg_value : memory_value;
    u64 b = register_destination                        ? memory_value
            : insn.form == OperandForm::MemoryImmediate ? insn.immediate
                                                        : reg_value;
    AluResult r = alu(insn.operation, a, b, size, regs.rflags & x86::kRflagsCf);
    c.flags = r.flags;
    c.affected = r.affected;
    if (register_destination) {
        c.register_written = r.writes_result;
        c.register_value = r.value;
        c.register_size = size;
    }
    c.memory_value = r.value;
    return c;
}

} // namespace

Result<void> execute_memory_operand(Execution& ex) {
    const Instruction& insn = ex.instruction;
    if (!is_alu_operation(insn.operation) && !is_bit_operation(insn.operation) &&
        insn.operation != Operation::Mov && insn.operation != Operation::Movzx &&
        insn.operation != Operation::Movsx && insn.operation != Operation::Xchg)
        return make_error(Errno::NotSup, "the emulator does not execute this instruction");

    BitSelection bit;
    if (is_bit_operation(insn.operation))
        bit = select_bit(insn, ex.regs);
    u64 offset = effective_address(insn, ex.regs) + bit.address_adjust;
    bool reads = reads_memory(insn), writes = writes_memory(insn);
    // A read-modify-write checks write permission before it reads.
    AccessKind kind = writes ? AccessKind::Write : AccessKind::Read;
    PhysicalSpan span = TRY(ex.access.resolve(insn.memory.segment, offset, insn.memory.address_size,
                                              insn.memory_size, kind));
    TRY(check_faulting_address(ex, span));

    u8 data[8] = {};
    if (reads)
        TRY(ex.access.read(span, data));
    Computed c = compute(insn, ex.regs, load_little_endian(data, insn.memory_size), bit);
    if (writes) {
        store_little_endian(data, insn.memory_size, c.memory_value);
        TRY(ex.access.write(span, data));
    }
    if (c.register_written)
        write_register(ex.regs, insn.reg, c.register_size, c.register_value);
    ex.regs.rflags = (ex.regs.rflags & ~c.affected) | (c.flags & c.affected);
    retire(ex);
    return {};
}

} // namespace v3::decode
