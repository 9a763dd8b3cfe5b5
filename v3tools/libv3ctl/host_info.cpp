#include "host_info.h"
#include "json_text.h"

#include <uapi/v3vee.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <sstream>

namespace v3ctl {

namespace {

std::string boundedString(const char* field, size_t size) {
    return std::string(field, strnlen(field, size));
}

struct FeatureName {
    uint32_t bit;
    const char* name;
};

constexpr FeatureName kFeatureNames[] = {
    {V3_FEATURE_SVM, "svm"},
    {V3_FEATURE_NESTED_PAGING, "nested-paging"},
    {V3_FEATURE_NRIP_SAVE, "nrip-save"},
    {V3_FEATURE_VMCB_CLEAN, "vmcb-clean"},
    {V3_FEATURE_DECODE_ASSISTS, "decode-assists"},
};

} // namespace

HostInfo HostInfo::fromAbi(const v3_host_info& raw) {
    HostInfo info;
    info.abiVersion = raw.abi_version;
    info.features = raw.features;
    info.svmRevision = raw.svm_revision;
    info.numAsids = raw.num_asids;
    info.cpusPossible = raw.cpus_possible;
    info.cpusEnabled = raw.cpus_enabled;
    info.numGuests = raw.num_guests;
    info.maxGuests = raw.max_guests;
    info.guestMemoryTotal = raw.guest_memory_total;
    info.guestMemoryFree = raw.guest_memory_free;
    info.coreAllocations = raw.core_allocations;
    info.corePages = raw.core_pages;
    info.moduleVersion = boundedString(raw.module_version, sizeof raw.module_version);
    info.kernelRelease = boundedString(raw.kernel_release, sizeof raw.kernel_release);
    return info;
}

std::string HostInfo::featureList() const {
    std::string out;
    for (const auto& f : kFeatureNames) {
        if (!(features & f.bit))
            continue;
        if (!out.empty())
            out += ' ';
        out += f.name;
    }
    return out;
}

std::string HostInfo::summary() const {
    std::ostringstream s;
    s << "v3vee " << moduleVersion << " (ABI " << abiVersion << ") on Linux " << kernelRelease
      << ", SVM on " << cpusEnabled << "/" << cpusPossible << " CPUs";
    if (features & V3_FEATURE_NESTED_PAGING)
        s << ", nested paging";
    s << ", " << numGuests << (numGuests == 1 ? " VM" : " VMs");
    return s.str();
}

std::string HostInfo::toKeyValues() const {
    std::ostringstream s;
    s << "abi_version=" << abiVersion << "\n"
      << "features=" << features << "\n"
      << "svm_revision=" << svmRevision << "\n"
      << "num_asids=" << numAsids << "\n"
      << "cpus_possible=" << cpusPossible << "\n"
      << "cpus_enabled=" << cpusEnabled << "\n"
      << "num_guests=" << numGuests << "\n"
      << "max_guests=" << maxGuests << "\n"
      << "guest_memory_total=" << guestMemoryTotal << "\n"
      << "guest_memory_free=" << guestMemoryFree << "\n"
      << "core_allocations=" << coreAllocations << "\n"
      << "core_pages=" << corePages << "\n"
      << "module_version=" << moduleVersion << "\n"
      << "kernel_release=" << kernelRelease << "\n";
    return s.str();
}

std::string HostInfo::toJson() const {
    std::ostringstream s;
    s << "{\"abi_version\": " << abiVersion << ", \"module_version\": " << jsonString(moduleVersion)
      << ", \"kernel_release\": " << jsonString(kernelRelease) << ", \"features\": [";
    bool first = true;
    for (const auto& f : kFeatureNames) {
        if (!(features & f.bit))
            continue;
        s << (first ? "" : ", ") << jsonString(f.name);
        first = false;
    }
    s << "], \"svm_revision\": " << svmRevision << ", \"num_asids\": " << numAsids
      << ", \"cpus_possible\": " << cpusPossible << ", \"cpus_enabled\": " << cpusEnabled
      << ", \"num_guests\": " << numGuests << ", \"max_guests\": " << maxGuests
      << ", \"guest_memory_total\": " << guestMemoryTotal
      << ", \"guest_memory_free\": " << guestMemoryFree
      << ", \"core_allocations\": " << coreAllocations << ", \"core_pages\": " << corePages << "}";
    return s.str();
}

Result<HostInfo> HostInfo::fromKeyValues(const std::string& text) {
    std::map<std::string, std::string> values;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        auto eq = line.find('=');
        if (eq == std::string::npos || eq == 0)
            continue;
        values[line.substr(0, eq)] = line.substr(eq + 1);
    }

    HostInfo info;
    struct NumberField {
        const char* key;
        uint32_t* target;
    } numbers[] = {
        {"abi_version", &info.abiVersion},     {"features", &info.features},
        {"svm_revision", &info.svmRevision},   {"num_asids", &info.numAsids},
        {"cpus_possible", &info.cpusPossible}, {"cpus_enabled", &info.cpusEnabled},
        {"num_guests", &info.numGuests},       {"max_guests", &info.maxGuests},
    };
    for (const auto& field : numbers) {
        auto it = values.find(field.key);
        if (it == values.end())
            return Error{EPROTO, std::string("host info has no '") + field.key + "' field"};
        char* end = nullptr;
        errno = 0;
        unsigned long v = std::strtoul(it->second.c_str(), &end, 10);
        if (it->second.empty() || *end || errno || v > UINT32_MAX)
            return Error{EPROTO, std::string("host info field '") + field.key +
                                     "' is not a number: '" + it->second + "'"};
        *field.target = static_cast<uint32_t>(v);
    }
    struct WideField {
        const char* key;
        uint64_t* target;
    } wide[] = {{"guest_memory_total", &info.guestMemoryTotal},
                {"guest_memory_free", &info.guestMemoryFree},
                {"core_allocations", &info.coreAllocations},
                {"core_pages", &info.corePages}};
    for (const auto& field : wide) {
        auto it = values.find(field.key);
        if (it == values.end())
            return Error{EPROTO, std::string("host info has no '") + field.key + "' field"};
        char* end = nullptr;
        errno = 0;
        unsigned long long v = std::strtoull(it->second.c_str(), &end, 10);
        if (it->second.empty() || *end || errno)
            return Error{EPROTO, std::string("host info field '") + field.key +
                                     "' is not a number: '" + it->second + "'"};
        *field.target = v;
    }
    for (auto [key, target] : {std::pair{"module_version", &info.moduleVersion},
                               std::pair{"kernel_release", &info.kernelRelease}}) {
        auto it = values.find(key);
        if (it == values.end())
            return Error{EPROTO, std::string("host info has no '") + key + "' field"};
        *target = it->second;
    }
    return info;
}

} // namespace v3ctl
