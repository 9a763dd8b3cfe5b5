#include "vm_action_policy.h"

#include "operations.h"

#include <QCoreApplication>

#include <optional>

namespace {

// The host's state for the window's status (none: not on the host). The
// one adapter between the two, so the operation table's rule is read as is.
std::optional<v3ctl::VmState> hostState(VmStatus status) {
    switch (status) {
    case VmStatus::Inactive:
        return std::nullopt;
    case VmStatus::Created:
        return v3ctl::VmState::Created;
    case VmStatus::Running:
        return v3ctl::VmState::Running;
    case VmStatus::Paused:
        return v3ctl::VmState::Paused;
    case VmStatus::Stopped:
        return v3ctl::VmState::Stopped;
    case VmStatus::Error:
        return v3ctl::VmState::Error;
    case VmStatus::Unknown:
        break;
    }
    return v3ctl::VmState::Unknown;
}

// Whether the host would take Op for this VM: the table's states column.
template <typename Op> bool hostAllows(const VmEntry& vm) {
    const std::optional<v3ctl::VmState> state = hostState(vm.status);
    return vm.onHost() && state && v3ctl::ops::allows<Op>(*state);
}

} // namespace

bool VmActionPolicy::isValid(VmAction action, const VmEntry* vm) {
    if (!vm)
        return false;
    switch (action) {
    case VmAction::Activate:
        // Inactive: create it on the host. Not in inventory: adopt it.
        return vm->group == VmGroup::Inactive || vm->group == VmGroup::NotInInventory;
    case VmAction::Start:
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
    if (vm.onHost() && (vm.status == VmStatus::Running || vm.status == VmStatus::Paused))
        return QCoreApplication::translate("VmActionPolicy", "%1 is %2: stop it before deleting it")
            .arg(vm.name, vmStatusName(vm.status));
    return {};
}
