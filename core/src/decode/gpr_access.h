// Reading and writing general-purpose registers at an operand size, with the
// CPU's partial-register rules: 8- and 16-bit writes keep the other bits,
// AH/CH/DH/BH are bits 15:8, and 32-bit writes zero bits 63:32.
//
// 32-bit writes zero-extend in every mode: in 64-bit mode the architecture
// requires it, and outside it the upper half is unobservable (undefined on
// the next switch to 64-bit mode), so doing the same everywhere is exact.
#pragma once

#include "decode/instruction.h"

namespace v3::decode {

inline u64 read_register(const x86::Registers& regs, RegisterOperand r, u8 size) {
    u64 value = regs.gpr[r.number];
    if (r.high_byte)
        return (value >> 8) & 0xff;
    return value & size_mask(size);
}

inline void write_register(x86::Registers& regs, RegisterOperand r, u8 size, u64 value) {
    u64& target = regs.gpr[r.number];
    if (r.high_byte) {
        target = (target & ~u64(0xff00)) | ((value & 0xff) << 8);
        return;
    }
    switch (size) {
    case 1:
        target = (target & ~u64(0xff)) | (value & 0xff);
        break;
    case 2:
        target = (target & ~u64(0xffff)) | (value & 0xffff);
        break;
    case 4:
        target = value & 0xffffffffu;
        break;
    default:
        target = value;
        break;
    }
}

inline void write_register(x86::Registers& regs, u8 number, u8 size, u64 value) {
    write_register(regs, RegisterOperand{number, false}, size, value);
}

} // namespace v3::decode
