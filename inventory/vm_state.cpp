#include "vm_state.h"

#include <array>

namespace inventory {

namespace {

constexpr std::array<std::pair<VmState, std::string_view>, 6> kNames = {{
    {VmState::Inactive, "inactive"},
    {VmState::Created, "created"},
    {VmState::Running, "running"},
    {VmState::Paused, "paused"},
    {VmState::Stopped, "stopped"},
    {VmState::Error, "error"},
}};

} // namespace

std::string_view state_name(VmState state) {
    for (const auto& [value, name] : kNames)
        if (value == state)
            return name;
    return "unknown";
}

std::optional<VmState> parse_state(std::string_view name) {
    for (const auto& [value, stored] : kNames)
        if (stored == name)
            return value;
    return std::nullopt;
}

bool state_change_allowed(VmState from, VmState to) {
    using S = VmState;
    // Any VM on the host may fail or be freed.
    if (to == S::Error)
        return true;
    switch (from) {
    case S::Inactive:
        return false;
    case S::Created:
        // Paused too: a VM adopted from the host may already be paused when
        // the inventory first records it.
        return to == S::Running || to == S::Paused || to == S::Stopped || to == S::Inactive;
    case S::Running:
        return to == S::Paused || to == S::Stopped || to == S::Inactive;
    case S::Paused:
        return to == S::Running || to == S::Stopped || to == S::Inactive;
    case S::Stopped:
        // A stopped VM may be launched again, as in Palacios.
        return to == S::Running || to == S::Inactive;
    case S::Error:
        return to == S::Inactive;
    }
    return false;
}

} // namespace inventory
