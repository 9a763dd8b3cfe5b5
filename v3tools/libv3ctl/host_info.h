// What a host's v3vee module reports about itself (V3_HOST_INFO), in a form
// that travels as text: key=value lines (the sandbox's boot banner, v3_info
// --kv) and JSON (v3_info --json). The agent carries it in tagged fields
// (agent_messages.h).
#pragma once

#include "result.h"

#include <cstdint>
#include <string>

struct v3_host_info;

namespace v3ctl {

struct HostInfo {
    uint32_t abiVersion = 0;
    uint32_t features = 0; // V3_FEATURE_* from uapi/v3vee.h
    uint32_t svmRevision = 0;
    uint32_t numAsids = 0;
    uint32_t cpusPossible = 0;
    uint32_t cpusEnabled = 0;
    uint32_t numGuests = 0;
    uint32_t maxGuests = 0;
    uint64_t guestMemoryTotal = 0; // bytes reserved for guest RAM
    uint64_t guestMemoryFree = 0;
    uint64_t coreAllocations = 0; // the VMM core's live heap allocations
    uint64_t corePages = 0;       // and pages
    std::string moduleVersion;
    std::string kernelRelease;

    static HostInfo fromAbi(const v3_host_info& raw);

    // "v3vee 0.1.0 (ABI 1) on Linux 6.1.0-56-amd64, SVM on 2/2 CPUs, nested paging, 0 VMs"
    std::string summary() const;
    std::string featureList() const; // "svm nested-paging nrip-save"
    std::string toKeyValues() const; // one key=value per line
    std::string toJson() const;
    // Parses toKeyValues() output; unknown keys are ignored, missing
    // required ones are an error naming the key.
    static Result<HostInfo> fromKeyValues(const std::string& text);
};

} // namespace v3ctl
