#include "decode/guest_access.h"
#include "decode/linear_address.h"
#include "decode/page_walk.h"

namespace v3::decode {

bool PhysicalSpan::touches_page(u64 guest_physical) const {
    u64 page = guest_physical & ~u64(GuestMemory::kPageSize - 1);
    for (u8 i = 0; i < pieces; ++i) {
        u64 first = address[i] & ~u64(GuestMemory::kPageSize - 1);
        u64 last = (address[i] + length[i] - 1) & ~u64(GuestMemory::kPageSize - 1);
        if (page == first || page == last)
            return true;
    }
    return false;
}

Error GuestAccess::raise(GuestException exception) {
    pending_ = true;
    exception_ = exception;
    return make_error(Errno::Fault, "the instruction raises an exception in the guest");
}

Result<u64> GuestAccess::translate_linear(u64 linear, AccessKind kind) {
    PageFault fault;
    auto physical = translate(regs_, memory_, linear, kind, fault);
    if (physical.is_error() && physical.error().code == Errno::Fault)
        return raise(GuestException{kPageFaultVector, true, fault.error_code, fault.address});
    return physical;
}

Result<PhysicalSpan> GuestAccess::resolve(x86::SegmentIndex segment, u64 offset, u8 address_size,
                                          u32 size, AccessKind kind) {
    auto linear = linear_address(regs_, segment, offset, address_size, size, kind);
    if (linear.is_error())
        return raise(GuestException{segment_fault_vector(segment), true, 0, 0});
    u64 first = linear.value();
    u32 on_first_page = u32(GuestMemory::kPageSize - (first & (GuestMemory::kPageSize - 1)));
    PhysicalSpan span;
    span.address[0] = TRY(translate_linear(first, kind));
    if (size <= on_first_page) {
        span.length[0] = size;
        span.pieces = 1;
        return span;
    }
    // Outside 64-bit mode linear addresses wrap at 4 GB.
    u64 second = first + on_first_page;
    if (!regs_.long_mode_64())
        second &= 0xffffffffu;
    span.address[1] = TRY(translate_linear(second, kind));
    span.length[0] = on_first_page;
    span.length[1] = size - on_first_page;
    span.pieces = 2;
    bool same_target = hooks_.find(span.address[0]) == hooks_.find(span.address[1]);
    if (span.address[1] == span.address[0] + on_first_page && same_target) {
        span.length[0] = size; // physically contiguous: one access
        span.pieces = 1;
    }
    return span;
}

Result<const MemoryHooks::Hook*> GuestAccess::hook_for(u64 address, u32 length) const {
    // Either no hook overlaps the access, or one hook holds all of it.
    const MemoryHooks::Hook* first = hooks_.find(address);
    const MemoryHooks::Hook* overlapping = hooks_.find_overlap(address, length);
    if (overlapping != first || (first && address + length > first->end))
        return make_error(Errno::Inval, "the access straddles the edge of a hooked region");
    return first;
}

Result<void> GuestAccess::read(const PhysicalSpan& span, u8* data) {
    for (u8 i = 0; i < span.pieces; ++i) {
        const MemoryHooks::Hook* hook = TRY(hook_for(span.address[i], span.length[i]));
        if (hook && hook->kind == MmioHookKind::Full)
            TRY(hooks_.read(span.address[i], data, span.length[i]));
        else
            TRY(memory_.read(span.address[i], data, span.length[i]));
        data += span.length[i];
    }
    return {};
}

Result<void> GuestAccess::write(const PhysicalSpan& span, const u8* data) {
    for (u8 i = 0; i < span.pieces; ++i) {
        const MemoryHooks::Hook* hook = TRY(hook_for(span.address[i], span.length[i]));
        if (hook)
            TRY(hooks_.write(span.address[i], data, span.length[i]));
        else
            TRY(memory_.write(span.address[i], data, span.length[i]));
        data += span.length[i];
    }
    return {};
}

} // namespace v3::decode
