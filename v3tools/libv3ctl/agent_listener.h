// v3agent --listen: serves a HostConnection on a unix socket to any number
// of clients at once, one AgentSession (and thread) per client. A client
// that disconnects or sends garbage affects only its own session.
#pragma once

#include "agent_access.h"
#include "agent_server.h"

#include <atomic>
#include <string>

namespace v3ctl::agent {

// Binds PATH (replacing a stale socket file nobody listens on, refusing if
// an agent already listens there), then serves until `stop` becomes true;
// open sessions are shut down before it returns. The host must be safe to
// call from several threads (LocalHost is: it keeps no state between calls).
// The socket file is created 0600 whatever the umask, then given the
// policy's group (0660); a client the policy refuses (agent_access.h) gets
// an EACCES error answer to its HELLO and is disconnected.
Result<Ok> serveUnixSocket(HostConnection& host, const std::string& path,
                           const SessionOptions& options, const std::atomic<bool>& stop,
                           const AccessPolicy& policy);
// The same with the agent's own policy (agentPolicy()).
Result<Ok> serveUnixSocket(HostConnection& host, const std::string& path,
                           const SessionOptions& options, const std::atomic<bool>& stop);

} // namespace v3ctl::agent
