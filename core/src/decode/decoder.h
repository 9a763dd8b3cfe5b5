// The x86 instruction decoder for MMIO emulation: one instruction from at
// most 15 bytes, in 16-, 32- or 64-bit code. It knows the instructions that
// touch memory through a ModRM, moffs or string operand and that guests use on
// device memory: MOV (88 89 8A 8B C6/0 C7/0 A0-A3), MOVZX/MOVSX (0F B6 B7 BE
// BF), MOVSXD (63, 64-bit), ADD/OR/ADC/SBB/AND/SUB/XOR/CMP (00-3B, 80 81 83,
// and 82 outside 64-bit mode), TEST (84 85 F6/0 F7/0), XCHG (86 87), NOT/NEG
// (F6/F7 /2 /3), INC/DEC (FE/FF /0 /1), BT/BTS/BTR/BTC (0F A3 AB B3 BB, 0F BA
// /4-/7) and MOVS/STOS/LODS (A4 A5 AA AB AC AD) with REP.
// Register-only forms (ModRM mod = 3) have no memory operand and are refused:
// they cannot have caused a memory exit.
#pragma once

#include "decode/failure_detail.h"
#include "decode/instruction.h"
#include "lib/result.h"

namespace v3::decode {

inline constexpr usize kMaxInstructionLength = 15;

// Decodes the instruction at bytes[0]. `available` is how many bytes the
// caller could fetch (more than 15 are ignored). On error, `detail` (when
// given) says why and lists the bytes in hex.
Result<Instruction> decode_instruction(const u8* bytes, usize available, CpuMode mode,
                                       FailureDetail* detail = nullptr);

} // namespace v3::decode
