// Translations between the states of the host (v3ctl), of the inventory and
// of the window.
#pragma once

#include "guest_ops.h"
#include "vm_entry.h"
#include "vm_state.h"

#include <optional>

VmStatus statusFromHost(v3ctl::VmState state);
VmStatus statusFromInventory(inventory::VmState state);
// Nothing for Unknown (the inventory has no such state).
std::optional<inventory::VmState> inventoryState(VmStatus status);
