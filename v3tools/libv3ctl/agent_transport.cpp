#include "agent_transport.h"
#include "process.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace v3ctl {

Result<AgentHost::Transport> connectUnixSocket(const std::string& path) {
    sockaddr_un address{};
    if (path.empty() || path.size() >= sizeof address.sun_path)
        return Error{ENAMETOOLONG, "the socket path '" + path + "' must be 1 to " +
                                       std::to_string(sizeof address.sun_path - 1) + " characters"};
    UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd.valid())
        return errnoError(errno, "cannot create a unix socket");
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, path.data(), path.size());
    int rc;
    do {
        rc = ::connect(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address);
    } while (rc != 0 && errno == EINTR);
    if (rc != 0) {
        int e = errno;
        return errnoError(
            e, "cannot connect to the agent socket " + path,
            e == ENOENT || e == ECONNREFUSED ? "is the agent (or the sandbox) running?" : "");
    }
    AgentHost::Transport transport;
    transport.readFd = std::move(fd);
    transport.uri = "unix:" + path;
    transport.displayName = "agent at " + path;
    return transport;
}

Result<AgentHost::Transport> spawnAgentProcess(const std::vector<std::string>& argv) {
    if (argv.empty())
        return Error{EINVAL, "no command to reach the agent"};
    SpawnedProcess spawned =
        TRY(spawnProcess(argv, ChildStdio::Pipe, ChildStdio::Pipe, ChildStdio::Inherit));
    AgentHost::Transport transport;
    transport.readFd = std::move(spawned.stdoutRead);
    transport.writeFd = std::move(spawned.stdinWrite);
    transport.child = spawned.pid;
    return transport;
}

Result<SshTarget> parseSshUri(const std::string& uri) {
    const std::string scheme = "ssh://";
    if (uri.rfind(scheme, 0) != 0)
        return Error{EINVAL, "'" + uri + "' is not an ssh://[user@]host URI"};
    std::string rest = uri.substr(scheme.size());
    SshTarget target;
    target.agentPath = "v3agent";
    if (auto slash = rest.find('/'); slash != std::string::npos) {
        if (slash + 1 < rest.size())
            target.agentPath = rest.substr(slash);
        rest = rest.substr(0, slash);
    }
    auto at = rest.rfind('@');
    std::string hostPort = at == std::string::npos ? rest : rest.substr(at + 1);
    if (auto colon = hostPort.find(':'); colon != std::string::npos) {
        target.port = hostPort.substr(colon + 1);
        hostPort = hostPort.substr(0, colon);
        if (target.port.empty() || target.port.find_first_not_of("0123456789") != std::string::npos)
            return Error{EINVAL, "'" + uri + "' has a bad port; use ssh://[user@]host[:port]"};
    }
    if (hostPort.empty() || (at != std::string::npos && at == 0))
        return Error{EINVAL, "'" + uri + "' names no host; use ssh://[user@]host"};
    // Options smuggled in as a host name must not reach ssh's command line.
    if (rest[0] == '-' || hostPort[0] == '-')
        return Error{EINVAL, "'" + uri + "' is not a host name"};
    target.destination = (at == std::string::npos ? "" : rest.substr(0, at + 1)) + hostPort;
    return target;
}

std::vector<std::string> sshCommand(const SshTarget& target) {
    const char* ssh = std::getenv("PALACIOS_SSH");
    std::vector<std::string> argv{ssh && *ssh ? ssh : "ssh", "-T", "-e", "none"};
    if (!target.port.empty()) {
        argv.push_back("-p");
        argv.push_back(target.port);
    }
    argv.push_back("--");
    argv.push_back(target.destination);
    argv.push_back(target.agentPath + " --stdio");
    return argv;
}

} // namespace v3ctl
