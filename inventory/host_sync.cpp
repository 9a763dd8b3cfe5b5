#include "host_sync.h"

#include <string_view>
#include <unordered_map>

namespace inventory {

namespace {

// Records where the host has the VM now. One the inventory recorded under
// another device file is first reset to inactive (activation starts from
// there), so its history says why it moved.
void record_activation(Inventory& inventory, ActiveVm& active, std::vector<std::string>& problems) {
    if (active.vm.state != VmState::Inactive) {
        auto reset = inventory.set_state(active.vm.name, VmState::Inactive,
                                         "the host lists it under another device file");
        if (reset)
            active.vm = reset.value();
    }
    auto activated = inventory.activate(active.vm.name, active.guest.deviceFile);
    if (activated)
        active.vm = activated.value();
    else
        problems.push_back(activated.error().message);
}

void record_host_state(Inventory& inventory, ActiveVm& active, const HostGuest& guest,
                       std::vector<std::string>& problems) {
    if (!guest.state || *guest.state == active.vm.state)
        return;
    auto set = inventory.set_state(active.vm.name, *guest.state, guest.reason);
    if (set)
        active.vm = set.value();
    else
        problems.push_back(set.error().message);
}

} // namespace

Result<HostSync> sync_with_host(Inventory& inventory, const std::string& host,
                                const std::vector<HostGuest>& guests) {
    std::vector<v3ctl::GuestEntry> listed;
    listed.reserve(guests.size());
    for (const HostGuest& g : guests)
        listed.push_back({g.name, g.device_file});
    auto records = TRY(inventory.list(host));

    HostSync out;
    out.groups = reconcile(listed, std::move(records));
    if (!out.groups.stale.empty()) {
        auto marked = inventory.mark_stale(out.groups.stale);
        if (!marked)
            out.problems.push_back(marked.error().message);
    }
    // Active entries come in the inventory's order: find each one's report
    // by name (the first guest of a name wins, as in reconcile()).
    std::unordered_map<std::string_view, const HostGuest*> report_by_name;
    report_by_name.reserve(guests.size());
    for (const HostGuest& g : guests)
        report_by_name.emplace(g.name, &g);
    for (ActiveVm& active : out.groups.active) {
        if (active.vm.state == VmState::Inactive || active.device_file_differs())
            record_activation(inventory, active, out.problems);
        record_host_state(inventory, active, *report_by_name.at(active.guest.name), out.problems);
    }
    return out;
}

Result<Reconciliation> last_known_groups(Inventory& inventory, const std::string& host) {
    auto records = TRY(inventory.list(host));
    Reconciliation out;
    for (VmRecord& vm : records) {
        if (vm.device_file.empty()) {
            out.inactive.push_back(std::move(vm));
        } else {
            v3ctl::GuestEntry guest{vm.name, vm.device_file};
            out.active.push_back({std::move(vm), std::move(guest)});
        }
    }
    return out;
}

} // namespace inventory
