// The inventory's side of a reconciliation with a host: what the inventory
// records when it learns what a host has. The window (or any other client)
// hands in the host's list with the state each VM reported, and gets back the
// groups to show, already written back:
// * stale entries (the inventory thought the host had them; it has not)
//   become inactive (Inventory::mark_stale);
// * a VM the host lists under an inventory name that is still inactive (the
//   tools created it), or under another device file than recorded (the host
//   renumbered it), is recorded as activated where the host has it now;
// * a state the host reported is recorded (Inventory::set_state).
// A write the inventory refuses is reported in problems and the rest goes on:
// the host is the authority, and the next reconciliation tries again.
#pragma once

#include "inventory.h"
#include "reconcile.h"

#include <optional>
#include <string>
#include <vector>

namespace inventory {

// One VM as the host lists it.
struct HostGuest {
    std::string name;
    std::string device_file; // "/dev/v3-vmN"
    // The state the host reported, in the inventory's terms; nothing when the
    // host could not say (its query failed or is not supported).
    std::optional<VmState> state;
    std::string reason; // the host's reason for that state (required for error)
};

struct HostSync {
    // active: the records as the inventory now has them, with the host's
    // guest; inactive and not_in_inventory as reconcile() sorted them; stale:
    // the records as they were read, before they were marked inactive.
    Reconciliation groups;
    // Writes the inventory refused, one sentence each.
    std::vector<std::string> problems;
};

// Reconciles the entries of `host` with its guests and writes the result
// back as above. Fails only when the inventory cannot be read.
Result<HostSync> sync_with_host(Inventory& inventory, const std::string& host,
                                const std::vector<HostGuest>& guests);

// The groups as the inventory last knew them, for when the host's list is
// unavailable (not connected, or listing failed): an entry with a device file
// is active (its guest is the recorded name and device file), every other one
// inactive. Without the host's list nothing can be called stale, so nothing
// is written.
Result<Reconciliation> last_known_groups(Inventory& inventory, const std::string& host);

} // namespace inventory
