#include "hooks/io_port_bus.h"
#include "lib/log.h"

namespace v3 {

namespace {

bool valid_size(u8 size) {
    return size == 1 || size == 2 || size == 4;
}

u32 all_ones(u8 size) {
    return size == 4 ? 0xffffffffu : (1u << (size * 8)) - 1;
}

} // namespace

const IoPortBus::Range* IoPortBus::find(u16 port) const {
    usize low = 0, high = ranges_.size();
    while (low < high) {
        usize mid = (low + high) / 2;
        const Range& r = ranges_[mid];
        if (port < r.first)
            high = mid;
        else if (port > r.last)
            low = mid + 1;
        else
            return &r;
    }
    return nullptr;
}

StringView IoPortBus::owner_of(u16 port) const {
    const Range* r = find(port);
    return r ? r->owner : StringView();
}

Result<void> IoPortBus::claim(u16 first_port, u32 count, IoPortHandler& handler, StringView owner) {
    if (count == 0 || u32(first_port) + count > 0x10000)
        return make_error(Errno::Inval, "I/O port range is empty or runs past port 0xffff");
    u16 last = u16(first_port + count - 1);
    usize at = 0;
    while (at < ranges_.size() && ranges_[at].first < first_port)
        ++at;
    const Range* before = at > 0 ? &ranges_[at - 1] : nullptr;
    const Range* after = at < ranges_.size() ? &ranges_[at] : nullptr;
    const Range* clash = (before && before->last >= first_port) ? before
                         : (after && after->first <= last)      ? after
                                                                : nullptr;
    if (clash) {
        V3_ERROR("v3vee: %.*s cannot claim I/O ports 0x%x-0x%x: 0x%x-0x%x belong to %.*s\n",
                 int(owner.length()), owner.data(), first_port, last, clash->first, clash->last,
                 int(clash->owner.length()), clash->owner.data());
        return make_error(Errno::Busy, "I/O port range overlaps another device's");
    }
    if (!ranges_.try_insert(at, Range{first_port, last, &handler, owner}))
        return make_error(Errno::NoMem, "out of memory for an I/O port range");
    return {};
}

void IoPortBus::release(IoPortHandler& handler) {
    for (usize i = ranges_.size(); i > 0; --i)
        if (ranges_[i - 1].handler == &handler)
            ranges_.remove(i - 1);
}

Result<u32> IoPortBus::read(u16 port, u8 size) {
    if (!valid_size(size))
        return make_error(Errno::Inval, "I/O access size must be 1, 2 or 4 bytes");
    const Range* r = find(port);
    if (!r) {
        ++unclaimed_reads_;
        return all_ones(size);
    }
    u32 value = TRY(r->handler->io_read(IoAccess{port, u16(port - r->first), size}));
    return value & all_ones(size);
}

Result<void> IoPortBus::write(u16 port, u8 size, u32 value) {
    if (!valid_size(size))
        return make_error(Errno::Inval, "I/O access size must be 1, 2 or 4 bytes");
    const Range* r = find(port);
    if (!r) {
        ++unclaimed_writes_;
        return {};
    }
    return r->handler->io_write(IoAccess{port, u16(port - r->first), size}, value & all_ones(size));
}

Result<void> IoPortBus::read_string(u16 port, u8 size, u32 count, u8* buffer) {
    for (u32 i = 0; i < count; ++i) {
        u32 value = TRY(read(port, size));
        for (u8 b = 0; b < size; ++b)
            buffer[usize(i) * size + b] = u8(value >> (8 * b));
    }
    return {};
}

Result<void> IoPortBus::write_string(u16 port, u8 size, u32 count, const u8* buffer) {
    for (u32 i = 0; i < count; ++i) {
        u32 value = 0;
        for (u8 b = 0; b < size; ++b)
            value |= u32(buffer[usize(i) * size + b]) << (8 * b);
        TRY(write(port, size, value));
    }
    return {};
}

} // namespace v3
