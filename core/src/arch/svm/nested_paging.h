// Nested page tables (AMD "NPT", APM vol. 2, 15.25): the guest-physical to
// host-physical map, built from the VM's memory layout. RAM chunks that are
// whole 2 MB host blocks become 2 MB pages; MMIO-hooked pages are left
// unmapped (the access exits as a nested page fault and is emulated);
// write-only hooks are mapped read-only; passthrough regions map host memory
// uncached.
#pragma once

#include "hooks/memory_hooks.h"
#include "lib/alloc.h"
#include "lib/vector.h"
#include "mem/guest_memory.h"

namespace v3::svm {

class NestedPageTables {
public:
    static Result<OwnPtr<NestedPageTables>> try_build(const GuestMemory& memory,
                                                      const MemoryHooks& hooks);
    ~NestedPageTables();
    NestedPageTables(const NestedPageTables&) = delete;
    NestedPageTables& operator=(const NestedPageTables&) = delete;

    u64 root() const { return root_; } // nCR3
    usize table_pages() const { return tables_.size(); }
    usize large_pages() const { return large_pages_; }
    usize small_pages() const { return small_pages_; }

    // Walks the tables like the CPU: the host physical address for
    // guest_physical and whether it is writable; an error when unmapped.
    struct Mapping {
        u64 host_physical;
        bool writable;
    };
    Result<Mapping> lookup(u64 guest_physical) const;

private:
    NestedPageTables() = default;
    Result<u64*> table_for(u64 guest_physical, unsigned level); // level 1 = PT, 2 = PD
    Result<u64> new_table();
    Result<void> map_small(u64 guest_physical, u64 host_physical, u64 flags);
    Result<void> map_large(u64 guest_physical, u64 host_physical, u64 flags);

    u64 root_ = 0;
    Vector<u64> tables_; // host physical addresses of every table page
    usize large_pages_ = 0;
    usize small_pages_ = 0;
};

} // namespace v3::svm
