#include "guest_ops.h"
#include "json_text.h"

#include <uapi/v3vee.h>

#include <cerrno>
#include <cstring>
#include <sstream>
#include <unordered_map>

namespace v3ctl {

static_assert(kExitReasonCount == V3_EXIT_REASON_COUNT);

VmInfo VmInfo::fromAbi(const v3_vm_info& raw) {
    VmInfo info;
    info.name.assign(raw.name, strnlen(raw.name, sizeof raw.name));
    info.index = int(raw.index);
    info.state = stateFromAbi(raw.state);
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

namespace {

std::vector<std::string_view> splitFields(std::string_view line) {
    std::vector<std::string_view> fields;
    size_t at = 0;
    while (true) {
        at = line.find_first_not_of(" \t", at);
        if (at == std::string_view::npos)
            return fields;
        size_t end = line.find_first_of(" \t", at);
        if (end == std::string_view::npos)
            end = line.size();
        fields.push_back(line.substr(at, end - at));
        at = end;
    }
}

bool hasControlCharacter(std::string_view text) {
    for (unsigned char c : text)
        if (c < 0x20 || c == 0x7f)
            return true;
    return false;
}

} // namespace

GuestList parseGuestList(std::string_view text) {
    GuestList list;
    std::unordered_map<std::string_view, int> firstLineOf;
    int number = 0;
    size_t at = 0;
    while (at < text.size()) {
        size_t end = text.find('\n', at);
        if (end == std::string_view::npos)
            end = text.size();
        std::string_view line = text.substr(at, end - at);
        at = end + 1;
        ++number;
        if (!line.empty() && line.back() == '\r')
            line.remove_suffix(1);
        auto report = [&](std::string reason) {
            list.problems.push_back({number, std::string(line), std::move(reason)});
        };
        const auto fields = splitFields(line);
        if (fields.empty()) {
            report("blank line");
            continue;
        }
        if (fields.size() < 2) {
            report("only one field; expected \"NAME /dev/v3-vmN\"");
            continue;
        }
        const std::string_view name = fields[0];
        const std::string_view device = fields[1];
        if (hasControlCharacter(name) || hasControlCharacter(device)) {
            report("contains a control character");
            continue;
        }
        if (device.front() != '/') {
            report("the second field '" + std::string(device) +
                   "' is not a device file path; expected \"NAME /dev/v3-vmN\"");
            continue;
        }
        auto [seen, inserted] = firstLineOf.emplace(name, number);
        if (!inserted) {
            report("VM '" + std::string(name) + "' is already listed on line " +
                   std::to_string(seen->second));
            continue;
        }
        list.guests.push_back({std::string(name), std::string(device)});
    }
    return list;
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
