#include "arch/svm/svm_cpu.h"
#include "arch/x86/cpu.h"

namespace v3::svm {

namespace {

bool cpu_has_svm() {
    if (x86::cpuid(x86::kCpuidExtendedMax).eax < x86::kCpuidExtendedFeatures)
        return false;
    return x86::cpuid(x86::kCpuidExtendedFeatures).ecx & x86::kCpuidExtendedFeaturesEcxSvm;
}

} // namespace

Result<Capabilities> probe() {
    if (!cpu_has_svm())
        return make_error(Errno::NoDev,
                          "this CPU has no AMD SVM (CPUID 0x80000001 ECX bit 2 is clear); "
                          "Intel VMX is not supported yet");
    if (x86::cpuid(x86::kCpuidExtendedMax).eax < x86::kCpuidSvmFeatures)
        return make_error(Errno::NoDev, "this CPU reports SVM but has no SVM feature leaf "
                                        "(CPUID 0x8000000A)");
    auto vm_cr = x86::read_msr(x86::kMsrVmCr);
    if (vm_cr.is_error())
        return make_error(Errno::NoDev, "the VM_CR MSR (0xC0010114) cannot be read");
    if (vm_cr.value() & x86::kVmCrSvmDisable)
        return make_error(Errno::NoDev, "SVM is disabled by the firmware (VM_CR.SVMDIS is set); "
                                        "enable virtualization (SVM) in the BIOS setup");

    auto leaf = x86::cpuid(x86::kCpuidSvmFeatures);
    Capabilities caps;
    caps.revision = leaf.eax & 0xff;
    caps.num_asids = leaf.ebx;
    caps.nested_paging = leaf.edx & x86::kSvmFeatureNestedPaging;
    caps.nrip_save = leaf.edx & x86::kSvmFeatureNripSave;
    caps.vmcb_clean = leaf.edx & x86::kSvmFeatureVmcbClean;
    caps.decode_assists = leaf.edx & x86::kSvmFeatureDecodeAssists;
    return caps;
}

const char* describe(EnableStatus status) {
    switch (status) {
    case EnableStatus::NotAttempted:
        return "not attempted (CPU offline or the cross-CPU call failed)";
    case EnableStatus::Enabled:
        return "SVM enabled";
    case EnableStatus::NoSvm:
        return "this CPU has no SVM";
    case EnableStatus::DisabledByFirmware:
        return "SVM is disabled by the firmware (VM_CR.SVMDIS)";
    case EnableStatus::AlreadyEnabled:
        return "EFER.SVME is already set: another hypervisor (kvm_amd?) is using SVM; "
               "unload it first";
    case EnableStatus::MsrFault:
        return "an SVM MSR access faulted";
    case EnableStatus::DidNotStick:
        return "EFER.SVME did not stay set";
    }
    return "unknown status";
}

EnableStatus enable_on_this_cpu(u64 host_save_area) {
    if (!cpu_has_svm())
        return EnableStatus::NoSvm;
    auto vm_cr = x86::read_msr(x86::kMsrVmCr);
    if (vm_cr.is_error())
        return EnableStatus::MsrFault;
    if (vm_cr.value() & x86::kVmCrSvmDisable)
        return EnableStatus::DisabledByFirmware;

    auto efer = x86::read_msr(x86::kMsrEfer);
    if (efer.is_error())
        return EnableStatus::MsrFault;
    if (efer.value() & x86::kEferSvme)
        return EnableStatus::AlreadyEnabled;

    if (x86::write_msr(x86::kMsrEfer, efer.value() | x86::kEferSvme).is_error())
        return EnableStatus::MsrFault;
    // The host save area is written by VMRUN; it must be set after SVME.
    if (x86::write_msr(x86::kMsrVmHsavePa, host_save_area).is_error()) {
        (void)x86::write_msr(x86::kMsrEfer, efer.value());
        return EnableStatus::MsrFault;
    }
    auto check = x86::read_msr(x86::kMsrEfer);
    if (check.is_error() || !(check.value() & x86::kEferSvme)) {
        (void)x86::write_msr(x86::kMsrVmHsavePa, 0);
        (void)x86::write_msr(x86::kMsrEfer, efer.value());
        return EnableStatus::DidNotStick;
    }
    return EnableStatus::Enabled;
}

Result<void> disable_on_this_cpu() {
    // Clear the host save area pointer first: with SVME clear it is unused,
    // and no VMRUN may run between the two writes on this CPU.
    TRY(x86::write_msr(x86::kMsrVmHsavePa, 0));
    u64 efer = TRY(x86::read_msr(x86::kMsrEfer));
    TRY(x86::write_msr(x86::kMsrEfer, efer & ~x86::kEferSvme));
    return {};
}

} // namespace v3::svm
