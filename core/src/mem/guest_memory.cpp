#include "mem/guest_memory.h"
#include "lib/host.h"

namespace v3 {

Result<OwnPtr<GuestMemory>> GuestMemory::try_create(u64 ram_bytes) {
    if (ram_bytes == 0 || ram_bytes % kPageSize)
        return make_error(Errno::Inval, "guest RAM must be a non-zero multiple of 4 KB");
    OwnPtr<GuestMemory> memory(new (alloc) GuestMemory);
    if (!memory)
        return make_error(Errno::NoMem, "out of memory for the guest memory map");
    u64 chunks = (ram_bytes + kChunkSize - 1) / kChunkSize;
    if (!memory->ram_.try_reserve(chunks))
        return make_error(Errno::NoMem, "out of memory for the guest memory map");
    for (u64 start = 0; start < ram_bytes; start += kChunkSize) {
        u64 size = ram_bytes - start < kChunkSize ? ram_bytes - start : kChunkSize;
        u64 pages = size / kPageSize;
        v3_paddr_t paddr = host().allocate_guest_memory(pages);
        if (!paddr)
            return make_error(Errno::NoMem,
                              "the memory reserved for guests is exhausted (add more with v3_mem)");
        (void)memory->ram_.try_append(GuestRegion{start, size, RegionKind::Ram, paddr});
        memory->ram_bytes_ = start + size; // so the destructor frees what exists
    }
    return memory;
}

GuestMemory::~GuestMemory() {
    for (const GuestRegion& chunk : ram_)
        host().free_guest_memory(chunk.host_paddr, chunk.size / kPageSize);
}

Result<void> GuestMemory::add_passthrough(u64 guest_start, u64 size, u64 host_paddr) {
    if (size == 0 || guest_start % kPageSize || size % kPageSize || host_paddr % kPageSize)
        return make_error(Errno::Inval, "passthrough regions must be page aligned and non-empty");
    if (guest_start + size < guest_start)
        return make_error(Errno::Inval, "passthrough region wraps past the top of memory");
    if (host_paddr + size < host_paddr)
        return make_error(Errno::Inval, "passthrough region's host range wraps past 2^64");
    switch (host().passthrough_allowed(host_paddr, size)) {
    case 0:
        break;
    case -static_cast<int>(Errno::Busy):
        return make_error(Errno::Perm,
                          "the host range is memory the host's kernel uses (System RAM, kernel "
                          "text or data) and is never granted to a guest");
    default:
        return make_error(Errno::Perm,
                          "the host range was not granted to the VMM; the host's administrator "
                          "reserves it (memmap= on the kernel command line) and grants it with "
                          "v3vee.ko passthrough=SIZE@START");
    }
    usize at = 0;
    while (at < passthrough_.size() && passthrough_[at].guest_start < guest_start)
        ++at;
    if (at > 0) {
        const GuestRegion& before = passthrough_[at - 1];
        if (before.guest_start + before.size > guest_start)
            return make_error(Errno::Busy, "passthrough region overlaps another");
    }
    if (at < passthrough_.size() && passthrough_[at].guest_start < guest_start + size)
        return make_error(Errno::Busy, "passthrough region overlaps another");
    if (!passthrough_.try_insert(
            at, GuestRegion{guest_start, size, RegionKind::Passthrough, host_paddr}))
        return make_error(Errno::NoMem, "out of memory for a passthrough region");
    return {};
}

const GuestRegion* GuestMemory::ram_chunk(u64 guest_address) const {
    if (guest_address >= ram_bytes_)
        return nullptr;
    return &ram_[guest_address / kChunkSize]; // chunks are kChunkSize apart
}

const GuestRegion* GuestMemory::find(u64 guest_address) const {
    for (const GuestRegion& r : passthrough_)
        if (guest_address >= r.guest_start && guest_address - r.guest_start < r.size)
            return &r;
    return ram_chunk(guest_address);
}

u8* GuestMemory::host_pointer(u64 guest_address, u64 size) const {
    const GuestRegion* chunk = ram_chunk(guest_address);
    if (!chunk || size > chunk->size || guest_address - chunk->guest_start > chunk->size - size)
        return nullptr;
    u8* base = static_cast<u8*>(host().paddr_to_vaddr(chunk->host_paddr));
    return base + (guest_address - chunk->guest_start);
}

Result<void> GuestMemory::read(u64 guest_address, void* destination, u64 size) const {
    if (guest_address > ram_bytes_ || size > ram_bytes_ - guest_address)
        return make_error(Errno::Fault, "guest memory read outside RAM");
    u8* out = static_cast<u8*>(destination);
    while (size) {
        const GuestRegion* chunk = ram_chunk(guest_address);
        u64 offset = guest_address - chunk->guest_start;
        u64 n = chunk->size - offset < size ? chunk->size - offset : size;
        const u8* in = static_cast<const u8*>(host().paddr_to_vaddr(chunk->host_paddr)) + offset;
        for (u64 i = 0; i < n; ++i)
            out[i] = in[i];
        out += n;
        guest_address += n;
        size -= n;
    }
    return {};
}

Result<void> GuestMemory::write(u64 guest_address, const void* source, u64 size) {
    if (guest_address > ram_bytes_ || size > ram_bytes_ - guest_address)
        return make_error(Errno::Fault, "guest memory write outside RAM");
    const u8* in = static_cast<const u8*>(source);
    while (size) {
        const GuestRegion* chunk = ram_chunk(guest_address);
        u64 offset = guest_address - chunk->guest_start;
        u64 n = chunk->size - offset < size ? chunk->size - offset : size;
        u8* out = static_cast<u8*>(host().paddr_to_vaddr(chunk->host_paddr)) + offset;
        for (u64 i = 0; i < n; ++i)
            out[i] = in[i];
        in += n;
        guest_address += n;
        size -= n;
    }
    return {};
}

void GuestMemory::clear_ram() {
    for (const GuestRegion& chunk : ram_) {
        // Chunks are whole pages. Stores through a volatile pointer: the
        // compiler must not turn the loop into a call to memset, which the
        // freestanding core does not have.
        auto* words = static_cast<volatile u64*>(host().paddr_to_vaddr(chunk.host_paddr));
        for (u64 i = 0; i < chunk.size / sizeof(u64); ++i)
            words[i] = 0;
    }
}

} // namespace v3
