#include "vm_action_policy.h"

#include "operations.h"

#include <QCoreApplication>

namespace {

// Whether the host would take Op for this VM: the operation table's states
// column (the lifecycle's rule for the lifecycle operations).
template <typename Op> bool hostAllows(const VmEntry& vm) {
    return vm.onHost() && v3ctl::ops::allows<Op>(vm.status);
}

} // namespace

std::optional<v3ctl::VmOperation> VmActionPolicy::lifecycleOperation(VmAction action) {
    switch (action) {
    case VmAction::Start:
        return v3ctl::VmOperation::Launch;
    case VmAction::Pause:
        return v3ctl::VmOperation::Pause;
    case VmAction::Continue:
        return v3ctl::VmOperation::Continue;
    case VmAction::Stop:
        return v3ctl::VmOperation::Stop;
    case VmAction::Activate:
    case VmAction::Delete:
    case VmAction::OpenConsole:
        break;
    }
    return std::nullopt;
}

bool VmActionPolicy::isValid(VmAction action, const VmEntry* vm) {
    if (!vm)
        return false;
    switch (action) {
    case VmAction::Activate:
        // Inactive: create it on the host. Not in inventory: adopt it.
        return vm->group == VmGroup::Inactive || vm->group == VmGroup::NotInInventory;
    case VmAction::Start: // relaunches a stopped VM
        return hostAllows<v3ctl::ops::Launch>(*vm);
    case VmAction::Pause:
        return hostAllows<v3ctl::ops::Pause>(*vm);
    case VmAction::Continue:
        return hostAllows<v3ctl::ops::Resume>(*vm);
    case VmAction::Stop:
        return hostAllows<v3ctl::ops::Stop>(*vm);
    case VmAction::Delete:
        return deleteRefusal(*vm).isEmpty();
    case VmAction::OpenConsole:
        return vm->index >= 0 && hostAllows<v3ctl::ops::OpenStream>(*vm);
    }
    return false;
}

QList<VmAction> VmActionPolicy::allActions() {
    return {VmAction::Activate, VmAction::Start,  VmAction::Pause,      VmAction::Continue,
            VmAction::Stop,     VmAction::Delete, VmAction::OpenConsole};
}

QList<VmAction> VmActionPolicy::validActions(const VmEntry* vm) {
    QList<VmAction> valid;
    for (VmAction a : allActions())
        if (isValid(a, vm))
            valid << a;
    return valid;
}

QString VmActionPolicy::deleteRefusal(const VmEntry& vm) {
    // Deleting frees the VM on the host, which would stop a guest that may
    // still run: the user stops it first, knowingly.
    if (vm.onHost() && v3ctl::isLaunched(vm.status))
        return QCoreApplication::translate("VmActionPolicy", "%1 is %2: stop it before deleting it")
            .arg(vm.name, vmStatusName(vm.status));
    return {};
}
