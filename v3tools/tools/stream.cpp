// v3_stream (interactive) and v3_monitor (output only): copy a VM stream to
// this terminal. Raw mode when stdin is a terminal; Ctrl-] detaches. Both
// end when the VM stops or fails, after printing what it had left.
#include "tool.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <poll.h>
#include <termios.h>
#include <unistd.h>

namespace v3tools {

namespace {

constexpr char kDetach = 0x1d; // Ctrl-]
constexpr int kStatePollMs = 250;

// Puts the terminal in raw mode for its lifetime.
class RawTerminal {
public:
    RawTerminal() {
        if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved_) != 0)
            return;
        termios raw = saved_;
        cfmakeraw(&raw);
        active_ = tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
    }
    ~RawTerminal() {
        if (active_)
            tcsetattr(STDIN_FILENO, TCSANOW, &saved_);
    }
    bool active() const { return active_; }

private:
    termios saved_{};
    bool active_ = false;
};

bool write_all(int fd, const char* data, size_t size) {
    while (size) {
        ssize_t n = ::write(fd, data, size);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        data += n;
        size -= size_t(n);
    }
    return true;
}

// Drains what the stream has now (non-blocking). False on a read error.
bool drain(int stream) {
    char buffer[4096];
    for (;;) {
        struct pollfd p = {stream, POLLIN, 0};
        if (::poll(&p, 1, 0) <= 0 || !(p.revents & POLLIN))
            return true;
        ssize_t n = ::read(stream, buffer, sizeof buffer);
        if (n <= 0)
            return n == 0 || errno == EAGAIN;
        write_all(STDOUT_FILENO, buffer, size_t(n));
    }
}

int attach(const Invocation& call, v3ctl::HostConnection& host, bool interactive) {
    auto index = v3ctl::vmIndexFromArgument(call.args[0]);
    if (!index) {
        fail_line(call, index.error().message);
        return kExitUsage;
    }
    auto opened = host.openStream(index.value(), call.args[1]);
    if (!opened)
        return report(call, opened.error());
    int stream = opened.value();
    RawTerminal terminal;
    if (interactive && terminal.active())
        std::fprintf(stderr, "[attached to %s of %s; Ctrl-] detaches]\r\n", call.args[1].c_str(),
                     call.args[0].c_str());
    bool input_open = interactive;
    std::string ended;
    for (;;) {
        struct pollfd fds[2] = {{stream, POLLIN, 0}, {STDIN_FILENO, POLLIN, 0}};
        int n = ::poll(fds, input_open ? 2 : 1, kStatePollMs);
        if (n < 0 && errno != EINTR)
            break;
        if (n > 0 && (fds[0].revents & POLLIN)) {
            char buffer[4096];
            ssize_t got = ::read(stream, buffer, sizeof buffer);
            if (got > 0)
                write_all(STDOUT_FILENO, buffer, size_t(got));
        }
        if (n > 0 && input_open && (fds[1].revents & (POLLIN | POLLHUP))) {
            char buffer[256];
            ssize_t got = ::read(STDIN_FILENO, buffer, sizeof buffer);
            if (got <= 0) {
                input_open = false; // end of input: keep showing output
            } else {
                char* detach = static_cast<char*>(std::memchr(buffer, kDetach, size_t(got)));
                size_t forward = detach ? size_t(detach - buffer) : size_t(got);
                if (forward)
                    write_all(stream, buffer, forward);
                if (detach)
                    break;
            }
        }
        if (n == 0 || (fds[0].revents & POLLHUP)) {
            auto info = host.vmInfo(index.value());
            if (!info) {
                ended = info.error().message;
                break;
            }
            v3ctl::VmState state = info.value().state;
            if (state == v3ctl::VmState::Stopped || state == v3ctl::VmState::Error) {
                drain(stream);
                ended = std::string("VM ") + v3ctl::stateName(state) +
                        (info.value().reason.empty() ? "" : ": " + info.value().reason);
                break;
            }
        }
    }
    ::close(stream);
    if (!ended.empty())
        std::fprintf(stderr, "%s[%s]\n", terminal.active() ? "\r\n" : "", ended.c_str());
    return kExitOk;
}

} // namespace

int run_stream(const Invocation& call, v3ctl::HostConnection& host) {
    return attach(call, host, true);
}

int run_monitor(const Invocation& call, v3ctl::HostConnection& host) {
    return attach(call, host, false);
}

} // namespace v3tools
