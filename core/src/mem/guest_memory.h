// A VM's guest-physical memory: RAM from 0 to ram_bytes, backed by host pages
// allocated in 2 MB chunks (so nested paging can use large pages and no huge
// contiguous allocation is needed), plus passthrough regions that map host
// physical ranges. MMIO hooks (hooks/memory_hooks.h) overlay both.
#pragma once

#include "lib/alloc.h"
#include "lib/result.h"
#include "lib/vector.h"

namespace v3 {

enum class RegionKind : u8 { Ram, Passthrough };

struct GuestRegion {
    u64 guest_start;
    u64 size;
    RegionKind kind;
    u64 host_paddr; // host physical address of guest_start
};

class GuestMemory {
public:
    static constexpr u64 kPageSize = 4096;
    static constexpr u64 kChunkSize = 2 * 1024 * 1024;

    // ram_bytes must be a non-zero multiple of the page size.
    static Result<OwnPtr<GuestMemory>> try_create(u64 ram_bytes);
    ~GuestMemory();
    GuestMemory(const GuestMemory&) = delete;
    GuestMemory& operator=(const GuestMemory&) = delete;

    u64 ram_bytes() const { return ram_bytes_; }
    // RAM chunks then passthrough regions, each list sorted by guest address.
    const Vector<GuestRegion>& ram_chunks() const { return ram_; }
    const Vector<GuestRegion>& passthrough() const { return passthrough_; }

    // Page-aligned, non-overlapping with other passthrough regions, and
    // granted by the host (v3_host_services::passthrough_allowed): an image
    // alone never decides which host memory a guest reaches.
    Result<void> add_passthrough(u64 guest_start, u64 size, u64 host_paddr);
    // The region at `guest_address` (passthrough wins over RAM), or nullptr.
    const GuestRegion* find(u64 guest_address) const;

    // A host pointer to `size` bytes of RAM at guest_address, or nullptr when
    // they are not all in one RAM chunk.
    u8* host_pointer(u64 guest_address, u64 size) const;
    // Copies to and from RAM, across chunk boundaries. Errors outside RAM.
    Result<void> read(u64 guest_address, void* destination, u64 size) const;
    Result<void> write(u64 guest_address, const void* source, u64 size);
    // Zeroes all of RAM (not the passthrough regions: host memory the guest
    // only borrows), as it was allocated.
    void clear_ram();

private:
    GuestMemory() = default;
    const GuestRegion* ram_chunk(u64 guest_address) const;

    u64 ram_bytes_ = 0;
    Vector<GuestRegion> ram_;
    Vector<GuestRegion> passthrough_;
};

} // namespace v3
