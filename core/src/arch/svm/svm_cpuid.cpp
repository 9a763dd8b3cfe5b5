// CPUID as the guest sees it: device and VMM hooks (hooks/cpuid_hooks.h)
// answer first, then the CPU model (arch/x86/cpu_model.h) filters the
// host's answer.
#include "arch/svm/svm_vcore.h"
#include "arch/x86/cpu.h"
#include "arch/x86/cpu_model.h"
#include "vm/vm.h"

namespace v3::svm {

Result<void> SvmVcore::handle_cpuid() {
    VmcbSave& s = vmcb_->save;
    u32 leaf = u32(s.rax);
    u32 subleaf = u32(gprs_.rcx);
    x86::CpuidResult r;
    if (CpuidHandler* hook = vm_.cpuid().find(leaf))
        r = TRY(hook->cpuid(leaf, subleaf));
    else
        r = x86::model_cpuid(leaf, subleaf, x86::cpuid(leaf, subleaf), id_, vm_.num_cores());
    s.rax = r.eax;
    gprs_.rbx = r.ebx;
    gprs_.rcx = r.ecx;
    gprs_.rdx = r.edx;
    advance_rip(2); // 0F A2
    return {};
}

} // namespace v3::svm
