#include "reconcile.h"

#include <string_view>
#include <unordered_map>

namespace inventory {

namespace {

// Whether the inventory believes the host has this VM: it was activated and
// never recorded as freed. An error without a device file (activation
// failed) never reached the host.
bool believed_on_host(const VmRecord& vm) {
    return vm.state != VmState::Inactive && !vm.device_file.empty();
}

// Sorts the entries into the groups; take(vm) yields the record to store
// (a copy or the moved original).
template <typename Entries, typename Take>
Reconciliation sort_into_groups(const std::vector<v3ctl::GuestEntry>& guests_from_proc,
                                Entries& inventory, Take take) {
    std::unordered_map<std::string_view, size_t> guest_by_name;
    guest_by_name.reserve(guests_from_proc.size());
    for (size_t i = 0; i < guests_from_proc.size(); ++i)
        guest_by_name.emplace(guests_from_proc[i].name, i); // first one wins, as in the parser

    Reconciliation result;
    std::vector<bool> matched(guests_from_proc.size(), false);
    for (auto& vm : inventory) {
        auto found = guest_by_name.find(vm.name);
        if (found != guest_by_name.end() && !matched[found->second]) {
            matched[found->second] = true;
            result.active.push_back({take(vm), guests_from_proc[found->second]});
        } else if (believed_on_host(vm)) {
            result.stale.push_back(take(vm));
        } else {
            result.inactive.push_back(take(vm));
        }
    }
    for (size_t i = 0; i < guests_from_proc.size(); ++i)
        if (!matched[i])
            result.not_in_inventory.push_back(guests_from_proc[i]);
    return result;
}

} // namespace

Reconciliation reconcile(const std::vector<v3ctl::GuestEntry>& guests_from_proc,
                         const std::vector<VmRecord>& inventory) {
    return sort_into_groups(guests_from_proc, inventory,
                            [](const VmRecord& vm) -> VmRecord { return vm; });
}

Reconciliation reconcile(const std::vector<v3ctl::GuestEntry>& guests_from_proc,
                         std::vector<VmRecord>&& inventory) {
    // The lookup key (vm.name) is read before the record is moved from.
    return sort_into_groups(guests_from_proc, inventory,
                            [](VmRecord& vm) -> VmRecord { return std::move(vm); });
}

} // namespace inventory
