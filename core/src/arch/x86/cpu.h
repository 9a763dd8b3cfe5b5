// CPUID and MSR access on the calling CPU, through the host (which uses the
// fault-safe MSR instructions, so a rejected MSR is an error, not an oops).
#pragma once

#include "arch/x86/msr.h"
#include "lib/result.h"

namespace v3::x86 {

inline u64 read_tsc() {
    u32 lo, hi;
    asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (u64(hi) << 32) | lo;
}

CpuidResult cpuid(u32 leaf, u32 subleaf = 0);
Result<u64> read_msr(u32 msr);
Result<void> write_msr(u32 msr, u64 value);

} // namespace v3::x86
