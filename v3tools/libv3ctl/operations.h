// The operations a host offers, each described once: its name, its
// arguments and result, its code on the agent's wire, the ioctl that
// performs it on a local module, the VM states that allow it, and the v3
// tool that runs it. This table drives everything that carries an
// operation: HostConnection's entry points, LocalHost (the ioctl), AgentHost
// and AgentSession (encoding and dispatch on both ends of the agent),
// SandboxHost (which hands every call to its agent), the tools' command
// table and the window's action enablement.
//
// Adding an operation: a row here, its name in AllOperations, and its
// handlers (LocalHost's, and a test double's when a test needs it). Rows
// whose Args and Value types are already listed below need no new agent
// encoding (agent_messages.h encodes by type).
#pragma once

#include "guest_ops.h"
#include "host_info.h"
#include "result.h"

#include <uapi/v3vee.h>

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string_view>
#include <variant>
#include <vector>

namespace v3ctl::ops {

// --- argument types (views: a call is synchronous) -----------------------
struct NoArgs {};
struct VmArgs {
    int index; // /dev/v3-vmN
};
struct MemoryArgs {
    uint64_t bytes;
};
struct CreateArgs {
    std::span<const uint8_t> image;
    std::string_view name;
};
struct StreamArgs {
    int index;
    std::string_view stream;
};
// A checkpoint: the VM, and a descriptor of the caller's the checkpoint is
// written to (save) or read from (load): a file, pipe or socket.
struct CheckpointArgs {
    int index;
    int fd;
};
struct LogArgs {
    uint64_t after; // kernel log sequence number; 0: everything
};

// A stream's descriptor (the caller owns it); distinct from a VM index.
struct StreamFd {
    int fd = -1;
};

// Which VM states allow an operation that is not one of the lifecycle's
// (a lifecycle operation's row names it instead: `lifecycle`).
class StateSet {
public:
    constexpr StateSet() = default;
    constexpr StateSet(std::initializer_list<VmState> states) {
        for (VmState s : states)
            bits_ |= 1u << unsigned(s);
    }
    static constexpr StateSet any() {
        StateSet all;
        all.bits_ = ~0u;
        return all;
    }
    constexpr bool contains(VmState s) const { return bits_ & (1u << unsigned(s)); }

private:
    unsigned bits_ = 0;
};

// How the local module is reached: the control device (/dev/v3vee), or the
// VM's own device (/dev/v3-vmN); None: not an ioctl at all (a /proc file,
// /dev/kmsg).
enum class Device { None, Control, Vm };

// The v3 tool that runs an operation with a VM argument (name null: none).
struct Tool {
    const char* name = nullptr;
    const char* description = nullptr;
};

// --- the table ----------------------------------------------------------
// code: the agent's op code (never reused). name: for messages ("cannot
// launch ..."). doing: for refusals ("launching a VM is not available").
// lifecycle or allowedIn: the states that allow it (see allows()).

struct GetHostInfo {
    static constexpr uint32_t code = 1;
    static constexpr const char* name = "host info";
    static constexpr const char* doing = "querying the host";
    using Args = NoArgs;
    using Value = HostInfo;
    static constexpr Device device = Device::Control;
    static constexpr unsigned long ioctl = V3_HOST_INFO;
    static constexpr StateSet allowedIn = StateSet::any();
    static constexpr Tool tool{};
};

struct AddMemory {
    static constexpr uint32_t code = 2;
    static constexpr const char* name = "add memory";
    static constexpr const char* doing = "adding memory";
    using Args = MemoryArgs;
    using Value = uint64_t; // bytes reserved
    static constexpr Device device = Device::Control;
    static constexpr unsigned long ioctl = V3_ADD_MEMORY;
    static constexpr StateSet allowedIn = StateSet::any();
    static constexpr Tool tool{};
};

struct CreateGuest {
    static constexpr uint32_t code = 3;
    static constexpr const char* name = "create";
    static constexpr const char* doing = "creating a VM";
    using Args = CreateArgs;
    using Value = int; // the new VM's index
    static constexpr Device device = Device::Control;
    static constexpr unsigned long ioctl = V3_CREATE_GUEST;
    static constexpr StateSet allowedIn = StateSet::any();
    static constexpr Tool tool{};
};

struct FreeGuest {
    static constexpr uint32_t code = 4;
    static constexpr const char* name = "free";
    static constexpr const char* doing = "freeing a VM";
    using Args = VmArgs;
    using Value = Ok;
    static constexpr Device device = Device::Control;
    static constexpr unsigned long ioctl = V3_FREE_GUEST;
    static constexpr VmOperation lifecycle = VmOperation::Free; // the module stops it first
    static constexpr Tool tool{"v3_free",
                               "Free a VM (its index or /dev/v3-vmN), stopping it first."};
};

struct Launch {
    static constexpr uint32_t code = 5;
    static constexpr const char* name = "launch";
    static constexpr const char* doing = "launching a VM";
    using Args = VmArgs;
    using Value = Ok;
    static constexpr Device device = Device::Vm;
    static constexpr unsigned long ioctl = V3_VM_LAUNCH;
    static constexpr VmOperation lifecycle = VmOperation::Launch; // a stopped VM: relaunch
    static constexpr Tool tool{"v3_launch",
                               "Start a created VM, or boot a stopped one again from the start."};
};

struct Pause {
    static constexpr uint32_t code = 6;
    static constexpr const char* name = "pause";
    static constexpr const char* doing = "pausing a VM";
    using Args = VmArgs;
    using Value = Ok;
    static constexpr Device device = Device::Vm;
    static constexpr unsigned long ioctl = V3_VM_PAUSE;
    static constexpr VmOperation lifecycle = VmOperation::Pause;
    static constexpr Tool tool{"v3_pause", "Pause a running VM."};
};

struct Resume {
    static constexpr uint32_t code = 7;
    static constexpr const char* name = "continue";
    static constexpr const char* doing = "continuing a VM";
    using Args = VmArgs;
    using Value = Ok;
    static constexpr Device device = Device::Vm;
    static constexpr unsigned long ioctl = V3_VM_CONTINUE;
    static constexpr VmOperation lifecycle = VmOperation::Continue;
    static constexpr Tool tool{"v3_continue", "Continue a paused VM."};
};

struct Stop {
    static constexpr uint32_t code = 8;
    static constexpr const char* name = "stop";
    static constexpr const char* doing = "stopping a VM";
    using Args = VmArgs;
    using Value = Ok;
    static constexpr Device device = Device::Vm;
    static constexpr unsigned long ioctl = V3_VM_STOP;
    static constexpr VmOperation lifecycle = VmOperation::Stop;
    static constexpr Tool tool{"v3_stop", "Stop a running or paused VM."};
};

struct GetVmInfo {
    static constexpr uint32_t code = 9;
    static constexpr const char* name = "VM info";
    static constexpr const char* doing = "querying a VM";
    using Args = VmArgs;
    using Value = VmInfo;
    static constexpr Device device = Device::Vm;
    static constexpr unsigned long ioctl = V3_VM_INFO;
    static constexpr StateSet allowedIn = StateSet::any();
    static constexpr Tool tool{};
};

struct ListGuests {
    static constexpr uint32_t code = 10;
    static constexpr const char* name = "list";
    static constexpr const char* doing = "listing VMs";
    using Args = NoArgs;
    using Value = std::vector<GuestEntry>;
    static constexpr Device device = Device::None; // /proc/v3vee/v3-guests
    static constexpr unsigned long ioctl = 0;
    static constexpr StateSet allowedIn = StateSet::any();
    static constexpr Tool tool{};
};

struct OpenStream {
    static constexpr uint32_t code = 11;
    static constexpr const char* name = "open stream";
    static constexpr const char* doing = "opening a stream";
    using Args = StreamArgs;
    using Value = StreamFd; // over the agent: a channel of DATA/ACK/CLOSE frames
    static constexpr Device device = Device::Vm;
    static constexpr unsigned long ioctl = V3_VM_STREAM_CONNECT;
    static constexpr StateSet allowedIn{VmState::Created, VmState::Running, VmState::Paused,
                                        VmState::Unknown};
    static constexpr Tool tool{};
};

struct ReadKernelLog {
    static constexpr uint32_t code = 12;
    static constexpr const char* name = "kernel log";
    static constexpr const char* doing = "reading the kernel log";
    using Args = LogArgs;
    using Value = KernelLog;
    static constexpr Device device = Device::None; // /dev/kmsg
    static constexpr unsigned long ioctl = 0;
    static constexpr StateSet allowedIn = StateSet::any();
    static constexpr Tool tool{};
};

struct ReleaseMemory {
    static constexpr uint32_t code = 13;
    static constexpr const char* name = "release memory";
    static constexpr const char* doing = "releasing memory";
    using Args = MemoryArgs; // 0: all
    using Value = uint64_t;  // bytes given back
    static constexpr Device device = Device::Control;
    static constexpr unsigned long ioctl = V3_RELEASE_MEMORY;
    static constexpr StateSet allowedIn = StateSet::any();
    static constexpr Tool tool{};
};

struct OpenConsole {
    static constexpr uint32_t code = 14;
    static constexpr const char* name = "open console";
    static constexpr const char* doing = "opening the text console";
    using Args = VmArgs;
    // Console messages out, scan codes in (uapi/v3vee_console.h); over the
    // agent a channel like a stream's, the bytes unchanged.
    using Value = StreamFd;
    static constexpr Device device = Device::Vm;
    static constexpr unsigned long ioctl = V3_VM_CONSOLE_CONNECT;
    static constexpr StateSet allowedIn{VmState::Created, VmState::Running, VmState::Paused,
                                        VmState::Unknown};
    static constexpr Tool tool{};
};

// Checkpoints (codes 30-39 are checkpoint operations). The module streams
// the checkpoint through the caller's descriptor (uapi/v3vee_chkpt.h); the
// value is the checkpoint's size in bytes. localOnly: the agent cannot
// carry a descriptor yet, so over an agent these are refused with a reason
// (run v3_save/v3_load on the machine that has the module).
struct SaveVm {
    static constexpr uint32_t code = 30;
    static constexpr const char* name = "save";
    static constexpr const char* doing = "saving a VM's checkpoint";
    using Args = CheckpointArgs;
    using Value = uint64_t;
    static constexpr Device device = Device::Vm;
    static constexpr unsigned long ioctl = V3_VM_SAVE;
    static constexpr StateSet allowedIn{VmState::Created, VmState::Paused};
    static constexpr Tool tool{};
    static constexpr bool localOnly = true;
};

struct LoadVm {
    static constexpr uint32_t code = 31;
    static constexpr const char* name = "load";
    static constexpr const char* doing = "loading a VM's checkpoint";
    using Args = CheckpointArgs;
    using Value = uint64_t;
    static constexpr Device device = Device::Vm;
    static constexpr unsigned long ioctl = V3_VM_LOAD;
    static constexpr StateSet allowedIn{VmState::Created, VmState::Paused};
    static constexpr Tool tool{};
    static constexpr bool localOnly = true;
};

template <typename... Ops> struct OperationList {};
using AllOperations = OperationList<GetHostInfo, AddMemory, CreateGuest, FreeGuest, Launch, Pause,
                                    Resume, Stop, GetVmInfo, ListGuests, OpenStream, ReadKernelLog,
                                    ReleaseMemory, OpenConsole, SaveVm, LoadVm>;

// --- calls ----------------------------------------------------------------

// One operation in flight: its arguments, and the result the connection
// that performs it sets.
template <typename Op> struct Call {
    const typename Op::Args& args;
    std::optional<Result<typename Op::Value>> result;
};

template <typename List> struct AnyCallOf;
template <typename... Ops> struct AnyCallOf<OperationList<Ops...>> {
    using type = std::variant<Call<Ops>*...>;
};
// Any operation's call, as HostConnection::perform receives it.
using AnyCall = AnyCallOf<AllOperations>::type;

// Calls f.template operator()<Op>() for each operation, in table order,
// until it returns true; returns whether one did.
template <typename F, typename... Ops> bool findOperation(OperationList<Ops...>, F&& f) {
    return (f.template operator()<Ops>() || ...);
}
template <typename F> bool findOperation(F&& f) {
    return findOperation(AllOperations{}, std::forward<F>(f));
}

template <typename... Ops> constexpr uint32_t lastCode(OperationList<Ops...>) {
    return std::max({Ops::code...});
}
template <typename... Ops> constexpr bool codesAreDistinct(OperationList<Ops...>) {
    const uint32_t codes[] = {Ops::code...};
    for (size_t i = 0; i < sizeof...(Ops); ++i) {
        if (codes[i] == 0) // 0 means "no operation" on the wire
            return false;
        for (size_t j = i + 1; j < sizeof...(Ops); ++j)
            if (codes[i] == codes[j])
                return false;
    }
    return true;
}
static_assert(codesAreDistinct(AllOperations{}), "each operation needs its own non-zero code");
inline constexpr uint32_t kLastCode = lastCode(AllOperations{});

// The name of the operation with an agent code (null if none has it).
const char* nameOfCode(uint32_t code);

// Whether a VM in `state` allows Op: the lifecycle's rule (v3ctl::allows,
// from kmod/uapi/v3vee_lifecycle.h) for a lifecycle operation, the row's
// own states otherwise. The one place the table's states column is read.
template <typename Op> bool allows(VmState state) {
    if constexpr (requires { Op::lifecycle; })
        return v3ctl::allows(state, Op::lifecycle);
    else
        return Op::allowedIn.contains(state);
}

} // namespace v3ctl::ops
