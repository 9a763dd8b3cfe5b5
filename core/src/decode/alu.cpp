#include "decode/alu.h"

namespace v3::decode {
namespace {

using namespace x86;

u64 sign_bit(u8 size) {
    return u64(1) << (size * 8 - 1);
}

// SF, ZF and PF of a result (PF: even number of set bits in the low byte).
u64 result_flags(u64 value, u8 size) {
    u64 flags = 0;
    if (value & sign_bit(size))
        flags |= kRflagsSf;
    if (value == 0)
        flags |= kRflagsZf;
    u8 low = u8(value);
    low ^= low >> 4;
    low ^= low >> 2;
    low ^= low >> 1;
    if (!(low & 1))
        flags |= kRflagsPf;
    return flags;
}

// a + b + carry, flags as ADD/ADC set them.
AluResult add(u64 a, u64 b, bool carry, u8 size) {
    u64 mask = size_mask(size);
    u64 r = (a + b + (carry ? 1 : 0)) & mask;
    AluResult out;
    out.value = r;
    out.affected = kRflagsArithmetic;
    out.flags = result_flags(r, size);
    // The carry out of the top bit, from the top bits of the operands and result.
    if (((a & b) | ((a | b) & ~r)) & sign_bit(size))
        out.flags |= kRflagsCf;
    if ((a ^ r) & (b ^ r) & sign_bit(size))
        out.flags |= kRflagsOf;
    if ((a ^ b ^ r) & 0x10)
        out.flags |= kRflagsAf;
    return out;
}

// a - b - borrow, flags as SUB/SBB/CMP set them.
AluResult subtract(u64 a, u64 b, bool borrow, u8 size) {
    u64 mask = size_mask(size);
    u64 r = (a - b - (borrow ? 1 : 0)) & mask;
    AluResult out;
    out.value = r;
    out.affected = kRflagsArithmetic;
    out.flags = result_flags(r, size);
    if (((~a & b) | (~(a ^ b) & r)) & sign_bit(size))
        out.flags |= kRflagsCf;
    if ((a ^ b) & (a ^ r) & sign_bit(size))
        out.flags |= kRflagsOf;
    if ((a ^ b ^ r) & 0x10)
        out.flags |= kRflagsAf;
    return out;
}

AluResult logical(u64 r, u8 size) {
    AluResult out;
    out.value = r & size_mask(size);
    out.affected = kRflagsArithmetic; // CF = OF = AF = 0
    out.flags = result_flags(out.value, size);
    return out;
}

} // namespace

bool is_alu_operation(Operation operation) {
    switch (operation) {
    case Operation::Add:
    case Operation::Or:
    case Operation::Adc:
    case Operation::Sbb:
    case Operation::And:
    case Operation::Sub:
    case Operation::Xor:
    case Operation::Cmp:
    case Operation::Test:
    case Operation::Not:
    case Operation::Neg:
    case Operation::Inc:
    case Operation::Dec:
        return true;
    default:
        return false;
    }
}

AluResult alu(Operation operation, u64 a, u64 b, u8 size, bool carry_in) {
    u64 mask = size_mask(size);
    a &= mask;
    b &= mask;
    AluResult out;
    switch (operation) {
    case Operation::Add:
        return add(a, b, false, size);
    case Operation::Adc:
        return add(a, b, carry_in, size);
    case Operation::Sub:
        return subtract(a, b, false, size);
    case Operation::Sbb:
        return subtract(a, b, carry_in, size);
    case Operation::Cmp:
        out = subtract(a, b, false, size);
        out.writes_result = false;
        return out;
    case Operation::And:
        return logical(a & b, size);
    case Operation::Or:
        return logical(a | b, size);
    case Operation::Xor:
        return logical(a ^ b, size);
    case Operation::Test:
        out = logical(a & b, size);
        out.writes_result = false;
        return out;
    case Operation::Not:
        out.value = ~a & mask; // flags unaffected
        return out;
    case Operation::Neg:
        // 0 - a; CF is set unless the operand was zero, which subtract gives.
        return subtract(0, a, false, size);
    case Operation::Inc:
    case Operation::Dec:
        // As ADD/SUB of 1, but CF is left alone.
        out = operation == Operation::Inc ? add(a, 1, false, size) : subtract(a, 1, false, size);
        out.affected &= ~kRflagsCf;
        return out;
    default:
        out.value = a;
        out.writes_result = false;
        return out;
    }
}

} // namespace v3::decode
