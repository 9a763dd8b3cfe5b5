#include "tool.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>

namespace v3tools {

int run_mem(const Invocation& call, v3ctl::HostConnection& host) {
    char* end = nullptr;
    errno = 0;
    unsigned long long mb = std::strtoull(call.args[0].c_str(), &end, 10);
    if (call.args[0].empty() || *end || errno || mb == 0 || mb > (1ull << 20)) {
        fail_line(call, "'" + call.args[0] + "' is not a size in MB (1 to 1048576)");
        return kExitUsage;
    }
    auto added = host.addMemory(mb << 20);
    if (!added)
        return report(call, added.error());
    std::printf("reserved %llu MB for guests\n", (unsigned long long)(added.value() >> 20));
    if (added.value() < (mb << 20)) {
        fail_line(call, "only " + std::to_string(added.value() >> 20) + " of " +
                            std::to_string(mb) +
                            " MB could be reserved: the host is short of 2 MB blocks");
        return kExitFailed;
    }
    return kExitOk;
}

} // namespace v3tools
