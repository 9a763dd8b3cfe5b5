#include "agent_listener.h"

#include <cerrno>
#include <cstring>
#include <list>
#include <mutex>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <thread>
#include <unistd.h>

namespace v3ctl::agent {

namespace {

Result<UniqueFd> bindSocket(const std::string& path) {
    sockaddr_un address{};
    if (path.empty() || path.size() >= sizeof address.sun_path)
        return Error{ENAMETOOLONG, "the socket path '" + path + "' must be 1 to " +
                                       std::to_string(sizeof address.sun_path - 1) + " characters"};
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, path.data(), path.size());
    auto* raw = reinterpret_cast<sockaddr*>(&address);

    struct stat existing {};
    if (::lstat(path.c_str(), &existing) == 0) {
        if (!S_ISSOCK(existing.st_mode))
            return Error{EEXIST, "'" + path + "' exists and is not a socket; choose another path"};
        UniqueFd probe(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
        if (probe.valid() && ::connect(probe.get(), raw, sizeof address) == 0)
            return Error{EADDRINUSE, "an agent is already listening on " + path};
        ::unlink(path.c_str()); // stale: its agent is gone
    }
    UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd.valid())
        return errnoError(errno, "cannot create a unix socket");
    if (::bind(fd.get(), raw, sizeof address) != 0)
        return errnoError(errno, "cannot bind " + path);
    if (::listen(fd.get(), 16) != 0)
        return errnoError(errno, "cannot listen on " + path);
    return fd;
}

} // namespace

Result<Ok> serveUnixSocket(HostConnection& host, const std::string& path,
                           const SessionOptions& options, const std::atomic<bool>& stop) {
    auto bound = bindSocket(path);
    if (!bound)
        return bound.error();
    UniqueFd listener = std::move(bound.value());

    struct Client {
        UniqueFd fd;
        std::thread thread;
        std::atomic<bool> finished{false};
    };
    std::mutex mutex;
    std::list<Client> clients;
    unsigned serial = 0;

    auto reapFinished = [&] {
        std::lock_guard lock(mutex);
        for (auto it = clients.begin(); it != clients.end();) {
            if (it->finished) {
                it->thread.join();
                it = clients.erase(it);
            } else {
                ++it;
            }
        }
    };

    while (!stop) {
        pollfd p{listener.get(), POLLIN, 0};
        int ready = ::poll(&p, 1, 200);
        reapFinished();
        if (ready <= 0)
            continue;
        int fd = ::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0)
            continue;
        unsigned number = ++serial;
        std::lock_guard lock(mutex);
        Client& client = clients.emplace_back();
        client.fd.reset(fd);
        client.thread = std::thread([&host, &options, &client, number] {
            if (options.log)
                options.log("client " + std::to_string(number) + " connected");
            AgentSession session(host, client.fd.get(), client.fd.get(), options);
            std::string why = session.run();
            if (options.log)
                options.log("client " + std::to_string(number) + ": " + why);
            client.finished = true;
        });
    }
    {
        std::lock_guard lock(mutex);
        for (Client& c : clients)
            ::shutdown(c.fd.get(), SHUT_RDWR); // their sessions see end of input
    }
    for (Client& c : clients)
        c.thread.join();
    ::unlink(path.c_str());
    return Ok{};
}

} // namespace v3ctl::agent
