// CPUID as the guest sees it: the host's answers, minus what this VMM does
// not virtualize (SVM itself, XSAVE/AVX state it does not switch, MONITOR,
// x2APIC, the TSC deadline timer), plus the hypervisor bit and a vendor leaf.
// Device and VMM hooks (hooks/cpuid_hooks.h) answer first.
#include "arch/svm/svm_vcore.h"
#include "arch/x86/cpu.h"
#include "vm/vm.h"

namespace v3::svm {

namespace {

constexpr u32 kLeaf1EcxMonitor = 1u << 3;
constexpr u32 kLeaf1EcxVmx = 1u << 5;
constexpr u32 kLeaf1EcxX2apic = 1u << 21;
constexpr u32 kLeaf1EcxTscDeadline = 1u << 24;
constexpr u32 kLeaf1EcxXsave = 1u << 26;
constexpr u32 kLeaf1EcxOsxsave = 1u << 27;
constexpr u32 kLeaf1EcxAvx = 1u << 28;
constexpr u32 kLeaf1EcxHypervisor = 1u << 31;
constexpr u32 kLeaf7EbxAvx2 = 1u << 5;
constexpr u32 kLeaf7EbxAvx512Mask = 0xd0230000u; // AVX512F/DQ/IFMA/PF/ER/CD/BW/VL
constexpr u32 kHypervisorLeaf = 0x40000000;

} // namespace

Result<void> SvmVcore::handle_cpuid() {
    VmcbSave& s = vmcb_->save;
    u32 leaf = u32(s.rax);
    u32 subleaf = u32(gprs_.rcx);
    x86::CpuidResult r;
    if (CpuidHandler* hook = vm_.cpuid().find(leaf)) {
        r = TRY(hook->cpuid(leaf, subleaf));
    } else if (leaf == kHypervisorLeaf) {
        // "V3VEE V3VEE " in EBX, ECX, EDX; no further hypervisor leaves.
        r = {kHypervisorLeaf, 0x45563356, 0x33562045, 0x20454556};
    } else {
        r = x86::cpuid(leaf, subleaf);
        switch (leaf) {
        case 1:
            r.ecx &= ~(kLeaf1EcxMonitor | kLeaf1EcxVmx | kLeaf1EcxX2apic | kLeaf1EcxTscDeadline |
                       kLeaf1EcxXsave | kLeaf1EcxOsxsave | kLeaf1EcxAvx);
            r.ecx |= kLeaf1EcxHypervisor;
            // Initial APIC id and logical processor count: this core of num_cores.
            r.ebx = (r.ebx & 0x0000ffff) | (id_ << 24) | ((vm_.num_cores() & 0xff) << 16);
            break;
        case 7:
            if (subleaf == 0)
                r.ebx &= ~(kLeaf7EbxAvx2 | kLeaf7EbxAvx512Mask);
            break;
        case 0xd: // XSAVE leaves: not offered
            r = {0, 0, 0, 0};
            break;
        case x86::kCpuidExtendedFeatures:
            r.ecx &= ~x86::kCpuidExtendedFeaturesEcxSvm; // no nested SVM
            break;
        case x86::kCpuidSvmFeatures:
            r = {0, 0, 0, 0};
            break;
        }
    }
    s.rax = r.eax;
    gprs_.rbx = r.ebx;
    gprs_.rcx = r.ecx;
    gprs_.rdx = r.edx;
    advance_rip(2); // 0F A2
    return {};
}

} // namespace v3::svm
