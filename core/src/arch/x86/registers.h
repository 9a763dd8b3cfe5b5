// The guest CPU state the emulator and exit handlers work on, independent of
// SVM or VMX: the backend copies it out of (and back into) its VMCB/VMCS
// around an exit that needs it.
#pragma once

#include "lib/types.h"

namespace v3::x86 {

enum Gpr : u8 { RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8, R9, R10, R11, R12, R13, R14, R15 };

struct Segment {
    u16 selector = 0;
    u64 base = 0;
    u32 limit = 0;
    // The SVM attribute layout (VMCB "attrib"): type[3:0] S[4] DPL[6:5] P[7]
    // AVL[8] L[9] D/B[10] G[11].
    u16 attributes = 0;

    bool long_mode() const { return attributes & (1u << 9); }
    bool default_big() const { return attributes & (1u << 10); }
};

enum SegmentIndex : u8 { ES, CS, SS, DS, FS, GS };

inline constexpr u64 kRflagsCf = bit(0);
inline constexpr u64 kRflagsPf = bit(2);
inline constexpr u64 kRflagsAf = bit(4);
inline constexpr u64 kRflagsZf = bit(6);
inline constexpr u64 kRflagsSf = bit(7);
inline constexpr u64 kRflagsTf = bit(8);
inline constexpr u64 kRflagsIf = bit(9);
inline constexpr u64 kRflagsDf = bit(10);
inline constexpr u64 kRflagsOf = bit(11);
inline constexpr u64 kRflagsArithmetic =
    kRflagsCf | kRflagsPf | kRflagsAf | kRflagsZf | kRflagsSf | kRflagsOf;

inline constexpr u64 kCr0Pe = bit(0);
inline constexpr u64 kCr0Wp = bit(16);
inline constexpr u64 kCr0Pg = bit(31);
inline constexpr u64 kCr4Pse = bit(4);
inline constexpr u64 kCr4Pae = bit(5);
inline constexpr u64 kEferLme = bit(8);
inline constexpr u64 kEferLma = bit(10);
inline constexpr u64 kEferNxe = bit(11);

struct Registers {
    u64 gpr[16] = {};
    u64 rip = 0;
    u64 rflags = 0x2;
    u64 cr0 = 0, cr2 = 0, cr3 = 0, cr4 = 0, efer = 0;
    Segment segments[6];
    u8 cpl = 0;

    // The execution mode the decoder needs.
    bool real_mode() const { return !(cr0 & kCr0Pe); }
    bool long_mode_64() const { return (efer & kEferLma) && segments[CS].long_mode(); }
};

} // namespace v3::x86
