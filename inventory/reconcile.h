// Reconciliation: which of the inventory's VMs the host has, which it does
// not, and which VMs the host has that the inventory does not know. These
// are the three groups of the original Palacios window, plus the stale
// entries: VMs the inventory believes the host has (created, running,
// paused, stopped, or error with a device file) that the host no longer
// lists, as after a host reboot. The caller applies Inventory::mark_stale to
// those; reconcile itself changes nothing.
#pragma once

#include "guest_ops.h"
#include "vm_record.h"

#include <vector>

namespace inventory {

struct ActiveVm {
    VmRecord vm;             // as the inventory has it (possibly still inactive: not yet activated)
    v3ctl::GuestEntry guest; // as the host lists it (v3ctl::parseGuestList)
    // The host lists the VM under another device file than the inventory
    // recorded (or the inventory recorded none yet).
    bool device_file_differs() const { return vm.device_file != guest.deviceFile; }
};

struct Reconciliation {
    std::vector<ActiveVm> active;                    // on the host and in the inventory
    std::vector<VmRecord> inactive;                  // in the inventory, not on the host
    std::vector<v3ctl::GuestEntry> not_in_inventory; // on the host only
    std::vector<VmRecord> stale; // the inventory thinks the host has them; it has not
};

// Every inventory entry lands in exactly one of active, inactive and stale;
// every guest in active or not_in_inventory. Names match exactly (case
// matters). Pass the entries of the host the list came from
// (Inventory::list(host)). Input order is kept. Runs in O(entries + guests).
Reconciliation reconcile(const std::vector<v3ctl::GuestEntry>& guests_from_proc,
                         const std::vector<VmRecord>& inventory);
// The same, moving the entries into the result instead of copying them
// (most of the time of a large reconciliation goes into copying records).
Reconciliation reconcile(const std::vector<v3ctl::GuestEntry>& guests_from_proc,
                         std::vector<VmRecord>&& inventory);

} // namespace inventory
