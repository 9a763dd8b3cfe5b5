#include "arch/svm/vmcb.h"

namespace v3::svm {

const char* exit_name(u64 code) {
    if (code >= kExitException0 && code < kExitException0 + 32)
        return "exception";
    if (code < 0x40)
        return code < 0x10 ? "CR read" : code < 0x20 ? "CR write" : "DR access";
    switch (code) {
    case kExitIntr:
        return "INTR";
    case kExitNmi:
        return "NMI";
    case kExitSmi:
        return "SMI";
    case kExitInit:
        return "INIT";
    case kExitVintr:
        return "VINTR";
    case kExitCpuid:
        return "CPUID";
    case kExitIret:
        return "IRET";
    case kExitInvd:
        return "INVD";
    case kExitHlt:
        return "HLT";
    case kExitInvlpga:
        return "INVLPGA";
    case kExitIoio:
        return "IOIO";
    case kExitMsr:
        return "MSR";
    case kExitShutdown:
        return "SHUTDOWN";
    case kExitVmrun:
        return "VMRUN";
    case kExitVmmcall:
        return "VMMCALL";
    case kExitVmload:
        return "VMLOAD";
    case kExitVmsave:
        return "VMSAVE";
    case kExitStgi:
        return "STGI";
    case kExitClgi:
        return "CLGI";
    case kExitSkinit:
        return "SKINIT";
    case kExitRdtscp:
        return "RDTSCP";
    case kExitIcebp:
        return "ICEBP";
    case kExitWbinvd:
        return "WBINVD";
    case kExitMonitor:
        return "MONITOR";
    case kExitMwait:
        return "MWAIT";
    case kExitXsetbv:
        return "XSETBV";
    case kExitNestedPageFault:
        return "NPF";
    case kExitInvalid:
        return "INVALID";
    default:
        return "unknown";
    }
}

} // namespace v3::svm
