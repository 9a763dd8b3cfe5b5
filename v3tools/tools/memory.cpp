#include "tool.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>

namespace v3tools {

namespace {

// A size in MB, 1 to 1048576; false (with the line printed) otherwise.
bool parse_mb(const Invocation& call, const std::string& text, unsigned long long& mb) {
    char* end = nullptr;
    errno = 0;
    mb = std::strtoull(text.c_str(), &end, 10);
    if (text.empty() || text[0] == '-' || *end || errno || mb == 0 || mb > (1ull << 20)) {
        fail_line(call, "'" + text + "' is not a size in MB (1 to 1048576)");
        return false;
    }
    return true;
}

int release(const Invocation& call, v3ctl::HostConnection& host) {
    unsigned long long mb = 0; // all
    if (call.args.size() == 2 && !parse_mb(call, call.args[1], mb))
        return kExitUsage;
    auto released = host.releaseMemory(mb << 20);
    if (!released)
        return report(call, released.error());
    std::printf("gave %llu MB of guest memory back to the host\n",
                (unsigned long long)(released.value() >> 20));
    return kExitOk;
}

} // namespace

int run_mem(const Invocation& call, v3ctl::HostConnection& host) {
    if (call.args[0] == "--release")
        return release(call, host);
    if (call.args.size() != 1 || call.args[0].rfind("--", 0) == 0) {
        fail_line(call, "expected MB or --release [MB], got '" + call.args[0] +
                            (call.args.size() > 1 ? " " + call.args[1] : std::string()) + "'");
        return kExitUsage;
    }
    unsigned long long mb;
    if (!parse_mb(call, call.args[0], mb))
        return kExitUsage;
    auto added = host.addMemory(mb << 20);
    if (!added)
        return report(call, added.error());
    std::printf("reserved %llu MB for guests\n", (unsigned long long)(added.value() >> 20));
    if (added.value() < (mb << 20)) {
        fail_line(call, "only " + std::to_string(added.value() >> 20) + " of " +
                            std::to_string(mb) +
                            " MB could be reserved: the host ran short of 2 MB blocks above the "
                            "memory v3vee keeps free for it");
        return kExitFailed;
    }
    return kExitOk;
}

} // namespace v3tools
