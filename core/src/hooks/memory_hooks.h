// Guest-physical memory regions whose accesses trap to a device (MMIO).
// A full hook traps reads and writes; a write-only hook lets reads hit RAM
// and traps writes (e.g. a framebuffer that must see updates). Ranges may
// not overlap; an access must lie inside one hook.
#pragma once

#include "lib/result.h"
#include "lib/string_view.h"
#include "lib/vector.h"

namespace v3 {

enum class MmioHookKind : u8 { Full, WriteOnly };

class MmioHandler {
public:
    virtual ~MmioHandler() = default;
    // offset is from the start of the hooked range; size is 1..8 bytes.
    virtual Result<void> mmio_read(u64 offset, u8* data, u32 size) = 0;
    virtual Result<void> mmio_write(u64 offset, const u8* data, u32 size) = 0;
};

class MemoryHooks {
public:
    struct Hook {
        u64 start;
        u64 end; // exclusive
        MmioHookKind kind;
        MmioHandler* handler;
        StringView owner;
    };

    Result<void> add(u64 guest_start, u64 size, MmioHookKind kind, MmioHandler& handler,
                     StringView owner);
    void remove(MmioHandler& handler);

    // The hook holding `guest_address`, or nullptr.
    const Hook* find(u64 guest_address) const;
    // The first hook overlapping [start, start + size), or nullptr.
    const Hook* find_overlap(u64 start, u64 size) const;

    // Dispatch an access the CPU backend decoded. Errors when the access is
    // not wholly inside one hook, or a read hits a write-only hook.
    Result<void> read(u64 guest_address, u8* data, u32 size);
    Result<void> write(u64 guest_address, const u8* data, u32 size);

    usize count() const { return hooks_.size(); }

private:
    Result<const Hook*> hook_for(u64 guest_address, u32 size) const;
    Vector<Hook> hooks_; // sorted by start, disjoint
};

} // namespace v3
