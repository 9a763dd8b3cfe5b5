#include "decode/linear_address.h"
#include "decode/cpu_mode.h"

namespace v3::decode {
namespace {

// SVM segment attribute bits (registers.h describes the layout).
constexpr u16 kTypeAccessedOrWritable = 1u << 1; // data: writable; code: readable
constexpr u16 kTypeExpandDown = 1u << 2;         // data segments only
constexpr u16 kTypeCode = 1u << 3;
constexpr u16 kPresent = 1u << 7;

bool canonical(u64 address) {
    u64 top = address >> 47;
    return top == 0 || top == 0x1ffff;
}

Result<u64> long_mode_address(const x86::Registers& regs, x86::SegmentIndex segment, u64 offset,
                              u32 access_size) {
    u64 base = (segment == x86::FS || segment == x86::GS) ? regs.segments[segment].base : 0;
    u64 first = base + offset;
    u64 last = first + (access_size - 1);
    if (!canonical(first) || !canonical(last))
        return make_error(Errno::Fault, "the address is not canonical");
    return first;
}

// Whether [offset, offset + access_size) lies inside the segment.
bool within_limit(const x86::Segment& seg, u64 offset, u32 access_size, bool expand_down) {
    u64 last = offset + (access_size - 1);
    if (!expand_down)
        return last <= seg.limit;
    u64 upper = seg.default_big() ? 0xffffffffu : 0xffffu;
    return offset > seg.limit && last <= upper;
}

} // namespace

Result<u64> linear_address(const x86::Registers& regs, x86::SegmentIndex segment, u64 offset,
                           u8 address_size, u32 access_size, AccessKind kind) {
    if (access_size == 0)
        access_size = 1;
    offset &= size_mask(address_size);
    if (regs.long_mode_64())
        return long_mode_address(regs, segment, offset, access_size);

    const x86::Segment& seg = regs.segments[segment];
    bool protected_mode = !regs.real_mode() && !(regs.rflags & kRflagsVm);
    bool expand_down = false;
    if (protected_mode) {
        if (!(seg.attributes & kPresent))
            return make_error(Errno::Fault, "the segment is not usable (null or not present)");
        bool code = seg.attributes & kTypeCode;
        bool readable_or_writable = seg.attributes & kTypeAccessedOrWritable;
        if (kind == AccessKind::Write && (code || !readable_or_writable))
            return make_error(Errno::Fault, "write through a read-only segment");
        if (kind == AccessKind::Read && code && !readable_or_writable)
            return make_error(Errno::Fault, "read through an execute-only code segment");
        expand_down = !code && (seg.attributes & kTypeExpandDown);
    }
    if (!within_limit(seg, offset, access_size, expand_down))
        return make_error(Errno::Fault, "the access lies outside the segment limit");
    return (seg.base + offset) & 0xffffffffu;
}

} // namespace v3::decode
