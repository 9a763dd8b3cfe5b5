// Who may talk to a `v3agent --listen` socket. The agent drives the module
// with its own rights (root, normally) for whoever connects, so the socket
// is the security boundary: its file is 0600 (0660 with the group v3vee when
// that group exists) whatever the umask, and every connection's peer
// credentials (SO_PEERCRED, SO_PEERGROUPS) are checked, so a socket whose
// mode was widened later still refuses strangers.
//
// Over ssh (`ssh host v3agent --stdio`) none of this applies: ssh has
// authenticated the user, and the agent runs with that user's rights.
#pragma once

#include "result.h"

#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace v3ctl::agent {

inline constexpr const char kAgentGroup[] = "v3vee";
inline constexpr const char kSystemGroupFile[] = "/etc/group";

// Who may connect: the socket's owner, root, and members of the group.
struct AccessPolicy {
    uid_t owner = 0;
    std::optional<gid_t> group;
};

// The gid of group `name` in a group(5) file, read directly: getgrnam() in
// the static v3agent crashes (glibc's NSS wants shared libraries).
std::optional<gid_t> findGroup(const std::string& name, const std::string& groupFile);

// The agent's own policy: its effective uid, and kAgentGroup from groupFile.
AccessPolicy agentPolicy(const std::string& groupFile = kSystemGroupFile);

struct PeerCredentials {
    pid_t pid = 0;
    uid_t uid = 0;
    gid_t gid = 0;
    std::vector<gid_t> groups; // supplementary groups
};

// The credentials of the process at the other end of a connected unix socket.
Result<PeerCredentials> peerCredentials(int fd);

// Empty when `peer` may use the agent, else one sentence saying why not.
std::string refusalReason(const AccessPolicy& policy, const PeerCredentials& peer);

// Gives the bound socket file its final owner group and mode (0600, or 0660
// with the policy's group).
Result<Ok> restrictSocketFile(const std::string& path, const AccessPolicy& policy);

} // namespace v3ctl::agent
