// A connection to one host's v3vee module. The tools and the GUI talk to
// hosts only through this interface; implementations: LocalHost (ioctls on
// this machine) and SandboxHost (the QEMU sandbox). Calls may block: the GUI
// makes them on worker threads.
#pragma once

#include "host_info.h"
#include "result.h"

#include <memory>
#include <string>

namespace v3ctl {

class HostConnection {
public:
    virtual ~HostConnection() = default;

    // "local", "sandbox", ... as accepted by openHost.
    virtual std::string uri() const = 0;
    // A short human name for the status bar: "local machine", "sandbox (QEMU TCG)".
    virtual std::string displayName() const = 0;

    virtual Result<HostInfo> hostInfo() = 0;
};

// Opens a host by URI: "local" (this machine's /dev/v3vee), "sandbox" (boots
// or reuses the QEMU sandbox), or "auto" (local where /dev/v3vee exists,
// otherwise the sandbox). Unknown schemes are an error listing the known ones.
Result<std::unique_ptr<HostConnection>> openHost(const std::string& uri);

} // namespace v3ctl
