#include "vm_state.h"

#include <algorithm>
#include <iterator>
#include <vector>

namespace inventory {

namespace {

constexpr VmState kStorable[] = {VmState::Inactive, VmState::Created, VmState::Running,
                                 VmState::Paused,   VmState::Stopped, VmState::Error};

// Whether `to` is reached from `from` by one or more of the lifecycle's
// operations (free aside: it leaves the host).
bool reachable(VmState from, VmState to) {
    std::vector<VmState> frontier{from};
    std::vector<VmState> seen{from};
    while (!frontier.empty()) {
        const VmState state = frontier.back();
        frontier.pop_back();
        for (v3ctl::VmOperation op : v3ctl::kVmOperations) {
            const auto next = v3ctl::stateAfter(state, op);
            if (!next || *next == VmState::Inactive)
                continue;
            if (*next == to)
                return true;
            if (std::find(seen.begin(), seen.end(), *next) == seen.end()) {
                seen.push_back(*next);
                frontier.push_back(*next);
            }
        }
    }
    return false;
}

} // namespace

std::string_view state_name(VmState state) {
    return v3ctl::stateName(state);
}

bool storable(VmState state) {
    return std::find(std::begin(kStorable), std::end(kStorable), state) != std::end(kStorable);
}

std::optional<VmState> parse_state(std::string_view name) {
    for (VmState state : kStorable)
        if (state_name(state) == name)
            return state;
    return std::nullopt;
}

bool state_change_allowed(VmState from, VmState to) {
    if (!storable(from) || !storable(to))
        return false;
    // Any VM on the host may fail (and activation may fail before it is).
    if (to == VmState::Error)
        return true;
    if (from == VmState::Inactive)
        return false;
    // Any VM on the host may be freed, or forgotten by it.
    if (to == VmState::Inactive)
        return true;
    return reachable(from, to);
}

} // namespace inventory
