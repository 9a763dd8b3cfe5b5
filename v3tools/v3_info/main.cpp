// v3_info [--host URI] [--json | --kv]
// Prints what the host's v3vee module reports: version, ABI, SVM features and
// how many CPUs it enabled. Exit status 0 on success, 1 when the host cannot
// be reached or refuses, 2 on a usage error.
#include "host_connection.h"

#include <cstdio>
#include <cstring>
#include <string>

namespace {

void usage(FILE* to) {
    std::fprintf(to,
                 "usage: v3_info [--host URI] [--json | --kv]\n"
                 "  Show the v3vee module of a host: version, ABI, SVM features, CPUs.\n"
                 "  --host URI  local (default where /dev/v3vee exists), sandbox, or auto\n"
                 "  --json      one JSON object\n"
                 "  --kv        key=value lines (for scripts)\n");
}

} // namespace

int main(int argc, char** argv) {
    std::string host = "auto";
    enum class Format { Human, Json, KeyValues } format = Format::Human;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        if (arg == "--help" || arg == "-h") {
            usage(stdout);
            return 0;
        } else if (arg == "--json") {
            format = Format::Json;
        } else if (arg == "--kv") {
            format = Format::KeyValues;
        } else if (arg == "--host" && i + 1 < argc) {
            host = argv[++i];
        } else if (arg.rfind("--host=", 0) == 0) {
            host = arg.substr(7);
        } else {
            std::fprintf(stderr, "v3_info: unexpected argument '%s'\n", argv[i]);
            usage(stderr);
            return 2;
        }
    }

    auto connection = v3ctl::openHost(host);
    if (!connection) {
        std::fprintf(stderr, "v3_info: %s\n", connection.error().message.c_str());
        return 2;
    }
    auto info = connection.value()->hostInfo();
    if (!info) {
        std::fprintf(stderr, "v3_info: %s\n", info.error().message.c_str());
        return 1;
    }
    const v3ctl::HostInfo& i = info.value();
    switch (format) {
    case Format::Json:
        std::printf("%s\n", i.toJson().c_str());
        break;
    case Format::KeyValues:
        std::printf("%s", i.toKeyValues().c_str());
        break;
    case Format::Human:
        std::printf("host:        %s\n", connection.value()->displayName().c_str());
        std::printf("module:      v3vee %s (ABI %u)\n", i.moduleVersion.c_str(), i.abiVersion);
        std::printf("kernel:      Linux %s\n", i.kernelRelease.c_str());
        std::printf("features:    %s\n", i.featureList().c_str());
        std::printf("SVM:         revision %u, %u ASIDs\n", i.svmRevision, i.numAsids);
        std::printf("CPUs:        SVM enabled on %u of %u\n", i.cpusEnabled, i.cpusPossible);
        std::printf("VMs:         %u\n", i.numGuests);
        break;
    }
    return 0;
}
