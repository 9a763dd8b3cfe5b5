// Detecting AMD SVM and turning it on and off on one host CPU (AMD APM vol. 2,
// 15.4 "Enabling SVM"): EFER.SVME and the host save area MSR.
#pragma once

#include "arch/x86/msr.h"
#include "lib/result.h"

namespace v3::svm {

struct Capabilities {
    u32 revision = 0;
    u32 num_asids = 0;
    bool nested_paging = false;
    bool nrip_save = false;
    bool vmcb_clean = false;
    bool decode_assists = false;
};

// Checks the calling CPU: SVM in CPUID, not disabled by firmware (VM_CR), and
// reads the SVM feature leaf. The error message says which check failed.
Result<Capabilities> probe();

// What happened when enabling SVM on one CPU (filled in interrupt context, so
// it carries codes, not log lines).
enum class EnableStatus : u8 {
    NotAttempted,
    Enabled,
    NoSvm, // CPUID says this CPU has no SVM
    DisabledByFirmware,
    AlreadyEnabled, // EFER.SVME was set: another hypervisor owns SVM here
    MsrFault,
    DidNotStick, // EFER.SVME read back clear after setting it
};

const char* describe(EnableStatus status);

// Enables SVM on the calling CPU with `host_save_area` as VM_HSAVE_PA.
EnableStatus enable_on_this_cpu(u64 host_save_area);

// Clears EFER.SVME and VM_HSAVE_PA on the calling CPU.
Result<void> disable_on_this_cpu();

} // namespace v3::svm
