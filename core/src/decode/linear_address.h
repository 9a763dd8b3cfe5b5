// Segmentation: a segment:offset pair to a linear address, with the checks
// the CPU makes before any paging happens.
#pragma once

#include "arch/x86/registers.h"
#include "decode/access_kind.h"
#include "lib/result.h"

namespace v3::decode {

inline constexpr u8 kStackFaultVector = 12;        // #SS
inline constexpr u8 kGeneralProtectionVector = 13; // #GP

// The linear address of `offset` in `segment`, for an access of access_size
// bytes. The offset is first truncated to address_size (2, 4 or 8 bytes),
// as the effective-address computation wraps there.
//  - Real and virtual-8086 mode: segment base (selector << 4 as the CPU
//    loaded it) + offset, within the cached limit.
//  - Protected mode: base + offset; the segment must be usable, writable for
//    writes, readable for reads of a code segment, and the whole access must
//    lie within the limit (expand-down segments: above it).
//  - 64-bit mode: only FS and GS contribute a base; the result must be
//    canonical (48-bit) from first to last byte.
// Outside 64-bit mode the result wraps at 4 GB.
// Segment limits are the byte-granular expanded limits the VMCB holds.
// A violation is Errno::Fault; the guest takes #SS(0) for SS, #GP(0) otherwise
// (see segment_fault_vector).
Result<u64> linear_address(const x86::Registers& regs, x86::SegmentIndex segment, u64 offset,
                           u8 address_size, u32 access_size = 1,
                           AccessKind kind = AccessKind::Read);

inline u8 segment_fault_vector(x86::SegmentIndex segment) {
    return segment == x86::SS ? kStackFaultVector : kGeneralProtectionVector;
}

} // namespace v3::decode
