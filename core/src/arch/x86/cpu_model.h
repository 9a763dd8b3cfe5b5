// The CPU a guest sees, defined in one place: which CPUID bits and leaves
// it is shown (the host's, minus everything this VMM does not emulate) and
// the table of MSRs it has. A feature is shown only if it works: no local
// APIC (none is emulated yet), no MCE/MCA, no x2APIC, no XSAVE/AVX state,
// no MONITOR, no SVM/VMX, no RDTSCP/RDPID (TSC_AUX is not switched), no
// speculation-control MSRs, no PMU, no SEV/SME; topology says <cores>.
// Both functions are pure (no host access) so hosted tests drive them.
#pragma once

#include "arch/x86/msr.h"
#include "arch/x86/registers.h"
#include "lib/types.h"

namespace v3::x86 {

inline constexpr u32 kHypervisorLeaf = 0x40000000;

// What the guest gets for CPUID(leaf, subleaf) on core `core_id` of
// `num_cores`, given what the host CPU answered for the same leaf.
CpuidResult model_cpuid(u32 leaf, u32 subleaf, const CpuidResult& host, u32 core_id, u32 num_cores);

// The per-vcore MSR state the model keeps itself (PAT, EFER and the TSC
// offset live in the VMCB; the SYSCALL and segment-base MSRs are switched
// by VMLOAD/VMSAVE and never exit).
struct ModelMsrState {
    u64 apic_base = 0;
    u64 mtrr_def_type = 0;
    u64 hwcr = 0;
    u64 syscfg = 0;
};

// The architectural registers an MSR access reaches.
struct MsrContext {
    u64& efer;       // as the guest sees it (the VMM's SVME bit is not in here)
    u64& pat;        // the guest's PAT (VMCB g_pat)
    u64& tsc_offset; // guest TSC = host TSC + offset
    u64 host_tsc;    // the host TSC at the access
    ModelMsrState& state;
};

enum class MsrOutcome : u8 {
    Done,              // value read or written
    GeneralProtection, // the MSR exists but refuses this value: #GP
    NotModelled,       // not an MSR of this CPU model (devices may claim it)
};

void reset_model_msrs(ModelMsrState& state, bool bootstrap_processor);
MsrOutcome read_model_msr(u32 msr, MsrContext& context, u64& value);
MsrOutcome write_model_msr(u32 msr, u64 value, MsrContext& context);

// The model's MSRs, for documentation and tests: number and name.
struct ModelMsr {
    u32 number;
    const char* name;
};
extern const ModelMsr kModelMsrs[];
extern const usize kModelMsrCount;

// MSR numbers.
inline constexpr u32 kMsrTsc = 0x10;
inline constexpr u32 kMsrApicBase = 0x1b;
inline constexpr u32 kMsrPatchLevel = 0x8b;
inline constexpr u32 kMsrMtrrCap = 0xfe;
inline constexpr u32 kMsrPat = 0x277;
inline constexpr u32 kMsrMtrrDefType = 0x2ff;
inline constexpr u32 kMsrSyscfg = 0xc0010010;
inline constexpr u32 kMsrIntPendingMsg = 0xc0010055;
inline constexpr u32 kMsrHwcr = 0xc0010015;

inline constexpr u64 kEferSce = bit(0);
inline constexpr u64 kApicBaseBsp = bit(8);
inline constexpr u64 kApicBaseEnable = bit(11);
inline constexpr u64 kApicDefaultBase = 0xfee00000;

} // namespace v3::x86
