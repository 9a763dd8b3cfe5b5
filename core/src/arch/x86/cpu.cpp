#include "arch/x86/cpu.h"
#include "lib/host.h"

namespace v3::x86 {

CpuidResult cpuid(u32 leaf, u32 subleaf) {
    unsigned regs[4] = {0, 0, 0, 0};
    host().cpuid(leaf, subleaf, regs);
    return {regs[0], regs[1], regs[2], regs[3]};
}

Result<u64> read_msr(u32 msr) {
    u64 value = 0;
    if (host().read_msr(msr, &value) != 0)
        return make_error(Errno::Io, "reading an MSR faulted");
    return value;
}

Result<void> write_msr(u32 msr, u64 value) {
    if (host().write_msr(msr, value) != 0)
        return make_error(Errno::Io, "writing an MSR faulted");
    return {};
}

} // namespace v3::x86
