// The emulator's internals, shared by its source files: the per-exit state
// and the two kinds of instruction it executes.
#pragma once

#include "decode/emulator.h"

namespace v3::decode {

struct Execution {
    x86::Registers& regs;
    GuestAccess& access;
    const Instruction& instruction;
    u64 faulting_gpa;
    bool completed = false;        // set when RIP was advanced
    bool operand_mismatch = false; // check_faulting_address failed
    u64 operand_gpa = 0;           // where the operand was, then
};

// The instruction's memory operand must touch the page that faulted;
// otherwise the decode or the guest's page tables disagree with the hardware.
Result<void> check_faulting_address(Execution& execution, const PhysicalSpan& span);
// Ends an instruction: RIP past it (wrapped to the code size), RF cleared.
void retire(Execution& execution);

// Instructions with one explicit memory operand (MOV, ALU, XCHG, BTx...).
Result<void> execute_memory_operand(Execution& execution);
// MOVS, STOS, LODS with or without REP.
Result<void> execute_string(Execution& execution);

} // namespace v3::decode
