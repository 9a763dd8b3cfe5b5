#include "arch/svm/nested_paging.h"
#include "lib/host.h"

namespace v3::svm {

namespace {

constexpr u64 kPresent = bit(0);
constexpr u64 kWritable = bit(1);
constexpr u64 kUser = bit(2); // nested walks are user accesses: every entry needs U
constexpr u64 kWriteThrough = bit(3);
constexpr u64 kCacheDisable = bit(4);
constexpr u64 kLargePage = bit(7);
constexpr u64 kAddressMask = 0x000ffffffffff000ULL;
constexpr u64 kLargeAddressMask = 0x000fffffffe00000ULL;
constexpr u64 kPageSize = 4096;
constexpr u64 kLargeSize = 2 * 1024 * 1024;

u64* table_at(u64 physical) {
    return static_cast<u64*>(host().paddr_to_vaddr(physical));
}

unsigned index_at(u64 guest_physical, unsigned level) {
    return unsigned((guest_physical >> (12 + 9 * (level - 1))) & 511);
}

// How a guest page may be mapped given the hooks: not at all (full hook),
// read-only (write-only hook) or normally.
enum class PageAccess { None, ReadOnly, ReadWrite };

PageAccess access_for(const MemoryHooks& hooks, u64 page) {
    // A hook may start or end inside the page; any overlap decides.
    const MemoryHooks::Hook* hook = hooks.find_overlap(page, kPageSize);
    if (!hook)
        return PageAccess::ReadWrite;
    return hook->kind == MmioHookKind::WriteOnly ? PageAccess::ReadOnly : PageAccess::None;
}

bool range_has_hook(const MemoryHooks& hooks, u64 start, u64 size) {
    return hooks.find_overlap(start, size) != nullptr;
}

} // namespace

Result<u64> NestedPageTables::new_table() {
    if (!tables_.try_reserve(tables_.size() + 1))
        return make_error(Errno::NoMem, "out of memory for nested page tables");
    v3_paddr_t page = host().allocate_pages(1, kPageSize);
    if (!page)
        return make_error(Errno::NoMem, "out of memory for nested page tables");
    (void)tables_.try_append(page);
    return page;
}

Result<u64*> NestedPageTables::table_for(u64 guest_physical, unsigned level) {
    u64 table = root_;
    for (unsigned l = 4; l > level; --l) {
        u64& entry = table_at(table)[index_at(guest_physical, l)];
        if (!(entry & kPresent)) {
            u64 next = TRY(new_table());
            entry = next | kPresent | kWritable | kUser;
        } else if (entry & kLargePage) {
            return make_error(Errno::Exist, "nested mapping overlaps a large page");
        }
        table = entry & kAddressMask;
    }
    return table_at(table);
}

Result<void> NestedPageTables::map_small(u64 guest_physical, u64 host_physical, u64 flags) {
    u64* pt = TRY(table_for(guest_physical, 1));
    pt[index_at(guest_physical, 1)] = (host_physical & kAddressMask) | flags;
    ++small_pages_;
    return {};
}

Result<void> NestedPageTables::map_large(u64 guest_physical, u64 host_physical, u64 flags) {
    u64* pd = TRY(table_for(guest_physical, 2));
    u64& entry = pd[index_at(guest_physical, 2)];
    if (entry & kPresent)
        return make_error(Errno::Exist, "nested mapping overlaps a page table");
    entry = (host_physical & kLargeAddressMask) | flags | kLargePage;
    ++large_pages_;
    return {};
}

Result<OwnPtr<NestedPageTables>> NestedPageTables::try_build(const GuestMemory& memory,
                                                             const MemoryHooks& hooks) {
    OwnPtr<NestedPageTables> tables(new (alloc) NestedPageTables);
    if (!tables)
        return make_error(Errno::NoMem, "out of memory for nested page tables");
    tables->root_ = TRY(tables->new_table());
    const u64 normal = kPresent | kWritable | kUser;

    for (const GuestRegion& chunk : memory.ram_chunks()) {
        bool covered_by_passthrough = false;
        for (const GuestRegion& p : memory.passthrough())
            if (p.guest_start < chunk.guest_start + chunk.size &&
                chunk.guest_start < p.guest_start + p.size)
                covered_by_passthrough = true;
        if (chunk.size == kLargeSize && chunk.guest_start % kLargeSize == 0 &&
            chunk.host_paddr % kLargeSize == 0 && !covered_by_passthrough &&
            !range_has_hook(hooks, chunk.guest_start, chunk.size)) {
            TRY(tables->map_large(chunk.guest_start, chunk.host_paddr, normal));
            continue;
        }
        for (u64 offset = 0; offset < chunk.size; offset += kPageSize) {
            u64 page = chunk.guest_start + offset;
            const GuestRegion* owner = memory.find(page);
            if (owner && owner->kind == RegionKind::Passthrough)
                continue; // mapped below
            PageAccess access = access_for(hooks, page);
            if (access == PageAccess::None)
                continue;
            u64 flags = access == PageAccess::ReadOnly ? (kPresent | kUser) : normal;
            TRY(tables->map_small(page, chunk.host_paddr + offset, flags));
        }
    }
    for (const GuestRegion& p : memory.passthrough()) {
        for (u64 offset = 0; offset < p.size; offset += kPageSize) {
            PageAccess access = access_for(hooks, p.guest_start + offset);
            if (access == PageAccess::None)
                continue;
            u64 flags = (access == PageAccess::ReadOnly ? (kPresent | kUser) : normal) |
                        kCacheDisable | kWriteThrough;
            TRY(tables->map_small(p.guest_start + offset, p.host_paddr + offset, flags));
        }
    }
    return tables;
}

NestedPageTables::~NestedPageTables() {
    for (u64 page : tables_)
        host().free_pages(page, 1);
}

Result<NestedPageTables::Mapping> NestedPageTables::lookup(u64 guest_physical) const {
    u64 table = root_;
    for (unsigned level = 4; level >= 1; --level) {
        u64 entry = table_at(table)[index_at(guest_physical, level)];
        if (!(entry & kPresent))
            return make_error(Errno::NoEnt, "guest physical address is not mapped");
        if (level == 2 && (entry & kLargePage))
            return Mapping{(entry & kLargeAddressMask) + (guest_physical & (kLargeSize - 1)),
                           bool(entry & kWritable)};
        if (level == 1)
            return Mapping{(entry & kAddressMask) + (guest_physical & (kPageSize - 1)),
                           bool(entry & kWritable)};
        table = entry & kAddressMask;
    }
    return make_error(Errno::NoEnt, "guest physical address is not mapped");
}

} // namespace v3::svm
