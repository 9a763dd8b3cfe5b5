// One decoded x86 instruction that accesses memory: what the decoder hands
// the emulator.
#pragma once

#include "arch/x86/registers.h"
#include "decode/cpu_mode.h"

namespace v3::decode {

enum class Operation : u8 {
    Mov,
    Movzx,
    Movsx, // also MOVSXD
    Add,
    Or,
    Adc,
    Sbb,
    And,
    Sub,
    Xor,
    Cmp,
    Test,
    Xchg,
    Not,
    Neg,
    Inc,
    Dec,
    Bt,
    Bts,
    Btr,
    Btc,
    Movs,
    Stos,
    Lods,
};

const char* operation_name(Operation operation);

// Where the operands are. The memory operand is always present.
enum class OperandForm : u8 {
    MemoryRegister,  // memory is the first (destination) operand, a register the second
    RegisterMemory,  // a register is the destination, memory the source
    MemoryImmediate, // memory destination, immediate source
    Memory,          // memory is the only operand (NOT, NEG, INC, DEC)
    String,          // implicit operands: [segment:rSI] source, ES:[rDI] destination
};

inline constexpr u8 kNoRegister = 0xff;

struct MemoryOperand {
    x86::SegmentIndex segment = x86::DS; // after overrides and the SS default for rBP/rSP
    u8 base = kNoRegister;               // x86::Gpr, or kNoRegister
    u8 index = kNoRegister;              // x86::Gpr, or kNoRegister
    u8 scale = 1;                        // 1, 2, 4 or 8
    bool rip_relative = false;           // base is the address of the next instruction
    i64 displacement = 0;                // sign-extended (moffs: the unsigned offset)
    u8 address_size = 4;                 // 2, 4 or 8 bytes
};

struct RegisterOperand {
    u8 number = 0;          // x86::Gpr
    bool high_byte = false; // AH, CH, DH or BH: bits 15:8 of register `number`
};

struct Prefixes {
    bool lock = false;
    bool rep = false;          // F3
    bool repne = false;        // F2
    bool operand_size = false; // 66
    bool address_size = false; // 67
    bool has_segment = false;
    x86::SegmentIndex segment = x86::DS;
    u8 rex = 0; // the REX byte (0x40-0x4f) in 64-bit mode, 0 when absent
};

struct Instruction {
    Operation operation = Operation::Mov;
    OperandForm form = OperandForm::MemoryRegister;
    u8 length = 0;       // bytes, prefixes included
    u8 operand_size = 0; // of the destination (string ops: of each element), 1/2/4/8
    u8 memory_size = 0;  // bytes the memory operand accesses (MOVZX/MOVSX: the source)
    MemoryOperand memory;
    RegisterOperand reg; // MemoryRegister / RegisterMemory forms
    u64 immediate = 0;   // MemoryImmediate form, sign-extended to 64 bits
    Prefixes prefixes;
    CpuMode mode = CpuMode::Bits32;

    bool repeated() const { return prefixes.rep || prefixes.repne; }
};

// The memory operand's offset within its segment (before segmentation),
// wrapped to the address size. RIP-relative operands count from the end of
// the instruction, so regs.rip must still point at its start.
u64 effective_address(const Instruction& instruction, const x86::Registers& regs);

} // namespace v3::decode
