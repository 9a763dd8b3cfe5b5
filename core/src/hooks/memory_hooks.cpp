#include "hooks/memory_hooks.h"
#include "lib/log.h"

namespace v3 {

const MemoryHooks::Hook* MemoryHooks::find(u64 guest_address) const {
    usize low = 0, high = hooks_.size();
    while (low < high) {
        usize mid = (low + high) / 2;
        const Hook& h = hooks_[mid];
        if (guest_address < h.start)
            high = mid;
        else if (guest_address >= h.end)
            low = mid + 1;
        else
            return &h;
    }
    return nullptr;
}

const MemoryHooks::Hook* MemoryHooks::find_overlap(u64 start, u64 size) const {
    u64 end = start + size;
    for (const Hook& h : hooks_) { // sorted: stop at the first hook past the range
        if (h.start >= end)
            break;
        if (h.end > start)
            return &h;
    }
    return nullptr;
}

Result<void> MemoryHooks::add(u64 guest_start, u64 size, MmioHookKind kind, MmioHandler& handler,
                              StringView owner) {
    if (size == 0 || guest_start + size < guest_start)
        return make_error(Errno::Inval, "memory hook is empty or wraps past the top of memory");
    u64 end = guest_start + size;
    usize at = 0;
    while (at < hooks_.size() && hooks_[at].start < guest_start)
        ++at;
    const Hook* before = at > 0 ? &hooks_[at - 1] : nullptr;
    const Hook* after = at < hooks_.size() ? &hooks_[at] : nullptr;
    const Hook* clash = (before && before->end > guest_start) ? before
                        : (after && after->start < end)       ? after
                                                              : nullptr;
    if (clash) {
        V3_ERROR("v3vee: %.*s cannot hook guest memory 0x%llx-0x%llx: 0x%llx-0x%llx belongs to "
                 "%.*s\n",
                 int(owner.length()), owner.data(), (unsigned long long)guest_start,
                 (unsigned long long)(end - 1), (unsigned long long)clash->start,
                 (unsigned long long)(clash->end - 1), int(clash->owner.length()),
                 clash->owner.data());
        return make_error(Errno::Busy, "memory hook overlaps another device's");
    }
    if (!hooks_.try_insert(at, Hook{guest_start, end, kind, &handler, owner}))
        return make_error(Errno::NoMem, "out of memory for a memory hook");
    return {};
}

void MemoryHooks::remove(MmioHandler& handler) {
    for (usize i = hooks_.size(); i > 0; --i)
        if (hooks_[i - 1].handler == &handler)
            hooks_.remove(i - 1);
}

Result<const MemoryHooks::Hook*> MemoryHooks::hook_for(u64 guest_address, u32 size) const {
    if (size == 0 || size > 8)
        return make_error(Errno::Inval, "memory access size must be 1 to 8 bytes");
    const Hook* h = find(guest_address);
    if (!h)
        return make_error(Errno::NoEnt, "no memory hook at this guest address");
    if (guest_address + size > h->end || guest_address + size < guest_address)
        return make_error(Errno::Inval, "memory access crosses the end of a hooked region");
    return h;
}

Result<void> MemoryHooks::read(u64 guest_address, u8* data, u32 size) {
    const Hook* h = TRY(hook_for(guest_address, size));
    if (h->kind == MmioHookKind::WriteOnly)
        return make_error(Errno::Inval, "a read reached a write-only memory hook");
    return h->handler->mmio_read(guest_address - h->start, data, size);
}

Result<void> MemoryHooks::write(u64 guest_address, const u8* data, u32 size) {
    const Hook* h = TRY(hook_for(guest_address, size));
    return h->handler->mmio_write(guest_address - h->start, data, size);
}

} // namespace v3
