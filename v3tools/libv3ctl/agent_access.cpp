#include "agent_access.h"

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

namespace v3ctl::agent {

std::optional<gid_t> findGroup(const std::string& name, const std::string& groupFile) {
    std::ifstream file(groupFile);
    std::string line;
    // name:password:gid:members
    while (std::getline(file, line)) {
        size_t first = line.find(':');
        if (first == std::string::npos || line.compare(0, first, name) != 0 || first != name.size())
            continue;
        size_t second = line.find(':', first + 1);
        if (second == std::string::npos)
            continue;
        size_t third = line.find(':', second + 1);
        std::string number = line.substr(
            second + 1, third == std::string::npos ? std::string::npos : third - second - 1);
        if (number.empty() || number.find_first_not_of("0123456789") != std::string::npos ||
            number.size() > 10)
            continue;
        unsigned long gid = std::stoul(number);
        if (gid > 0xfffffffeul)
            continue;
        return gid_t(gid);
    }
    return std::nullopt;
}

AccessPolicy agentPolicy(const std::string& groupFile) {
    AccessPolicy policy;
    policy.owner = ::geteuid();
    policy.group = findGroup(kAgentGroup, groupFile);
    return policy;
}

Result<PeerCredentials> peerCredentials(int fd) {
    PeerCredentials peer;
    ucred cred{};
    socklen_t length = sizeof cred;
    if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &length) != 0)
        return errnoError(errno, "cannot read the peer's credentials (SO_PEERCRED)");
    peer.pid = cred.pid;
    peer.uid = cred.uid;
    peer.gid = cred.gid;
    // The supplementary groups as they were when the peer connected.
    std::vector<gid_t> groups(64);
    for (;;) {
        length = socklen_t(groups.size() * sizeof(gid_t));
        if (::getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups.data(), &length) == 0) {
            groups.resize(length / sizeof(gid_t));
            break;
        }
        if (errno != ERANGE || groups.size() >= 65536)
            return errnoError(errno, "cannot read the peer's groups (SO_PEERGROUPS)");
        groups.resize(std::max<size_t>(length / sizeof(gid_t), groups.size() * 2));
    }
    peer.groups = std::move(groups);
    return peer;
}

std::string refusalReason(const AccessPolicy& policy, const PeerCredentials& peer) {
    if (peer.uid == 0 || peer.uid == policy.owner)
        return {};
    if (policy.group &&
        (peer.gid == *policy.group ||
         std::find(peer.groups.begin(), peer.groups.end(), *policy.group) != peer.groups.end()))
        return {};
    std::string who = "uid " + std::to_string(peer.uid) + " (pid " + std::to_string(peer.pid) + ")";
    std::string allowed = "only root, the agent's owner (uid " + std::to_string(policy.owner) + ")";
    if (policy.group)
        return who + " may not use this agent: " + allowed + " and members of group " +
               kAgentGroup + " (gid " + std::to_string(*policy.group) + ") may";
    return who + " may not use this agent: " + allowed + " may (create group " + kAgentGroup +
           " to admit others)";
}

Result<Ok> restrictSocketFile(const std::string& path, const AccessPolicy& policy) {
    mode_t mode = 0600;
    if (policy.group) {
        if (::chown(path.c_str(), uid_t(-1), *policy.group) != 0)
            return errnoError(errno, "cannot give " + path + " the group " + kAgentGroup);
        mode = 0660;
    }
    if (::chmod(path.c_str(), mode) != 0)
        return errnoError(errno, "cannot set the mode of " + path);
    return Ok{};
}

} // namespace v3ctl::agent
