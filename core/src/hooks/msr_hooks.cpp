#include "hooks/msr_hooks.h"
#include "lib/log.h"

namespace v3 {

MsrHooks::Hook* MsrHooks::find(u32 msr) {
    for (Hook& h : hooks_)
        if (h.msr == msr)
            return &h;
    return nullptr;
}

const MsrHooks::Hook* MsrHooks::find(u32 msr) const {
    for (const Hook& h : hooks_)
        if (h.msr == msr)
            return &h;
    return nullptr;
}

Result<void> MsrHooks::add(u32 msr, MsrHandler& handler, StringView owner) {
    if (const Hook* existing = find(msr)) {
        V3_ERROR("v3vee: %.*s cannot hook MSR 0x%x: %.*s already does\n", int(owner.length()),
                 owner.data(), msr, int(existing->owner.length()), existing->owner.data());
        return make_error(Errno::Busy, "MSR is already hooked");
    }
    if (!hooks_.try_append(Hook{msr, &handler, owner}))
        return make_error(Errno::NoMem, "out of memory for an MSR hook");
    return {};
}

void MsrHooks::remove(MsrHandler& handler) {
    for (usize i = hooks_.size(); i > 0; --i)
        if (hooks_[i - 1].handler == &handler)
            hooks_.remove(i - 1);
}

bool MsrHooks::is_hooked(u32 msr) const {
    return find(msr) != nullptr;
}

Result<u64> MsrHooks::read(u32 msr) {
    Hook* h = find(msr);
    if (!h)
        return make_error(Errno::NoEnt, "MSR is not emulated");
    return h->handler->read_msr(msr);
}

Result<void> MsrHooks::write(u32 msr, u64 value) {
    Hook* h = find(msr);
    if (!h)
        return make_error(Errno::NoEnt, "MSR is not emulated");
    return h->handler->write_msr(msr, value);
}

} // namespace v3
