// v3_info [VM]: the host's module, or one VM's state and counters.
#include "tool.h"

#include <cstdio>

namespace v3tools {

namespace {

int host_info(const Invocation& call, v3ctl::HostConnection& host) {
    auto info = host.hostInfo();
    if (!info)
        return report(call, info.error());
    const v3ctl::HostInfo& i = info.value();
    if (call.json) {
        std::printf("%s\n", i.toJson().c_str());
    } else if (call.kv) {
        std::printf("%s", i.toKeyValues().c_str());
    } else {
        std::printf("host:        %s\n", host.displayName().c_str());
        std::printf("module:      v3vee %s (ABI %u)\n", i.moduleVersion.c_str(), i.abiVersion);
        std::printf("kernel:      Linux %s\n", i.kernelRelease.c_str());
        std::printf("features:    %s\n", i.featureList().c_str());
        std::printf("SVM:         revision %u, %u ASIDs\n", i.svmRevision, i.numAsids);
        std::printf("CPUs:        SVM enabled on %u of %u\n", i.cpusEnabled, i.cpusPossible);
        std::printf("VMs:         %u of %u\n", i.numGuests, i.maxGuests);
        std::printf("guest RAM:   %llu MB reserved, %llu MB free\n",
                    (unsigned long long)(i.guestMemoryTotal >> 20),
                    (unsigned long long)(i.guestMemoryFree >> 20));
    }
    return kExitOk;
}

} // namespace

int run_info(const Invocation& call, v3ctl::HostConnection& host) {
    if (call.args.empty())
        return host_info(call, host);
    auto index = v3ctl::vmIndexFromArgument(call.args[0]);
    if (!index) {
        fail_line(call, index.error().message);
        return kExitUsage;
    }
    auto info = host.vmInfo(index.value());
    if (!info)
        return report(call, info.error());
    const v3ctl::VmInfo& v = info.value();
    if (call.json) {
        std::printf("%s\n", v.toJson().c_str());
    } else if (call.kv) {
        std::printf("%s", v.toKeyValues().c_str());
    } else {
        std::printf("name:     %s (%s)\n", v.name.c_str(), v3ctl::vmDeviceFile(v.index).c_str());
        std::printf("state:    %s%s%s\n", v3ctl::stateName(v.state), v.reason.empty() ? "" : ": ",
                    v.reason.c_str());
        std::printf("cores:    %u\n", v.numCores);
        std::printf("memory:   %llu MB\n", (unsigned long long)(v.memoryBytes >> 20));
        std::printf("uptime:   %.3f s\n", double(v.uptimeNs) / 1e9);
        std::printf("exits:    %llu\n", (unsigned long long)v.exitsTotal);
        for (size_t i = 0; i < v3ctl::kExitReasonCount; ++i)
            if (v.exits[i])
                std::printf("  %-17s %llu\n", v3ctl::kExitReasonNames[i],
                            (unsigned long long)v.exits[i]);
    }
    return kExitOk;
}

} // namespace v3tools
