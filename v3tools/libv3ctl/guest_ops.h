// What libv3ctl knows about VMs on a host: the per-VM state (V3_VM_INFO),
// the /proc/v3vee/v3-guests listing, and VM device names.
#pragma once

#include "result.h"

#include <uapi/v3vee_lifecycle.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct v3_vm_info;

namespace v3ctl {

// The one VM state type: the module's lifecycle states
// (kmod/uapi/v3vee_lifecycle.h, same numbers) plus Unknown (the host lists
// the VM but could not say its state, e.g. over a connection that cannot
// query VMs) and Inactive (the host does not have the VM: not created there
// yet, or freed). The core names the same type; the inventory stores it by
// name, the window shows it.
using VmState = v3vee::VmState;
// The operations that change a VM's state, as the lifecycle names them.
using VmOperation = v3vee::VmOperation;
inline constexpr VmOperation kVmOperations[] = {VmOperation::Launch, VmOperation::Pause,
                                                VmOperation::Continue, VmOperation::Stop,
                                                VmOperation::Free};

// A state the module reports (created .. error), as opposed to Unknown and
// Inactive.
inline bool isModuleState(VmState state) {
    return uint32_t(state) < V3_STATE_COUNT;
}

// "created", "running", "paused", "stopped", "error", "unknown", "inactive".
inline const char* stateName(VmState state) {
    return state == VmState::Inactive ? "inactive" : v3_vm_state_name(uint32_t(state));
}
inline const char* operationName(VmOperation op) {
    return v3_vm_op_name(uint32_t(op));
}

// v3_vm_info.state (or the agent's copy of it) as a state; Unknown for a
// number the lifecycle does not define.
inline VmState stateFromAbi(uint32_t state) {
    return state < V3_STATE_COUNT ? VmState(state) : VmState::Unknown;
}

// Whether a VM in `state` allows `op`: the lifecycle's table for the module's
// states. Of an Unknown VM only stop and free may be asked (the host refuses
// what does not apply); an Inactive one allows none of them.
inline bool allows(VmState state, VmOperation op) {
    if (state == VmState::Unknown)
        return op == VmOperation::Stop || op == VmOperation::Free;
    return v3_vm_op_allowed(uint32_t(state), uint32_t(op)) != 0;
}

// The state once `op` succeeded: Inactive after free; nothing when `state`
// does not allow `op` or the outcome is not known (Unknown).
inline std::optional<VmState> stateAfter(VmState state, VmOperation op) {
    if (!isModuleState(state) || !allows(state, op))
        return std::nullopt;
    if (op == VmOperation::Free)
        return VmState::Inactive;
    return VmState(v3_vm_state_after(uint32_t(state), uint32_t(op)));
}

// Whether `op` resets the VM first: launching a stopped VM boots it again
// from the start.
inline bool resets(VmState state, VmOperation op) {
    return v3_vm_op_resets(uint32_t(state), uint32_t(op)) != 0;
}

// Launched and not stopped (running or paused): its guest may still run, so
// stopping applies.
inline bool isLaunched(VmState state) {
    return isModuleState(state) && allows(state, VmOperation::Stop);
}

inline constexpr const char* kExitReasonNames[] = {
    "io",        "mmio",     "cpuid", "msr", "hlt", "interrupt", "interrupt_window",
    "exception", "shutdown", "other"};
inline constexpr size_t kExitReasonCount = sizeof kExitReasonNames / sizeof kExitReasonNames[0];

struct VmInfo {
    std::string name;
    int index = -1;
    VmState state = VmState::Unknown;
    uint32_t exitCode = 0;
    uint32_t numCores = 0;
    uint64_t memoryBytes = 0;
    uint64_t uptimeNs = 0;
    uint64_t exitsTotal = 0;
    std::array<uint64_t, kExitReasonCount> exits{};
    std::string reason;

    static VmInfo fromAbi(const v3_vm_info& raw);
    std::string toJson() const;
    std::string toKeyValues() const;
};

// A line of the host kernel's log that came from v3vee (a /dev/kmsg record
// whose text starts with "v3vee:").
struct KernelLogLine {
    uint64_t sequence = 0;    // the kernel's record sequence number
    uint64_t timestampUs = 0; // microseconds since the host booted
    std::string text;
};

struct KernelLog {
    std::vector<KernelLogLine> lines;
    uint64_t next = 0; // pass back as `after` to get only newer lines
};

// Parses one /dev/kmsg record ("prio,seq,usec,flags;text\n" plus optional
// continuation lines); false for anything else.
bool parseKmsgRecord(const std::string& record, KernelLogLine& line);

struct GuestEntry {
    std::string name;
    std::string deviceFile; // /dev/v3-vmN
};

struct GuestListProblem {
    int line = 0;     // 1-based
    std::string text; // the line as read
    std::string reason;
};

struct GuestList {
    std::vector<GuestEntry> guests;         // in file order, names unique
    std::vector<GuestListProblem> problems; // in file order
};

// The one parser of /proc/v3vee/v3-guests ("NAME /dev/v3-vmN" a line), read
// robustly: fields are separated by any run of spaces or tabs, fields after
// the device file are ignored (a newer module may add some), and a blank or
// malformed line (one field, a second field that is no path, a control
// character, a name listed before) is skipped and reported with its number
// rather than breaking the whole list.
GuestList parseGuestList(std::string_view text);

// "/dev/v3-vm3" or "3" -> 3; an error naming the argument otherwise.
Result<int> vmIndexFromArgument(const std::string& argument);
std::string vmDeviceFile(int index);

} // namespace v3ctl
