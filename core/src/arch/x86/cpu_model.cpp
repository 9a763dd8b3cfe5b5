#include "arch/x86/cpu_model.h"

namespace v3::x86 {

namespace {

// Leaf 1 EDX.
constexpr u32 kEdxMce = bit(7);
constexpr u32 kEdxApic = bit(9);
constexpr u32 kEdxMca = bit(14);
constexpr u32 kEdxHtt = bit(28);
// Leaf 1 ECX.
constexpr u32 kEcxDtes64 = bit(2);
constexpr u32 kEcxMonitor = bit(3);
constexpr u32 kEcxDsCpl = bit(4);
constexpr u32 kEcxVmx = bit(5);
constexpr u32 kEcxSmx = bit(6);
constexpr u32 kEcxEst = bit(7);
constexpr u32 kEcxTm2 = bit(8);
constexpr u32 kEcxXtpr = bit(14);
constexpr u32 kEcxPdcm = bit(15);
constexpr u32 kEcxX2apic = bit(21);
constexpr u32 kEcxTscDeadline = bit(24);
constexpr u32 kEcxXsave = bit(26);
constexpr u32 kEcxOsxsave = bit(27);
constexpr u32 kEcxAvx = bit(28);
constexpr u32 kEcxHypervisor = bit(31);
// Leaf 7 subleaf 0.
constexpr u32 kLeaf7EbxAvx2 = bit(5);
constexpr u32 kLeaf7EbxAvx512Mask = 0xd0230000u; // AVX512F/DQ/IFMA/PF/ER/CD/BW/VL
constexpr u32 kLeaf7EcxRdpid = bit(22);
constexpr u32 kLeaf7EdxSpecCtrlMask =
    0xbc000400u; // MD_CLEAR, IBRS/IBPB, STIBP, L1D, ARCH_CAP, SSBD
// Leaf 0x80000001.
constexpr u32 kExtEcxSvm = bit(2);
constexpr u32 kExtEcxExtApic = bit(3);
constexpr u32 kExtEcxIbs = bit(10);
constexpr u32 kExtEcxSkinit = bit(12);
constexpr u32 kExtEcxWdt = bit(13);
constexpr u32 kExtEcxTopoext = bit(22);
constexpr u32 kExtEcxPerfctrCore = bit(23);
constexpr u32 kExtEcxPerfctrNb = bit(24);
constexpr u32 kExtEcxPerfctrLlc = bit(28);
constexpr u32 kExtEdxRdtscp = bit(27);

// "V3VEE V3VEE " in EBX, ECX, EDX: 12 printable bytes, the whole field a
// guest compares (as Linux does with "KVMKVMKVM\0\0\0"), and the signature
// this VMM has always shown.
constexpr u32 kSignatureEbx = 0x45563356; // "V3VE"
constexpr u32 kSignatureEcx = 0x33562045; // "E V3"
constexpr u32 kSignatureEdx = 0x20454556; // "VEE "

// Bits 0-7 and 9-10, and above a 48-bit physical address.
constexpr u64 kApicBaseReserved =
    (0xfffu & ~u64(kApicBaseBsp | kApicBaseEnable)) | ~((u64(1) << 48) - 1);
constexpr u64 kMtrrDefTypeValid = 0xcff; // type[7:0] (only 0,1,4,5,6 valid), FE[10], E[11]

bool valid_memory_type(u64 type) {
    return type == 0 || type == 1 || type == 4 || type == 5 || type == 6 || type == 7;
}

} // namespace

const ModelMsr kModelMsrs[] = {
    {kMsrEfer, "EFER"},
    {kMsrTsc, "TSC"},
    {kMsrApicBase, "APIC_BASE"},
    {kMsrPatchLevel, "PATCH_LEVEL"},
    {kMsrMtrrCap, "MTRRcap"},
    {kMsrPat, "PAT"},
    {kMsrMtrrDefType, "MTRRdefType"},
    {kMsrSyscfg, "SYSCFG"},
    {kMsrHwcr, "HWCR"},
    {kMsrIntPendingMsg, "INT_PENDING_MSG"},
    // Switched by VMLOAD/VMSAVE, never intercepted (svm/permission_maps.cpp).
    {0x174, "SYSENTER_CS"},
    {0x175, "SYSENTER_ESP"},
    {0x176, "SYSENTER_EIP"},
    {0xc0000081, "STAR"},
    {0xc0000082, "LSTAR"},
    {0xc0000083, "CSTAR"},
    {0xc0000084, "SFMASK"},
    {0xc0000100, "FS_BASE"},
    {0xc0000101, "GS_BASE"},
    {0xc0000102, "KERNEL_GS_BASE"},
};
const usize kModelMsrCount = sizeof kModelMsrs / sizeof kModelMsrs[0];

CpuidResult model_cpuid(u32 leaf, u32 subleaf, const CpuidResult& host, u32 core_id,
                        u32 num_cores) {
    CpuidResult r = host;
    if (leaf == kHypervisorLeaf)
        return {kHypervisorLeaf, kSignatureEbx, kSignatureEcx, kSignatureEdx};
    if (leaf > kHypervisorLeaf && leaf < kCpuidExtendedMax)
        return {0, 0, 0, 0}; // no further hypervisor leaves
    switch (leaf) {
    case 1:
        r.ecx &= ~(kEcxDtes64 | kEcxMonitor | kEcxDsCpl | kEcxVmx | kEcxSmx | kEcxEst | kEcxTm2 |
                   kEcxXtpr | kEcxPdcm | kEcxX2apic | kEcxTscDeadline | kEcxXsave | kEcxOsxsave |
                   kEcxAvx);
        r.ecx |= kEcxHypervisor;
        r.edx &= ~(kEdxMce | kEdxApic | kEdxMca | kEdxHtt);
        if (num_cores > 1)
            r.edx |= kEdxHtt;
        // Initial APIC id and logical processor count: this core of num_cores.
        r.ebx = (r.ebx & 0x0000ffff) | (core_id << 24) | ((num_cores & 0xff) << 16);
        break;
    case 5:    // MONITOR/MWAIT
    case 6:    // thermal and power management
    case 0xa:  // architectural PMU
    case 0xb:  // x2APIC topology
    case 0xd:  // XSAVE state
    case 0x1f: // V2 extended topology
        r = {0, 0, 0, 0};
        break;
    case 7:
        if (subleaf == 0) {
            r.ebx &= ~(kLeaf7EbxAvx2 | kLeaf7EbxAvx512Mask);
            r.ecx &= ~kLeaf7EcxRdpid;
            r.edx &= ~kLeaf7EdxSpecCtrlMask;
        } else {
            r = {0, 0, 0, 0};
        }
        break;
    case kCpuidExtendedFeatures:
        r.ecx &= ~(kExtEcxSvm | kExtEcxExtApic | kExtEcxIbs | kExtEcxSkinit | kExtEcxWdt |
                   kExtEcxTopoext | kExtEcxPerfctrCore | kExtEcxPerfctrNb | kExtEcxPerfctrLlc);
        r.edx &= ~(kEdxMce | kEdxApic | kEdxMca | kExtEdxRdtscp);
        break;
    case 0x80000008:
        // EBX: speculation controls and other MSR-backed extras, not modelled.
        r.ebx = 0;
        // ECX: NC (cores per package - 1), ApicIdSize left 0 (derive from NC).
        r.ecx = (num_cores - 1) & 0xff;
        break;
    case kCpuidSvmFeatures: // SVM
    case 0x8000001b:        // IBS
    case 0x8000001d:        // cache topology (TOPOEXT)
    case 0x8000001e:        // extended APIC id (TOPOEXT)
    case 0x8000001f:        // SEV/SME
    case 0x80000022:        // PMU v2
        r = {0, 0, 0, 0};
        break;
    }
    return r;
}

void reset_model_msrs(ModelMsrState& state, bool bootstrap_processor) {
    // The APIC is reported hardware-disabled: there is no LAPIC device.
    state.apic_base = kApicDefaultBase | (bootstrap_processor ? kApicBaseBsp : 0);
    // MTRRs enabled, everything write-back: what nested paging gives the
    // guest's RAM (there are no variable or fixed ranges to program).
    state.mtrr_def_type = 0x806;
    state.hwcr = 0;
    state.syscfg = 0;
}

MsrOutcome read_model_msr(u32 msr, MsrContext& c, u64& value) {
    switch (msr) {
    case kMsrEfer:
        value = c.efer;
        return MsrOutcome::Done;
    case kMsrTsc:
        value = c.host_tsc + c.tsc_offset;
        return MsrOutcome::Done;
    case kMsrApicBase:
        value = c.state.apic_base;
        return MsrOutcome::Done;
    case kMsrPatchLevel:
        value = 0; // no microcode patch applied
        return MsrOutcome::Done;
    case kMsrMtrrCap:
        value = 0; // no variable or fixed ranges, no write-combining type
        return MsrOutcome::Done;
    case kMsrPat:
        value = c.pat;
        return MsrOutcome::Done;
    case kMsrMtrrDefType:
        value = c.state.mtrr_def_type;
        return MsrOutcome::Done;
    case kMsrSyscfg:
        value = c.state.syscfg;
        return MsrOutcome::Done;
    case kMsrHwcr:
        value = c.state.hwcr;
        return MsrOutcome::Done;
    case kMsrIntPendingMsg:
        // K8 C1E state (erratum 400): Linux reads it unguarded on family
        // 0xf; no C1E here, so no interrupt-pending message bits either.
        value = 0;
        return MsrOutcome::Done;
    }
    return MsrOutcome::NotModelled;
}

MsrOutcome write_model_msr(u32 msr, u64 value, MsrContext& c) {
    switch (msr) {
    case kMsrEfer: {
        // SCE, LME and NXE are the guest's to set; LMA follows CR0.PG and
        // is kept; everything else (SVME included: no nested SVM) is
        // reserved here.
        constexpr u64 kWritable = kEferSce | kEferLme | kEferNxe;
        if (value & ~(kWritable | kEferLma))
            return MsrOutcome::GeneralProtection;
        c.efer = (value & kWritable) | (c.efer & kEferLma);
        return MsrOutcome::Done;
    }
    case kMsrTsc:
        c.tsc_offset = value - c.host_tsc;
        return MsrOutcome::Done;
    case kMsrApicBase:
        // There is no local APIC to enable; disabling it (or keeping it
        // disabled) is what a PC without an APIC accepts.
        if (value & (kApicBaseEnable | kApicBaseReserved))
            return MsrOutcome::GeneralProtection;
        c.state.apic_base = (value & ~kApicBaseBsp) | (c.state.apic_base & kApicBaseBsp);
        return MsrOutcome::Done;
    case kMsrPatchLevel:
        return MsrOutcome::Done; // a write asks for the level to be loaded; nothing changes
    case kMsrMtrrCap:
        return MsrOutcome::GeneralProtection; // read-only
    case kMsrPat:
        for (int i = 0; i < 8; ++i)
            if (!valid_memory_type((value >> (8 * i)) & 0xff))
                return MsrOutcome::GeneralProtection;
        c.pat = value;
        return MsrOutcome::Done;
    case kMsrMtrrDefType:
        if ((value & ~kMtrrDefTypeValid) || !valid_memory_type(value & 0xff) || (value & 0xff) == 7)
            return MsrOutcome::GeneralProtection;
        c.state.mtrr_def_type = value;
        return MsrOutcome::Done;
    case kMsrSyscfg:
        // No SME, no fixed-range MTRR extensions, no TOM2: only zero.
        if (value)
            return MsrOutcome::GeneralProtection;
        return MsrOutcome::Done;
    case kMsrHwcr:
        // Kept for the guest to read back; no bit changes this VM's behaviour.
        c.state.hwcr = value;
        return MsrOutcome::Done;
    case kMsrIntPendingMsg:
        return value ? MsrOutcome::GeneralProtection : MsrOutcome::Done;
    }
    return MsrOutcome::NotModelled;
}

} // namespace v3::x86
