// Per-core counts of VM exits by reason, reported to userspace (v3_info) and
// the GUI's telemetry. The order is part of the user ABI (kmod/uapi/v3vee.h
// names the same indices).
#pragma once

#include "lib/types.h"

namespace v3 {

enum class ExitReason : u8 {
    Io,
    Mmio,
    Cpuid,
    Msr,
    Hlt,
    Interrupt, // host interrupt or NMI while the guest ran
    InterruptWindow,
    Exception,
    Shutdown,
    Other,
    Count,
};

struct ExitStats {
    u64 counts[u8(ExitReason::Count)] = {};
    u64 total = 0;

    void count(ExitReason reason) {
        ++counts[u8(reason)];
        ++total;
    }
};

} // namespace v3
