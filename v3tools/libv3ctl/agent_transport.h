// Ways to reach a v3agent: a unix socket (the sandbox's agent.sock, or
// `v3agent --listen PATH`), or a process whose stdin/stdout speak the
// protocol (`ssh [user@]host v3agent --stdio`).
#pragma once

#include "agent_host.h"

#include <string>
#include <vector>

namespace v3ctl {

Result<AgentHost::Transport> connectUnixSocket(const std::string& path);

// Runs argv (looked up on PATH) with pipes on its stdin and stdout; its
// stderr stays ours, so ssh can still say what went wrong (or ask for a
// password on the terminal).
Result<AgentHost::Transport> spawnAgentProcess(const std::vector<std::string>& argv);

struct SshTarget {
    std::string destination; // "[user@]host"
    std::string port;        // empty: ssh's default
    std::string agentPath;   // the remote command, "v3agent" unless the URI names a path
};
// "ssh://[user@]host[:port][/path/to/v3agent]"
Result<SshTarget> parseSshUri(const std::string& uri);
// The command line that reaches the target: $PALACIOS_SSH (default "ssh")
// with -T, -p PORT when given, the destination, and "AGENT --stdio".
std::vector<std::string> sshCommand(const SshTarget& target);

} // namespace v3ctl
