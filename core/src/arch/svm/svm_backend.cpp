#include "arch/svm/svm_backend.h"
#include "vm/vm.h"

namespace v3::svm {

Result<OwnPtr<VcoreBackend>> SvmBackend::try_create(Vm& vm) {
    OwnPtr<SvmBackend> backend(new (alloc) SvmBackend(vm));
    if (!backend)
        return make_error(Errno::NoMem, "out of memory for the SVM backend");
    backend->npt_ = TRY(NestedPageTables::try_build(vm.memory(), vm.memory_hooks()));
    backend->shared_ = TRY(create_shared_control(backend->npt_->root()));
    return OwnPtr<VcoreBackend>(move(backend));
}

SvmBackend::~SvmBackend() {
    free_shared_control(shared_);
}

Result<OwnPtr<Vcore>> SvmBackend::create_vcore(u32 core_id) {
    return OwnPtr<Vcore>(TRY(SvmVcore::try_create(vm_, core_id, shared_)));
}

} // namespace v3::svm
