#include "arch/cpu_backend.h"
#include "arch/svm/svm_backend.h"

namespace v3 {

Result<OwnPtr<VcoreBackend>> create_cpu_backend(Vm& vm) {
    // v3_init has already refused to load on a CPU without SVM.
    return svm::SvmBackend::try_create(vm);
}

} // namespace v3
