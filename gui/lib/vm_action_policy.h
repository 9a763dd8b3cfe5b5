// Which VM actions make sense for a selection: the one rule the menus, the
// toolbar and the context menu all follow, so no action is ever offered
// that the host would refuse for the VM's state. The lifecycle actions
// follow the lifecycle's rule (v3ctl::allows).
#pragma once

#include "vm_entry.h"

#include <QList>

#include <optional>

enum class VmAction { Activate, Start, Pause, Continue, Stop, Delete, OpenConsole };

class VmActionPolicy {
public:
    // Whether action is valid for vm; nothing is valid without a VM.
    static bool isValid(VmAction action, const VmEntry* vm);
    // The valid actions for vm, in menu order (empty without a VM).
    static QList<VmAction> validActions(const VmEntry* vm);
    static QList<VmAction> allActions();
    // The lifecycle operation an action asks the host for (Start: launch,
    // ...); nothing for the actions that are not one.
    static std::optional<v3ctl::VmOperation> lifecycleOperation(VmAction action);
    // Why Delete is refused for vm (empty when it is allowed).
    static QString deleteRefusal(const VmEntry& vm);
};
