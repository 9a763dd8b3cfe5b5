// Dispatches on the program name (argv[0]) to one of the v3 tools; also
// callable as `v3tools COMMAND ARGS...`.
#include "tool.h"

#include <install_paths.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iterator>

namespace v3tools {

namespace {

// The commands that are not a single row of the operation table; the rest
// come from the table (tableCommands()).
const Command kOwnCommands[] = {
    {"v3_mem", "MB | --release [MB]",
     "Reserve MB megabytes of host memory for guest RAM, or with --release give\n"
     "  reserved memory no VM uses back to the host (MB of it, or all).\n"
     "  v3vee keeps a floor of host memory free (module parameter min_host_free_mb).",
     1, 2, run_mem, true},
    {"v3_create", "IMAGE NAME",
     "Create a VM named NAME from IMAGE (made by build_vm); prints its device file.", 2, 2,
     run_create},
    {"v3_info", "[VM]",
     "Without VM: the host's module (version, SVM, CPUs, guest memory).\n"
     "With VM: its state, reason, memory, cores and exit counters.",
     0, 1, run_info},
    {"v3_stream", "VM STREAM",
     "Attach this terminal to a VM's stream (e.g. com1): raw mode, Ctrl-] detaches.", 2, 2,
     run_stream},
    {"v3_cons", "VM",
     "Show a VM's text console (CGA_VIDEO) in this terminal and send the keyboard's\n"
     "  scan codes to it: on a Linux virtual console the keyboard is switched to raw\n"
     "  mode; on other terminals (no scan codes) characters are translated as by\n"
     "  v3_cons_sc. Esc leaves.",
     1, 1, run_cons},
    {"v3_cons_sc", "VM",
     "Show a VM's text console (CGA_VIDEO) in this terminal, translating what the\n"
     "  terminal sends (characters, arrows, F-keys, Ctrl and Alt combinations) into\n"
     "  scan codes. Esc leaves; Esc Esc sends Esc to the guest. With stderr\n"
     "  redirected (2> debug.log) each key's translation is written there.",
     1, 1, run_cons_sc},
    {"v3_save", "VM STORE URL",
     "Save a paused VM (or a created one not yet launched) to a checkpoint: STORE is\n"
     "  'file' and URL a path on this machine (written as URL.partial, renamed once\n"
     "  complete). The checkpoint holds the cores, devices, guest time and RAM, and\n"
     "  names the image the VM was built from.",
     3, 3, run_save},
    {"v3_load", "VM STORE URL",
     "Load a checkpoint (v3_save) into a VM created from the same image and not yet\n"
     "  launched (or paused); then v3_launch (or v3_continue) it and the guest goes on\n"
     "  where it was saved. A checkpoint of another image, a truncated or corrupt\n"
     "  one is refused with the reason, and the VM is left as it was.",
     3, 3, run_load},
    {"v3_monitor", "VM STREAM", "Print a VM's stream output until the VM ends (Ctrl-C stops).", 2,
     2, run_monitor},
    {"v3agent", "--stdio | --port PATH | --listen PATH",
     "Serve this machine's v3vee module to v3 tools elsewhere (--host unix:PATH or ssh://HOST):\n"
     "  --stdio        on stdin/stdout (ssh HOST v3agent --stdio, or a serial line)\n"
     "  --port PATH    on a virtio-serial port, one host-side client at a time\n"
     "  --listen PATH  on a unix socket, several clients at once; the socket is 0600\n"
     "                 (0660 with group v3vee if it exists) and only root, the agent's\n"
     "                 owner and that group's members are served\n"
     "The agent acts with its own rights: over ssh, those of the remote user.",
     1, 2, run_agent, true, "local"},
};

void usage(const Command& c, FILE* to) {
    // GNU layout ("Usage:", description, indented options), which help2man
    // turns into the man page's SYNOPSIS, DESCRIPTION and OPTIONS.
    std::fprintf(to,
                 "Usage: %s [--host URI] [--json] %s\n%s\n\n"
                 "Options:\n"
                 "  --host URI   local (this machine's /dev/v3vee), sandbox, auto (default),\n"
                 "               unix:PATH or ssh://[user@]host (a v3agent there)\n"
                 "  --json       machine-readable output (v3_info)\n"
                 "  --help       show this help\n"
                 "  --version    show the release\n",
                 c.name, c.synopsis, c.description);
}

const std::vector<Command>& commands() {
    static const std::vector<Command> all = [] {
        std::vector<Command> list(std::begin(kOwnCommands), std::end(kOwnCommands));
        for (const Command& c : tableCommands())
            list.push_back(c);
        return list;
    }();
    return all;
}

const Command* find(const std::string& name) {
    for (const Command& c : commands())
        if (name == c.name)
            return &c;
    return nullptr;
}

} // namespace

void fail_line(const Invocation& call, const std::string& message) {
    std::fprintf(stderr, "%s: %s\n", call.tool.c_str(), message.c_str());
}

int report(const Invocation& call, const v3ctl::Error& error) {
    fail_line(call, error.message);
    return kExitFailed;
}

} // namespace v3tools

using namespace v3tools;

int main(int argc, char** argv) {
    std::string name = argv[0];
    if (auto slash = name.rfind('/'); slash != std::string::npos)
        name = name.substr(slash + 1);
    int first = 1;
    if (!find(name) && argc > 1) { // `v3tools v3_create ...`
        name = argv[1];
        first = 2;
    }
    const Command* command = find(name);
    if (!command) {
        std::fprintf(stderr, "v3tools: unknown tool '%s'; the tools are:", name.c_str());
        for (const Command& c : commands())
            std::fprintf(stderr, " %s", c.name);
        std::fprintf(stderr, "\n");
        return kExitUsage;
    }

    Invocation call;
    call.tool = command->name;
    call.host = command->defaultHost;
    for (int i = first; i < argc; ++i) {
        std::string arg = argv[i];
        if (arg == "--help" || arg == "-h") {
            usage(*command, stdout);
            return kExitOk;
        } else if (arg == "--version") {
            std::fputs(v3ctl::versionText(command->name).c_str(), stdout);
            return kExitOk;
        } else if (arg == "--json") {
            call.json = true;
        } else if (arg == "--kv") {
            call.kv = true;
        } else if (arg == "--host" && i + 1 < argc) {
            call.host = argv[++i];
        } else if (arg.rfind("--host=", 0) == 0) {
            call.host = arg.substr(7);
        } else if (arg.size() > 1 && arg[0] == '-' && arg[1] == '-' && !command->ownOptions) {
            fail_line(call, "unknown option '" + arg + "'");
            usage(*command, stderr);
            return kExitUsage;
        } else {
            call.args.push_back(arg);
        }
    }
    if (call.args.size() < command->min_args || call.args.size() > command->max_args) {
        fail_line(call, "expected " + std::string(command->synopsis) + ", got " +
                            std::to_string(call.args.size()) + " argument(s)");
        usage(*command, stderr);
        return kExitUsage;
    }
    auto host = v3ctl::openHost(call.host);
    if (!host) {
        fail_line(call, host.error().message);
        // A URI nobody understands is a usage error; an agent that cannot
        // be reached is a failure of the host.
        return host.error().errnum == EINVAL ? kExitUsage : kExitFailed;
    }
    return command->run(call, *host.value());
}
