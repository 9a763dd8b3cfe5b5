// The AMD SVM backend of one VM (vm/vcore.h): the nested page tables and the
// I/O and MSR permission maps its cores share, and the factory for its
// SvmVcores.
#pragma once

#include "arch/svm/nested_paging.h"
#include "arch/svm/svm_vcore.h"
#include "vm/vcore.h"

namespace v3 {
class Vm;
}

namespace v3::svm {

class SvmBackend final : public VcoreBackend {
public:
    // Builds the nested page tables from the VM's memory map and hooks, so
    // the VM's memory layout and devices must be complete.
    static Result<OwnPtr<VcoreBackend>> try_create(Vm& vm);
    ~SvmBackend() override;
    SvmBackend(const SvmBackend&) = delete;
    SvmBackend& operator=(const SvmBackend&) = delete;

    Result<OwnPtr<Vcore>> create_vcore(u32 core_id) override;

private:
    explicit SvmBackend(Vm& vm) : vm_(vm) {}

    Vm& vm_;
    OwnPtr<NestedPageTables> npt_;
    SharedControl shared_{};
};

} // namespace v3::svm
