#include "vm_action_policy.h"

#include <QCoreApplication>

bool VmActionPolicy::isValid(VmAction action, const VmEntry* vm) {
    if (!vm)
        return false;
    const VmStatus s = vm->status;
    switch (action) {
    case VmAction::Activate:
        // Inactive: create it on the host. Not in inventory: adopt it.
        return vm->group == VmGroup::Inactive || vm->group == VmGroup::NotInInventory;
    case VmAction::Start:
        // The module launches a created VM, and a stopped one again.
        return vm->onHost() && (s == VmStatus::Created || s == VmStatus::Stopped);
    case VmAction::Pause:
        return vm->onHost() && s == VmStatus::Running;
    case VmAction::Continue:
        return vm->onHost() && s == VmStatus::Paused;
    case VmAction::Stop:
        return vm->onHost() &&
               (s == VmStatus::Running || s == VmStatus::Paused || s == VmStatus::Unknown);
    case VmAction::Delete:
        return deleteRefusal(*vm).isEmpty();
    case VmAction::OpenConsole:
        return vm->onHost() && vm->index >= 0 &&
               (s == VmStatus::Running || s == VmStatus::Paused || s == VmStatus::Created ||
                s == VmStatus::Unknown);
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
    if (vm.onHost() && (vm.status == VmStatus::Running || vm.status == VmStatus::Paused))
        return QCoreApplication::translate("VmActionPolicy", "%1 is %2: stop it before deleting it")
            .arg(vm.name, vmStatusName(vm.status));
    return {};
}
