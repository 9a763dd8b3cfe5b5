// The state the inventory records for a VM (its desired / last known state):
// the one VM state type, v3ctl::VmState, stored by name. Inactive means the
// host does not have the VM; Unknown is never stored.
#pragma once

#include "guest_ops.h"

#include <optional>
#include <string_view>

namespace inventory {

using VmState = v3ctl::VmState;

// The stored text: "inactive", "created", "running", "paused", "stopped",
// "error" (v3ctl::stateName).
std::string_view state_name(VmState state);

// The state a stored name stands for; nothing for any other text (and for
// "unknown", which is not a state to store).
std::optional<VmState> parse_state(std::string_view name);

// Whether the state may be recorded at all (every state but Unknown).
bool storable(VmState state);

// Whether set_state may move a VM from one state to another: `to` follows
// from `from` by the lifecycle's operations (v3ctl::stateAfter), as seen by
// someone who looks now and then and may miss steps, or the VM failed
// (error) or left the host (inactive). Leaving inactive for anything but
// error goes through activation (which records the device file), so it is
// not a plain state change.
bool state_change_allowed(VmState from, VmState to);

} // namespace inventory
