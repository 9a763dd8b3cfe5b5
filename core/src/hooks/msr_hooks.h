// Model-specific registers a device or the VMM emulates for the guest
// (RDMSR/WRMSR exits). One handler per MSR; a second claim is refused. An
// unhooked MSR is an error the CPU backend turns into #GP for the guest.
#pragma once

#include "lib/result.h"
#include "lib/string_view.h"
#include "lib/vector.h"

namespace v3 {

class MsrHandler {
public:
    virtual ~MsrHandler() = default;
    virtual Result<u64> read_msr(u32 msr) = 0;
    virtual Result<void> write_msr(u32 msr, u64 value) = 0;
};

class MsrHooks {
public:
    Result<void> add(u32 msr, MsrHandler& handler, StringView owner);
    void remove(MsrHandler& handler);
    bool is_hooked(u32 msr) const;
    Result<u64> read(u32 msr);
    Result<void> write(u32 msr, u64 value);

private:
    struct Hook {
        u32 msr;
        MsrHandler* handler;
        StringView owner;
    };
    Hook* find(u32 msr);
    const Hook* find(u32 msr) const;
    Vector<Hook> hooks_;
};

} // namespace v3
