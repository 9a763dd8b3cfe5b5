// The states an inventory entry can be in, their stored names, and which
// changes the inventory accepts.
#pragma once

#include <optional>
#include <string_view>

namespace inventory {

// inactive: known to the inventory, not on the host. created..error mirror
// the module's VM states; every state but inactive means the host has (or
// had) the VM under a device file.
enum class VmState { Inactive, Created, Running, Paused, Stopped, Error };

// The stored text: "inactive", "created", "running", "paused", "stopped", "error".
std::string_view state_name(VmState state);

// The state a stored name stands for; nothing for any other text.
std::optional<VmState> parse_state(std::string_view name);

// Whether set_state may move a VM from one state to another. Leaving
// inactive for anything but error goes through activation (which records the
// device file), so it is not a plain state change.
bool state_change_allowed(VmState from, VmState to);

} // namespace inventory
