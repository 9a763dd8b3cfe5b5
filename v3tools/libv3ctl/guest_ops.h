// What libv3ctl knows about VMs on a host: the per-VM state (V3_VM_INFO),
// the /proc/v3vee/v3-guests listing, and VM device names.
#pragma once

#include "result.h"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

struct v3_vm_info;

namespace v3ctl {

enum class VmState { Created, Running, Paused, Stopped, Error, Unknown };
const char* stateName(VmState state);

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

// Parses /proc/v3vee/v3-guests text: "NAME DEVICE" per line, tabs or spaces,
// extra fields ignored, blank lines skipped; lines without two fields are
// reported in `bad` with their line numbers.
std::vector<GuestEntry> parseGuestList(const std::string& text,
                                       std::vector<std::string>* bad = nullptr);

// "/dev/v3-vm3" or "3" -> 3; an error naming the argument otherwise.
Result<int> vmIndexFromArgument(const std::string& argument);
std::string vmDeviceFile(int index);

} // namespace v3ctl
