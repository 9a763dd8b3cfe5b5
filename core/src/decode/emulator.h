// MMIO emulation: the guest touched a guest-physical address a device hooks
// and the CPU exited with a nested page fault but (under QEMU's emulated SVM)
// without decode assists or a next RIP. The emulator fetches and decodes the
// instruction at CS:RIP, checks that its memory operand really is the
// faulting address, performs the access through the memory hooks (RAM for
// the other side of a MOVS), updates registers and flags as the CPU would and
// advances RIP.
#pragma once

#include "arch/x86/registers.h"
#include "decode/failure_detail.h"
#include "decode/guest_access.h"
#include "decode/instruction.h"
#include "hooks/memory_hooks.h"
#include "lib/result.h"
#include "mem/guest_memory.h"

namespace v3::decode {

// A REP string instruction runs at most this many iterations per exit; then
// RIP stays on it with RCX/RSI/RDI updated, so the guest re-executes it (and
// takes interrupts in between), as a CPU interrupting a REP does.
inline constexpr u32 kMaxStringIterationsPerExit = 4096;

struct EmulationOutcome {
    // The instruction finished and RIP was advanced. False when a REP string
    // instruction stopped early (budget or exception) and will be re-executed.
    bool completed = false;
    // The guest must take this exception (RIP is unchanged, registers hold
    // the progress of a REP instruction). The caller injects it (and sets CR2
    // for #PF).
    bool exception_pending = false;
    GuestException exception;
    bool decoded = false;
    Instruction instruction; // valid when decoded
    // On error: the reason, the instruction bytes in hex, RIP and the
    // faulting address, for the VM's fail-stop message.
    FailureDetail detail;

    void reset() {
        completed = false;
        exception_pending = false;
        exception = GuestException{};
        decoded = false;
        detail.text[0] = 0;
    }
};

// Emulates the instruction in bytes[0..available) (or, when bytes is null or
// available is 0, the one fetched from guest memory at CS:RIP through the
// guest's page tables) that faulted on guest-physical address faulting_gpa.
// The operand "is" the faulting address when the access touches the page of
// faulting_gpa: hardware may report any byte of the access (or, for an access
// straddling two pages, the second page), so the match is page-granular.
// Errors mean the VM cannot continue (unsupported instruction, operand not at
// faulting_gpa, a device refusing the access); a guest-visible fault is not an
// error but outcome->exception_pending (with no outcome given, it is an
// error, as no one could inject it).
Result<void> emulate_mmio(x86::Registers& regs, GuestMemory& memory, MemoryHooks& hooks,
                          u64 faulting_gpa, const u8* bytes, usize available,
                          EmulationOutcome* outcome = nullptr);

} // namespace v3::decode
