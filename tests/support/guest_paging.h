// Guest page tables built in a hosted GuestMemory, for the page walker and
// emulator tests: 32-bit (4 KB and 4 MB pages), PAE (4 KB, 2 MB) and long
// mode (4 KB, 2 MB, 1 GB). Tables come from a bump allocator in guest RAM.
#pragma once

#include <mem/guest_memory.h>

#include <QtGlobal>

#include <cstdint>

namespace testpaging {

enum class Paging { Bits32, Pae, Long };

inline constexpr uint64_t kP = 1u << 0, kRw = 1u << 1, kUs = 1u << 2, kPs = 1u << 7;
inline constexpr uint64_t kNx = uint64_t(1) << 63;
inline constexpr uint64_t kKb4 = 4096, kMb2 = 2u << 20, kMb4 = 4u << 20, kGb1 = 1u << 30;

class GuestPageTables {
public:
    // Tables are allocated from pool_start upwards (4 KB each, zeroed).
    GuestPageTables(v3::GuestMemory& memory, Paging paging, uint64_t pool_start = 0x100000)
        : memory_(memory), paging_(paging), next_(pool_start) {
        root_ = allocate();
    }

    uint64_t cr3() const { return root_; }

    // Maps the page of `page_size` holding `linear` to `physical`, with
    // `leaf_flags` on the leaf entry and `table_flags` on table entries it
    // creates (PAE PDPTEs only ever get P: their other bits are reserved).
    void map(uint64_t linear, uint64_t physical, uint64_t page_size, uint64_t leaf_flags = kP | kRw,
             uint64_t table_flags = kP | kRw | kUs) {
        uint64_t table = root_;
        for (int depth = 0;; ++depth) {
            unsigned shift = shift_at(depth);
            uint64_t entry_at = table + index_at(linear, depth) * entry_size();
            if ((uint64_t(1) << shift) == page_size) {
                uint64_t entry = physical | leaf_flags;
                if (page_size != kKb4) {
                    entry |= kPs;
                    if (paging_ == Paging::Bits32) // PSE-36: bits 39:32 in 20:13
                        entry =
                            (physical & 0xffc00000u) | ((physical >> 32) << 13) | leaf_flags | kPs;
                }
                write_entry(entry_at, entry);
                return;
            }
            if (shift <= 12)
                qFatal("unsupported page size for this paging mode");
            uint64_t entry = read_entry(entry_at);
            if (!(entry & kP)) {
                uint64_t flags = (paging_ == Paging::Pae && depth == 0) ? kP : table_flags;
                entry = allocate() | flags;
                write_entry(entry_at, entry);
            }
            table = entry & 0x000ffffffffff000ull;
        }
    }

    // The guest-physical address of the entry for `linear` at `depth`
    // (0 = the top level); the tables down to it must exist.
    uint64_t entry_address(uint64_t linear, int depth) const {
        uint64_t table = root_;
        for (int d = 0; d < depth; ++d)
            table = read_entry(table + index_at(linear, d) * entry_size()) & 0x000ffffffffff000ull;
        return table + index_at(linear, depth) * entry_size();
    }

    uint64_t read_entry(uint64_t gpa) const {
        uint64_t value = 0;
        if (memory_.read(gpa, &value, entry_size()).is_error())
            qFatal("guest page table read outside RAM");
        return value;
    }
    void write_entry(uint64_t gpa, uint64_t value) {
        if (memory_.write(gpa, &value, entry_size()).is_error())
            qFatal("guest page table write outside RAM");
    }
    // Sets and clears bits of the entry for `linear` at `depth`.
    void modify(uint64_t linear, int depth, uint64_t set, uint64_t clear = 0) {
        uint64_t at = entry_address(linear, depth);
        write_entry(at, (read_entry(at) & ~clear) | set);
    }

private:
    uint64_t allocate() {
        uint64_t page = next_;
        next_ += 4096;
        static const uint8_t zeros[4096] = {};
        if (memory_.write(page, zeros, sizeof zeros).is_error())
            qFatal("guest page table pool outside RAM");
        return page;
    }
    uint32_t entry_size() const { return paging_ == Paging::Bits32 ? 4 : 8; }
    unsigned shift_at(int depth) const {
        static const unsigned bits32[] = {22, 12};
        static const unsigned pae[] = {30, 21, 12};
        static const unsigned long_mode[] = {39, 30, 21, 12};
        return paging_ == Paging::Bits32 ? bits32[depth]
               : paging_ == Paging::Pae  ? pae[depth]
                                         : long_mode[depth];
    }
    uint64_t index_at(uint64_t linear, int depth) const {
        unsigned shift = shift_at(depth);
        unsigned index_bits = paging_ == Paging::Bits32                ? 10
                              : (paging_ == Paging::Pae && depth == 0) ? 2
                                                                       : 9;
        return (linear >> shift) & ((uint64_t(1) << index_bits) - 1);
    }

    v3::GuestMemory& memory_;
    Paging paging_;
    uint64_t next_;
    uint64_t root_ = 0;
};

} // namespace testpaging
