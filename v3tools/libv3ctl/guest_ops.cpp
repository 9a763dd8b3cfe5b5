#include "guest_ops.h"
#include "json_text.h"

#include <uapi/v3vee.h>

#include <cerrno>
#include <cstring>
#include <sstream>

namespace v3ctl {

static_assert(kExitReasonCount == V3_EXIT_REASON_COUNT);

const char* stateName(VmState state) {
    switch (state) {
    case VmState::Created:
        return "created";
    case VmState::Running:
        return "running";
    case VmState::Paused:
        return "paused";
    case VmState::Stopped:
        return "stopped";
    case VmState::Error:
        return "error";
    case VmState::Unknown:
        break;
    }
    return "unknown";
}

VmInfo VmInfo::fromAbi(const v3_vm_info& raw) {
    VmInfo info;
    info.name.assign(raw.name, strnlen(raw.name, sizeof raw.name));
    info.index = int(raw.index);
    info.state = raw.state <= V3_STATE_ERROR ? VmState(raw.state) : VmState::Unknown;
    info.exitCode = raw.exit_code;
    info.numCores = raw.num_cores;
    info.memoryBytes = raw.memory_bytes;
    info.uptimeNs = raw.uptime_ns;
    info.exitsTotal = raw.exits_total;
    for (size_t i = 0; i < kExitReasonCount; ++i)
        info.exits[i] = raw.exits[i];
    info.reason.assign(raw.reason, strnlen(raw.reason, sizeof raw.reason));
    return info;
}

std::string VmInfo::toJson() const {
    std::ostringstream s;
    s << "{\"name\": " << jsonString(name) << ", \"index\": " << index
      << ", \"device\": " << jsonString(vmDeviceFile(index))
      << ", \"state\": " << jsonString(stateName(state)) << ", \"reason\": " << jsonString(reason)
      << ", \"exit_code\": " << exitCode << ", \"cores\": " << numCores
      << ", \"memory_bytes\": " << memoryBytes << ", \"uptime_ns\": " << uptimeNs
      << ", \"exits_total\": " << exitsTotal << ", \"exits\": {";
    for (size_t i = 0; i < kExitReasonCount; ++i)
        s << (i ? ", " : "") << jsonString(kExitReasonNames[i]) << ": " << exits[i];
    s << "}}";
    return s.str();
}

std::string VmInfo::toKeyValues() const {
    std::ostringstream s;
    s << "name=" << name << "\nindex=" << index << "\nstate=" << stateName(state)
      << "\nreason=" << reason << "\nexit_code=" << exitCode << "\ncores=" << numCores
      << "\nmemory_bytes=" << memoryBytes << "\nuptime_ns=" << uptimeNs
      << "\nexits_total=" << exitsTotal << "\n";
    for (size_t i = 0; i < kExitReasonCount; ++i)
        s << "exits." << kExitReasonNames[i] << "=" << exits[i] << "\n";
    return s.str();
}

bool parseKmsgRecord(const std::string& record, KernelLogLine& line) {
    size_t semicolon = record.find(';');
    if (semicolon == std::string::npos)
        return false;
    unsigned long long fields[3] = {};
    size_t at = 0;
    for (int i = 0; i < 3; ++i) { // prio, seq, usec; flags follow
        char* end = nullptr;
        errno = 0;
        fields[i] = std::strtoull(record.c_str() + at, &end, 10);
        if (errno || end == record.c_str() + at || (*end != ',' && *end != ';'))
            return false;
        at = size_t(end - record.c_str()) + 1;
    }
    std::string text = record.substr(semicolon + 1);
    if (size_t newline = text.find('\n'); newline != std::string::npos)
        text.resize(newline); // continuation lines (" KEY=value") are metadata
    line.sequence = fields[1];
    line.timestampUs = fields[2];
    line.text = text;
    return true;
}

std::vector<GuestEntry> parseGuestList(const std::string& text, std::vector<std::string>* bad) {
    std::vector<GuestEntry> entries;
    std::istringstream in(text);
    std::string line;
    int number = 0;
    while (std::getline(in, line)) {
        ++number;
        std::istringstream fields(line);
        std::string name, device;
        fields >> name >> device; // any run of spaces or tabs separates fields
        if (name.empty())
            continue;
        if (device.empty()) {
            if (bad)
                bad->push_back("line " + std::to_string(number) + ": '" + line + "'");
            continue;
        }
        entries.push_back({name, device});
    }
    return entries;
}

Result<int> vmIndexFromArgument(const std::string& argument) {
    std::string digits = argument;
    const std::string prefix = "/dev/v3-vm";
    if (digits.rfind(prefix, 0) == 0)
        digits = digits.substr(prefix.size());
    char* end = nullptr;
    errno = 0;
    long index = std::strtol(digits.c_str(), &end, 10);
    if (digits.empty() || *end || errno || index < 0 || index >= 127)
        return Error{EINVAL, "'" + argument + "' is not a VM device (/dev/v3-vmN) or index"};
    return int(index);
}

std::string vmDeviceFile(int index) {
    return "/dev/v3-vm" + std::to_string(index);
}

} // namespace v3ctl
