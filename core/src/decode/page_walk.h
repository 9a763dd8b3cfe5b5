// Guest linear → guest-physical translation by walking the guest's own page
// tables in guest RAM, for every x86 paging mode: paging off, 32-bit
// two-level (4 MB pages with CR4.PSE), PAE three-level (2 MB pages) and
// long-mode four-level (2 MB and 1 GB pages).
//
// The walk checks what the hardware checks: present bits, reserved bits,
// U/S for user (CPL 3) accesses, R/W for writes (supervisor writes only with
// CR0.WP), NX for fetches when EFER.NXE, and SMEP/SMAP when CR4 enables them.
// It sets no accessed or dirty bits: the emulator only walks to find where an
// access that already trapped goes, and the hardware walker sets A/D itself
// when the guest retries or touches the page natively.
#pragma once

#include "arch/x86/registers.h"
#include "decode/access_kind.h"
#include "lib/result.h"
#include "mem/guest_memory.h"

namespace v3::decode {

// #PF error code bits.
inline constexpr u32 kPfPresent = 1u << 0;     // protection violation (0: page not present)
inline constexpr u32 kPfWrite = 1u << 1;       // the access was a write
inline constexpr u32 kPfUser = 1u << 2;        // the access came from CPL 3
inline constexpr u32 kPfReserved = 1u << 3;    // a reserved bit was set in an entry
inline constexpr u32 kPfInstruction = 1u << 4; // an instruction fetch (with NX or SMEP)

inline constexpr u8 kPageFaultVector = 14;

struct PageFault {
    u32 error_code = 0;
    u64 address = 0; // the value for CR2: the linear address that faulted
};

inline constexpr u64 kCr4Smep = bit(20);
inline constexpr u64 kCr4Smap = bit(21);
inline constexpr u64 kRflagsAc = bit(18);

// Translates `linear` for an access of `kind` at the guest's current CPL.
// Errors:
//  - Errno::Fault: the guest takes a page fault; fault_out holds the error
//    code and CR2 value to inject.
//  - anything else: the VMM cannot walk (a page-table entry outside guest
//    RAM, a non-canonical address); fault_out is left zero.
// physical_address_bits is the guest's MAXPHYADDR (CPUID 0x80000008 EAX[7:0]):
// address bits at and above it in an entry are reserved. The default, 52, is
// the architectural maximum and never reports a spurious reserved-bit fault.
Result<u64> translate(const x86::Registers& regs, const GuestMemory& memory, u64 linear,
                      AccessKind kind, PageFault& fault_out, u8 physical_address_bits = 52);

} // namespace v3::decode
