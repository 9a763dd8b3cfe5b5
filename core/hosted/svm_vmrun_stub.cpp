// The hosted build cannot execute VMRUN (a process has no ring 0). Nothing in
// it calls the world switch; this stub only satisfies the linker.
#include "arch/svm/vmrun.h"

#include <cstdio>
#include <cstdlib>

extern "C" void v3_svm_vmrun(v3::u64, v3::u64, v3::svm::GuestGprs*) {
    std::fprintf(stderr, "v3_svm_vmrun called in a hosted build\n");
    std::abort();
}

// Only its address is compared with; never executed.
extern "C" const char v3_svm_vmrun_return[1] = {0};
