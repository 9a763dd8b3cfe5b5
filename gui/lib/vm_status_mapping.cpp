#include "vm_status_mapping.h"

VmStatus statusFromHost(v3ctl::VmState state) {
    switch (state) {
    case v3ctl::VmState::Created:
        return VmStatus::Created;
    case v3ctl::VmState::Running:
        return VmStatus::Running;
    case v3ctl::VmState::Paused:
        return VmStatus::Paused;
    case v3ctl::VmState::Stopped:
        return VmStatus::Stopped;
    case v3ctl::VmState::Error:
        return VmStatus::Error;
    case v3ctl::VmState::Unknown:
        break;
    }
    return VmStatus::Unknown;
}

VmStatus statusFromInventory(inventory::VmState state) {
    switch (state) {
    case inventory::VmState::Inactive:
        return VmStatus::Inactive;
    case inventory::VmState::Created:
        return VmStatus::Created;
    case inventory::VmState::Running:
        return VmStatus::Running;
    case inventory::VmState::Paused:
        return VmStatus::Paused;
    case inventory::VmState::Stopped:
        return VmStatus::Stopped;
    case inventory::VmState::Error:
        return VmStatus::Error;
    }
    return VmStatus::Unknown;
}

std::optional<inventory::VmState> inventoryState(VmStatus status) {
    switch (status) {
    case VmStatus::Inactive:
        return inventory::VmState::Inactive;
    case VmStatus::Created:
        return inventory::VmState::Created;
    case VmStatus::Running:
        return inventory::VmState::Running;
    case VmStatus::Paused:
        return inventory::VmState::Paused;
    case VmStatus::Stopped:
        return inventory::VmState::Stopped;
    case VmStatus::Error:
        return inventory::VmState::Error;
    case VmStatus::Unknown:
        break;
    }
    return std::nullopt;
}
