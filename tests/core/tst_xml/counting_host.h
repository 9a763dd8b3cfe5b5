// The hosted host services with malloc/free counted, so tests can show that
// a parsed document frees everything it allocated (also after errors and
// when memory runs out), and can make the Nth allocation fail.
#pragma once

#include "hosted_host.h"

#include <lib/host.h>

#include <cstdlib>

class CountingHost {
public:
    CountingHost() {
        table_ = v3::hosted::make_host_services();
        table_.malloc = &CountingHost::counted_malloc;
        table_.free = &CountingHost::counted_free;
        live_ = 0;
        allocations_left_ = -1;
        v3::set_host(&table_);
    }
    ~CountingHost() { v3::set_host(nullptr); }
    CountingHost(const CountingHost&) = delete;
    CountingHost& operator=(const CountingHost&) = delete;

    static long live() { return live_; } // allocations not yet freed
    // The next `count` allocations succeed, later ones fail; -1: never fail.
    static void fail_after(long count) { allocations_left_ = count; }

private:
    static void* counted_malloc(unsigned long size) {
        if (allocations_left_ == 0)
            return nullptr;
        if (allocations_left_ > 0)
            --allocations_left_;
        void* p = std::malloc(size);
        if (p)
            ++live_;
        return p;
    }
    static void counted_free(void* p) {
        if (p)
            --live_;
        std::free(p);
    }

    v3_host_services table_{};
    static inline long live_ = 0;
    static inline long allocations_left_ = -1;
};
