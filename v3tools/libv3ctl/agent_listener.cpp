#include "agent_listener.h"

#include "agent_messages.h"
#include "agent_protocol.h"

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

bool fitsSunPath(const std::string& path) {
    return !path.empty() && path.size() < sizeof(sockaddr_un{}.sun_path);
}

sockaddr_un unixAddress(const std::string& path) {
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, path.data(), path.size());
    return address;
}

// The name the socket is bound and made listening under before it is
// renamed to its real path: beside it (rename() cannot cross file systems),
// hidden, and unique to this process. Empty when no such name fits.
std::string stagingName(const std::string& path) {
    size_t slash = path.rfind('/');
    std::string dir = slash == std::string::npos ? std::string() : path.substr(0, slash + 1);
    std::string pid = std::to_string(::getpid());
    std::string base = path.substr(dir.size());
    for (const std::string& candidate : {dir + "." + base + "." + pid, dir + "." + pid}) {
        if (fitsSunPath(candidate))
            return candidate;
    }
    return {};
}

Result<UniqueFd> bindSocket(const std::string& path, const AccessPolicy& policy) {
    if (!fitsSunPath(path))
        return Error{ENAMETOOLONG, "the socket path '" + path + "' must be 1 to " +
                                       std::to_string(sizeof(sockaddr_un{}.sun_path) - 1) +
                                       " characters"};
    struct stat existing {};
    if (::lstat(path.c_str(), &existing) == 0) {
        if (!S_ISSOCK(existing.st_mode))
            return Error{EEXIST, "'" + path + "' exists and is not a socket; choose another path"};
        sockaddr_un address = unixAddress(path);
        UniqueFd probe(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
        if (probe.valid() &&
            ::connect(probe.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) == 0)
            return Error{EADDRINUSE, "an agent is already listening on " + path};
        ::unlink(path.c_str()); // stale: its agent is gone
    }
    // Clients (and the tests, and the window starting a relay) wait for the
    // path to exist and then connect. Between bind() and listen() a connect
    // is refused, so the socket is bound, restricted and listening under a
    // staging name first and renamed into place: once the path exists it
    // accepts connections. Only a path too long for any staging name binds
    // in place.
    const std::string staging = stagingName(path);
    const std::string& bindPath = staging.empty() ? path : staging;
    if (!staging.empty())
        ::unlink(staging.c_str()); // left by a killed agent that had our pid
    UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd.valid())
        return errnoError(errno, "cannot create a unix socket");
    // bind() creates the file with the umask applied: under umask 0177 it
    // is 0600 from its first moment, so no window exists in which a
    // permissive inherited umask (000 gives srwxrwxrwx) lets others in. The
    // umask is per process; the listener binds before any session thread.
    sockaddr_un address = unixAddress(bindPath);
    mode_t saved = ::umask(0177);
    int bound = ::bind(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address);
    int bindErrno = errno;
    ::umask(saved);
    if (bound != 0)
        return errnoError(bindErrno, "cannot bind " + path);
    auto restricted = restrictSocketFile(bindPath, policy);
    if (!restricted) {
        ::unlink(bindPath.c_str());
        return restricted.error();
    }
    if (::listen(fd.get(), 16) != 0) {
        int listenErrno = errno;
        ::unlink(bindPath.c_str());
        return errnoError(listenErrno, "cannot listen on " + path);
    }
    if (!staging.empty() && ::rename(staging.c_str(), path.c_str()) != 0) {
        int renameErrno = errno;
        ::unlink(staging.c_str());
        return errnoError(renameErrno, "cannot move the socket into place at " + path);
    }
    return fd;
}

// A refused client still deserves to know why: its HELLO (within two
// seconds) gets an EACCES error with the reason, then the connection ends.
// Nothing else it sends is looked at.
void refuseClient(int fd, const std::string& why) {
    FrameReader reader;
    uint32_t helloId = 0;
    char buffer[4096];
    size_t consumed = 0;
    for (int waited = 0; waited < 2000 && helloId == 0 && consumed < 65536; waited += 100) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 100) <= 0)
            continue;
        ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n <= 0)
            break;
        consumed += size_t(n);
        reader.feed(buffer, size_t(n));
        for (auto event = reader.next(); event.kind != FrameReader::Kind::NeedMore;
             event = reader.next())
            if (event.kind == FrameReader::Kind::Frame && event.frame.type == FrameType::Hello &&
                event.frame.requestId != 0)
                helloId = event.frame.requestId;
    }
    std::string answer =
        encodeFrame(FrameType::Error, 0, 0, helloId,
                    encodeError(Error{EACCES, "v3agent refused the connection: " + why}));
    (void)writeAll(fd, answer.data(), answer.size());
    ::shutdown(fd, SHUT_RDWR);
}

} // namespace

Result<Ok> serveUnixSocket(HostConnection& host, const std::string& path,
                           const SessionOptions& options, const std::atomic<bool>& stop) {
    return serveUnixSocket(host, path, options, stop, agentPolicy());
}

Result<Ok> serveUnixSocket(HostConnection& host, const std::string& path,
                           const SessionOptions& options, const std::atomic<bool>& stop,
                           const AccessPolicy& policy) {
    UniqueFd listener = TRY(bindSocket(path, policy));

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
        client.thread = std::thread([&host, &options, &client, &policy, number] {
            // Checked per connection: the file's mode alone is no defence,
            // anyone may chmod a socket they own or that root widened.
            auto peer = peerCredentials(client.fd.get());
            std::string refused = peer ? refusalReason(policy, peer.value()) : peer.error().message;
            if (!refused.empty()) {
                if (options.log)
                    options.log("client " + std::to_string(number) + " refused: " + refused);
                refuseClient(client.fd.get(), refused);
                client.finished = true;
                return;
            }
            if (options.log)
                options.log("client " + std::to_string(number) + " connected (uid " +
                            std::to_string(peer.value().uid) + ")");
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
