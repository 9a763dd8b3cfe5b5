#include "agent_host.h"
#include "agent_transport.h"
#include "host_connection.h"
#include "local_host.h"
#include "sandbox_host.h"

#include <cerrno>

namespace v3ctl {

namespace {

Result<std::unique_ptr<HostConnection>> openAgent(Result<AgentHost::Transport> transport,
                                                  int timeoutMs) {
    if (!transport)
        return transport.error();
    auto agent = AgentHost::connect(std::move(transport.value()), timeoutMs);
    if (!agent)
        return agent.error();
    return std::unique_ptr<HostConnection>(std::move(agent.value()));
}

} // namespace

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
    if (uri.rfind("unix:", 0) == 0)
        return openAgent(connectUnixSocket(uri.substr(5)), 15000);
    if (uri.rfind("ssh://", 0) == 0) {
        auto target = parseSshUri(uri);
        if (!target)
            return target.error();
        auto transport = spawnAgentProcess(sshCommand(target.value()));
        if (transport) {
            transport.value().uri = uri;
            transport.value().displayName = target.value().destination + " (ssh)";
        }
        // ssh may ask for a password or a host key on the terminal first.
        return openAgent(std::move(transport), 120000);
    }
    return Error{EINVAL, "unknown host '" + uri +
                             "'; use local, sandbox or auto, or an agent: unix:PATH or "
                             "ssh://[user@]host"};
}

} // namespace v3ctl
