// v3agent: serves a host's v3vee module to v3 tools elsewhere, over
// stdin/stdout (ssh HOST v3agent --stdio; a serial line), a virtio-serial
// port (the sandbox's agent channel) or a unix socket (several clients at
// once). See libv3ctl/agent_protocol.h.
#include "agent_listener.h"
#include "agent_server.h"
#include "tool.h"

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <poll.h>
#include <termios.h>
#include <unistd.h>

namespace v3tools {

namespace {

// How long a half-received frame may sit on a serial line before the agent
// decides its sender went away (a new client follows with HELLO).
constexpr int kSerialResyncMs = 500;

std::atomic<bool> gStop{false};

void requestStop(int) {
    gStop = true;
}

void logLine(const std::string& message) {
    std::fprintf(stderr, "v3agent: %s\n", message.c_str());
}

std::string hostName() {
    char name[256] = {};
    if (::gethostname(name, sizeof name - 1) != 0)
        return "unknown host";
    return name;
}

// A serial line must pass every byte untouched: no echo, no line editing,
// no CR/LF translation, no flow-control or signal characters.
void makeRaw(int fd) {
    termios mode{};
    if (tcgetattr(fd, &mode) != 0)
        return;
    cfmakeraw(&mode);
    mode.c_cflag |= CLOCAL | CREAD;
    mode.c_cc[VMIN] = 1;
    mode.c_cc[VTIME] = 0;
    cfsetispeed(&mode, B115200);
    cfsetospeed(&mode, B115200);
    tcsetattr(fd, TCSANOW, &mode);
}

// A virtio-serial port: the host side connects and disconnects (each tool
// run is one connection). While nobody is connected, poll() reports POLLHUP
// and read() returns 0, so the agent cannot simply block; the driver sends
// SIGIO when the host connects, which ends the wait at once (a 1 s timeout
// covers a missed signal). One session serves every connection in turn:
// clients start theirs with HELLO and end it with BYE. Ending a session at
// a hang-up would be wrong, because the guest learns of hang-ups and
// reconnections on the port's control queue, after the data: a hang-up
// noticed late falls inside the next client's session, and what it had sent
// by then would be lost.
int servePort(const Invocation& call, v3ctl::HostConnection& host,
              v3ctl::agent::SessionOptions options) {
    const std::string& path = call.args[1];
    v3ctl::UniqueFd port(::open(path.c_str(), O_RDWR | O_CLOEXEC));
    if (!port.valid())
        return report(call, v3ctl::errnoError(errno, "cannot open the agent port " + path));
    sigset_t io;
    sigemptyset(&io);
    sigaddset(&io, SIGIO);
    sigprocmask(SIG_BLOCK, &io, nullptr);
    ::fcntl(port.get(), F_SETOWN, ::getpid());
    ::fcntl(port.get(), F_SETFL, ::fcntl(port.get(), F_GETFL) | O_ASYNC);
    const int fd = port.get();
    options.awaitPeer = [fd, io]() {
        for (;;) {
            pollfd p{fd, POLLIN, 0};
            if (::poll(&p, 1, 0) < 0 && errno != EINTR)
                return false;
            if (!(p.revents & POLLHUP) || (p.revents & POLLIN))
                return true;
            const timespec second{1, 0};
            sigtimedwait(&io, nullptr, &second);
        }
    };
    logLine("serving on " + path);
    for (;;) {
        v3ctl::agent::AgentSession session(host, fd, fd, options);
        logLine(session.run());
    }
}

} // namespace

int run_agent(const Invocation& call, v3ctl::HostConnection& host) {
    const bool stdio = call.args.size() == 1 && call.args[0] == "--stdio";
    const bool listen = call.args.size() == 2 && call.args[0] == "--listen";
    const bool port = call.args.size() == 2 && call.args[0] == "--port";
    if (!stdio && !listen && !port) {
        fail_line(call, "expected --stdio, --port PATH or --listen PATH");
        return kExitUsage;
    }
    std::signal(SIGPIPE, SIG_IGN);
    v3ctl::agent::SessionOptions options;
    options.description = "v3agent on " + hostName() + " (" + host.displayName() + ")";
    options.log = logLine;

    if (stdio) {
        if (::isatty(STDIN_FILENO)) {
            makeRaw(STDIN_FILENO);
            options.idleResyncMs = kSerialResyncMs;
        }
        v3ctl::agent::AgentSession session(host, STDIN_FILENO, STDOUT_FILENO, options);
        std::string why = session.run();
        logLine(why);
        return kExitOk;
    }

    if (port)
        return servePort(call, host, options);

    struct sigaction action {};
    action.sa_handler = requestStop;
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
    logLine("listening on " + call.args[1]);
    auto served = v3ctl::agent::serveUnixSocket(host, call.args[1], options, gStop);
    if (!served)
        return report(call, served.error());
    return kExitOk;
}

} // namespace v3tools
