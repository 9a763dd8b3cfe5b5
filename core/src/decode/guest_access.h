// Guest memory accesses on behalf of an emulated instruction: segment:offset
// → linear → guest-physical, then to the device hooked there or to RAM.
// A guest-visible fault (#GP, #SS, #PF) is recorded as a pending exception
// for the caller to inject rather than reported as a VMM failure.
#pragma once

#include "arch/x86/registers.h"
#include "decode/access_kind.h"
#include "hooks/memory_hooks.h"
#include "lib/result.h"
#include "mem/guest_memory.h"

namespace v3::decode {

struct GuestException {
    u8 vector = 0; // 12 #SS, 13 #GP, 14 #PF
    bool has_error_code = false;
    u32 error_code = 0;
    u64 cr2 = 0; // #PF: the faulting linear address
};

// Where an access of up to 8 bytes lands: one guest-physical piece, or two
// when it crosses onto another page that is not physically adjacent.
struct PhysicalSpan {
    u64 address[2] = {};
    u32 length[2] = {};
    u8 pieces = 0;

    bool touches_page(u64 guest_physical) const;
};

class GuestAccess {
public:
    GuestAccess(x86::Registers& regs, GuestMemory& memory, MemoryHooks& hooks)
        : regs_(regs), memory_(memory), hooks_(hooks) {}

    // Applies segmentation and paging to [offset, offset + size). A guest
    // fault returns an error with exception_pending() set.
    Result<PhysicalSpan> resolve(x86::SegmentIndex segment, u64 offset, u8 address_size, u32 size,
                                 AccessKind kind);
    // Linear → guest-physical for one page's worth, faults recorded as above.
    Result<u64> translate_linear(u64 linear, AccessKind kind);

    // Performs the access: hooked ranges go to their device (reads of a
    // write-only hook go to RAM, as the hardware would read them), everything
    // else to guest RAM. Data is little-endian, span lengths summed.
    Result<void> read(const PhysicalSpan& span, u8* data);
    Result<void> write(const PhysicalSpan& span, const u8* data);

    Error raise(GuestException exception);
    bool exception_pending() const { return pending_; }
    const GuestException& exception() const { return exception_; }

private:
    Result<const MemoryHooks::Hook*> hook_for(u64 address, u32 length) const;

    x86::Registers& regs_;
    GuestMemory& memory_;
    MemoryHooks& hooks_;
    bool pending_ = false;
    GuestException exception_;
};

} // namespace v3::decode
