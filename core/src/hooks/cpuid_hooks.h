// CPUID leaves the VMM answers itself rather than passing through the host's
// (filtered) values. One handler per leaf.
#pragma once

#include "arch/x86/msr.h"
#include "lib/result.h"
#include "lib/string_view.h"
#include "lib/vector.h"

namespace v3 {

class CpuidHandler {
public:
    virtual ~CpuidHandler() = default;
    virtual Result<x86::CpuidResult> cpuid(u32 leaf, u32 subleaf) = 0;
};

class CpuidHooks {
public:
    Result<void> add(u32 leaf, CpuidHandler& handler, StringView owner);
    void remove(CpuidHandler& handler);
    // The handler for `leaf`, or nullptr (the backend then uses its default).
    CpuidHandler* find(u32 leaf) const;

private:
    struct Hook {
        u32 leaf;
        CpuidHandler* handler;
        StringView owner;
    };
    Vector<Hook> hooks_;
};

} // namespace v3
