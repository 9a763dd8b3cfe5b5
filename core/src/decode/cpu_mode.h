// The code size the guest is executing in, which decides default operand and
// address sizes and whether REX prefixes exist.
#pragma once

#include "arch/x86/registers.h"

namespace v3::decode {

enum class CpuMode : u8 { Bits16 = 2, Bits32 = 4, Bits64 = 8 };

inline constexpr u64 kRflagsVm = bit(17); // virtual-8086 mode

inline CpuMode cpu_mode(const x86::Registers& regs) {
    if (regs.long_mode_64())
        return CpuMode::Bits64;
    // Real and virtual-8086 mode always run 16-bit code, whatever attributes
    // the hidden CS descriptor was left with.
    if (regs.real_mode() || (regs.rflags & kRflagsVm))
        return CpuMode::Bits16;
    return regs.segments[x86::CS].default_big() ? CpuMode::Bits32 : CpuMode::Bits16;
}

// The low `bytes` bytes of a value (bytes 1..8).
inline constexpr u64 size_mask(u32 bytes) {
    return bytes >= 8 ? ~u64(0) : (u64(1) << (bytes * 8)) - 1;
}

} // namespace v3::decode
