// v3_cons and v3_cons_sc: a VM's text console (CGA_VIDEO + CURSES_CONSOLE)
// in this terminal, as Palacios' tools of those names.
//  * v3_cons sends the keyboard's own scan codes: on a Linux virtual
//    console the keyboard is put in raw mode (KDSKBMODE K_RAW) and every
//    byte it produces goes to the guest; Esc leaves. Elsewhere (a pty:
//    xterm, ssh, tmux) there are no scan codes, so it says so and
//    translates characters as v3_cons_sc does.
//  * v3_cons_sc translates what the terminal sends (ASCII, control keys,
//    escape sequences for arrows, F-keys, Home/End, ...) into scan codes.
//    A lone Esc leaves; Esc Esc sends Esc to the guest. With stderr
//    redirected (2> debug.log) it writes each translation there.
// Both leave when the VM is freed or stops, and restore the terminal on
// every exit path, including SIGINT, SIGTERM and SIGHUP.
#include "console_view.h"
#include "scan_codes.h"
#include "tool.h"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <linux/kd.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <unistd.h>

namespace v3tools {

namespace {

constexpr int kTickMs = 50;          // a lone Esc is an Esc after this pause
constexpr int kStateCheckTicks = 20; // the VM's state is checked once a second
volatile std::sig_atomic_t g_stop_signal = 0;
volatile std::sig_atomic_t g_resized = 0;

void on_stop_signal(int signal) {
    g_stop_signal = signal;
}
void on_resize(int) {
    g_resized = 1;
}

// Installs the handlers for its lifetime. No SA_RESTART: poll() returns
// EINTR and the loop looks at the flags.
class SignalGuard {
public:
    SignalGuard() {
        struct sigaction stop = {};
        stop.sa_handler = on_stop_signal;
        sigemptyset(&stop.sa_mask);
        for (int i = 0; i < 3; ++i)
            sigaction(kSignals[i], &stop, &saved_[i]);
        struct sigaction winch = {};
        winch.sa_handler = on_resize;
        sigemptyset(&winch.sa_mask);
        sigaction(SIGWINCH, &winch, &savedWinch_);
    }
    ~SignalGuard() {
        for (int i = 0; i < 3; ++i)
            sigaction(kSignals[i], &saved_[i], nullptr);
        sigaction(SIGWINCH, &savedWinch_, nullptr);
    }

private:
    static constexpr int kSignals[3] = {SIGINT, SIGTERM, SIGHUP};
    struct sigaction saved_[3];
    struct sigaction savedWinch_;
};

// The Linux console keyboard in raw (scan code) mode for its lifetime.
class RawKeyboard {
public:
    RawKeyboard() {
        if (ioctl(STDIN_FILENO, KDGKBMODE, &saved_) != 0)
            return; // not a virtual console
        active_ = ioctl(STDIN_FILENO, KDSKBMODE, K_RAW) == 0;
    }
    ~RawKeyboard() {
        if (active_)
            ioctl(STDIN_FILENO, KDSKBMODE, saved_);
    }
    bool active() const { return active_; }

private:
    int saved_ = 0;
    bool active_ = false;
};

int run_console(const Invocation& call, v3ctl::HostConnection& host, bool cooked) {
    auto index = v3ctl::vmIndexFromArgument(call.args[0]);
    if (!index) {
        fail_line(call, index.error().message);
        return kExitUsage;
    }
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        fail_line(call, "needs a terminal on stdin and stdout (it draws the guest's screen)");
        return kExitUsage;
    }
    auto opened = host.openConsole(index.value());
    if (!opened)
        return report(call, opened.error());
    int console = opened.value();
    bool debug = !isatty(STDERR_FILENO);
    std::string ended;
    int status = kExitOk;
    {
        SignalGuard signals;
        RawKeyboard keyboard; // before curses, so curses saves the raw tty
        if (!cooked && !keyboard.active())
            cooked = true; // a pty has no scan codes: translate
        ConsoleView view;
        if (!view.ok()) {
            ::close(console);
            fail_line(call, "cannot draw on this terminal (is TERM set?)");
            return kExitFailed;
        }
        std::string how = cooked ? (call.tool == "v3_cons" ? "no scan codes on this terminal: "
                                                             "translating characters; "
                                                           : "")
                                 : "raw keyboard; ";
        view.setStatus(call.tool + " " + call.args[0] + ": " + how +
                       (cooked ? "Esc leaves, Esc Esc sends Esc" : "Esc leaves"));
        v3ctl::ConsoleScreen screen;
        v3ctl::TerminalKeyDecoder decoder;
        std::vector<uint8_t> pending_keys;
        int ticks = 0;
        bool leave = false;
        while (!leave) {
            if (g_stop_signal) {
                ended = std::string("stopped by signal ") + std::to_string(int(g_stop_signal));
                break;
            }
            if (g_resized) {
                g_resized = 0;
                view.resize();
                view.draw(screen);
            }
            struct pollfd fds[2] = {{console, POLLIN, 0}, {STDIN_FILENO, POLLIN, 0}};
            if (!pending_keys.empty())
                fds[0].events |= POLLOUT;
            int n = ::poll(fds, 2, kTickMs);
            if (n < 0) {
                if (errno == EINTR)
                    continue;
                ended = std::string("poll failed: ") + std::strerror(errno);
                status = kExitFailed;
                break;
            }
            if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
                uint8_t buffer[16384];
                ssize_t got = ::read(console, buffer, sizeof buffer);
                if (got > 0) {
                    auto frames = screen.feed(buffer, size_t(got));
                    if (!frames) {
                        ended = "bad console data: " + frames.error().message;
                        status = kExitFailed;
                        break;
                    }
                    if (frames.value() > 0)
                        view.draw(screen);
                } else if (got == 0 || errno == ENODEV) {
                    ended = got == 0 ? "the VM's console closed" : "the VM was freed";
                    break;
                } else if (errno != EINTR && errno != EAGAIN) {
                    ended = std::string("reading the console: ") + std::strerror(errno);
                    status = kExitFailed;
                    break;
                }
            }
            if (fds[1].revents & (POLLIN | POLLHUP)) {
                char input[256];
                ssize_t got = ::read(STDIN_FILENO, input, sizeof input);
                if (got <= 0) {
                    ended = "end of input";
                    break;
                }
                if (!cooked) {
                    for (ssize_t i = 0; i < got; ++i) {
                        if (uint8_t(input[i]) == v3ctl::kScanEscape) {
                            leave = true;
                            break;
                        }
                        pending_keys.push_back(uint8_t(input[i]));
                    }
                } else {
                    auto codes = decoder.feed(input, size_t(got));
                    pending_keys.insert(pending_keys.end(), codes.begin(), codes.end());
                    if (debug)
                        for (const std::string& line : decoder.log())
                            std::fprintf(stderr, "%s: key %s\n", call.tool.c_str(), line.c_str());
                }
            } else if (n == 0 && cooked && decoder.escapePending()) {
                // A pause after Esc: it was the Esc key, not a sequence.
                if (decoder.flushEscape())
                    leave = true;
            }
            if (!pending_keys.empty() && !leave) {
                ssize_t put = ::write(console, pending_keys.data(), pending_keys.size());
                if (put > 0)
                    pending_keys.erase(pending_keys.begin(), pending_keys.begin() + put);
                else if (put < 0 && errno != EAGAIN && errno != EINTR) {
                    ended = std::string("sending keys: ") + std::strerror(errno);
                    break;
                }
            }
            if (n == 0 && ++ticks >= kStateCheckTicks) {
                ticks = 0;
                auto info = host.vmInfo(index.value());
                if (!info) {
                    ended = info.error().message;
                    break;
                }
                v3ctl::VmState state = info.value().state;
                if (state == v3ctl::VmState::Stopped || state == v3ctl::VmState::Error) {
                    ended = std::string("VM ") + v3ctl::stateName(state) +
                            (info.value().reason.empty() ? "" : ": " + info.value().reason);
                    break;
                }
            }
        }
    } // the terminal, keyboard mode and signal handlers are restored here
    ::close(console);
    if (!ended.empty())
        std::fprintf(stderr, "[%s]\n", ended.c_str());
    return status;
}

} // namespace

int run_cons(const Invocation& call, v3ctl::HostConnection& host) {
    return run_console(call, host, false);
}

int run_cons_sc(const Invocation& call, v3ctl::HostConnection& host) {
    return run_console(call, host, true);
}

} // namespace v3tools
