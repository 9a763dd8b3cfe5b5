#include "hooks/cpuid_hooks.h"
#include "lib/log.h"

namespace v3 {

CpuidHandler* CpuidHooks::find(u32 leaf) const {
    for (const Hook& h : hooks_)
        if (h.leaf == leaf)
            return h.handler;
    return nullptr;
}

Result<void> CpuidHooks::add(u32 leaf, CpuidHandler& handler, StringView owner) {
    for (const Hook& h : hooks_) {
        if (h.leaf == leaf) {
            V3_ERROR("v3vee: %.*s cannot hook CPUID leaf 0x%x: %.*s already does\n",
                     int(owner.length()), owner.data(), leaf, int(h.owner.length()),
                     h.owner.data());
            return make_error(Errno::Busy, "CPUID leaf is already hooked");
        }
    }
    if (!hooks_.try_append(Hook{leaf, &handler, owner}))
        return make_error(Errno::NoMem, "out of memory for a CPUID hook");
    return {};
}

void CpuidHooks::remove(CpuidHandler& handler) {
    for (usize i = hooks_.size(); i > 0; --i)
        if (hooks_[i - 1].handler == &handler)
            hooks_.remove(i - 1);
}

} // namespace v3
