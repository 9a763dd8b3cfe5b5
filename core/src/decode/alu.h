// The arithmetic and logic the emulator performs on memory operands, with
// RFLAGS computed as the hardware does. Flags the architecture leaves
// undefined are given fixed values: AF = 0 after logical operations.
#pragma once

#include "decode/instruction.h"

namespace v3::decode {

struct AluResult {
    u64 value = 0;             // masked to the operand size
    u64 flags = 0;             // the new values of the bits in `affected`
    u64 affected = 0;          // which RFLAGS bits the operation writes
    bool writes_result = true; // false for CMP and TEST
};

// `a` is the destination (first) operand, `b` the source; sizes 1, 2, 4, 8.
// Handles ADD OR ADC SBB AND SUB XOR CMP TEST NOT NEG INC DEC. carry_in is
// RFLAGS.CF (used by ADC and SBB).
AluResult alu(Operation operation, u64 a, u64 b, u8 size, bool carry_in);

// The RFLAGS value after `result`.
inline u64 apply_flags(u64 rflags, const AluResult& result) {
    return (rflags & ~result.affected) | (result.flags & result.affected);
}

// Whether `operation` is one alu() computes.
bool is_alu_operation(Operation operation);

} // namespace v3::decode
