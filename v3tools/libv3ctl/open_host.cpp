#include "agent_host.h"
#include "agent_transport.h"
#include "host_connection.h"
#include "local_host.h"
#include "sandbox_host.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace v3ctl {

namespace {

Result<std::unique_ptr<HostConnection>> openAgent(Result<AgentHost::Transport> transport,
                                                  int timeoutMs) {
    auto agent = TRY(AgentHost::connect(TRY(std::move(transport)), timeoutMs));
    return std::unique_ptr<HostConnection>(std::move(agent));
}

// auto: this machine's module when this user can open /dev/v3vee. A node
// that exists but refuses us (mode 0660, group v3vee, and we are not in it)
// means the sandbox, said once on stderr with how to get access; silently
// picking local would fail every call, silently picking the sandbox would
// hide the machine's own module.
bool localUsable(const char* controlDevice) {
    if (::access(controlDevice, F_OK) != 0)
        return false;
    int fd = ::open(controlDevice, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        ::close(fd);
        return true;
    }
    int e = errno;
    std::fprintf(stderr,
                 "%s: %s exists but cannot be opened (%s); using the sandbox instead. To use "
                 "this machine's module, join its group: sudo usermod -aG v3vee $USER, then "
                 "log in again\n",
                 program_invocation_short_name, controlDevice, std::strerror(e));
    return false;
}

} // namespace

Result<std::unique_ptr<HostConnection>> openHost(const std::string& uri) {
    if (uri == "local")
        return std::unique_ptr<HostConnection>(new LocalHost());
    if (uri == "sandbox")
        return std::unique_ptr<HostConnection>(new SandboxHost());
    if (uri == "auto" || uri.empty()) {
        if (localUsable("/dev/v3vee"))
            return std::unique_ptr<HostConnection>(new LocalHost());
        return std::unique_ptr<HostConnection>(new SandboxHost());
    }
    if (uri.rfind("unix:", 0) == 0)
        return openAgent(connectUnixSocket(uri.substr(5)), 15000);
    if (uri.rfind("ssh://", 0) == 0) {
        SshTarget target = TRY(parseSshUri(uri));
        auto transport = spawnAgentProcess(sshCommand(target));
        if (transport) {
            transport.value().uri = uri;
            transport.value().displayName = target.destination + " (ssh)";
        }
        // ssh may ask for a password or a host key on the terminal first.
        return openAgent(std::move(transport), 120000);
    }
    return Error{EINVAL, "unknown host '" + uri +
                             "'; use local, sandbox or auto, or an agent: unix:PATH or "
                             "ssh://[user@]host"};
}

} // namespace v3ctl
