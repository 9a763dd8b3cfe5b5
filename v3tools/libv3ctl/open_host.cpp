#include "host_connection.h"
#include "local_host.h"
#include "sandbox_host.h"

#include <cerrno>

namespace v3ctl {

Result<std::unique_ptr<HostConnection>> openHost(const std::string& uri) {
    if (uri == "local")
        return std::unique_ptr<HostConnection>(new LocalHost());
    if (uri == "sandbox")
        return std::unique_ptr<HostConnection>(new SandboxHost());
    if (uri == "auto" || uri.empty()) {
        if (LocalHost::available())
            return std::unique_ptr<HostConnection>(new LocalHost());
        return std::unique_ptr<HostConnection>(new SandboxHost());
    }
    return Error{EINVAL, "unknown host '" + uri + "'; use local, sandbox or auto"};
}

} // namespace v3ctl
