// The v3 tools are one static program installed under each Palacios name
// (v3_create, v3_launch, ...): it runs the command its name says. Each
// command lives in its own file and follows the same conventions: Palacios'
// argument order, --help, --host URI, one clear error line on stderr, and
// exit status 0 (done), 1 (the host refused or failed), 2 (usage).
#pragma once

#include "host_connection.h"

#include <memory>
#include <string>
#include <vector>

namespace v3tools {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;
inline constexpr int kExitUsage = 2;

struct Invocation {
    std::string tool;              // e.g. "v3_create"
    std::vector<std::string> args; // positional arguments
    std::string host = "auto";
    bool json = false;
    bool kv = false;
};

struct Command {
    const char* name;
    const char* synopsis; // "IMAGE NAME"
    const char* description;
    unsigned min_args;
    unsigned max_args;
    int (*run)(const Invocation& call, v3ctl::HostConnection& host);
    // Options other than the common ones go to the command as arguments.
    bool ownOptions = false;
    // The host used without --host.
    const char* defaultHost = "auto";
};

// The commands the operation table describes (v3_launch, v3_free, ...).
std::vector<Command> tableCommands();

// One line "TOOL: message" on stderr.
void fail_line(const Invocation& call, const std::string& message);
int report(const Invocation& call, const v3ctl::Error& error);

int run_mem(const Invocation&, v3ctl::HostConnection&);
int run_create(const Invocation&, v3ctl::HostConnection&);
int run_info(const Invocation&, v3ctl::HostConnection&);
int run_stream(const Invocation&, v3ctl::HostConnection&);
int run_cons(const Invocation&, v3ctl::HostConnection&);
int run_cons_sc(const Invocation&, v3ctl::HostConnection&);
int run_monitor(const Invocation&, v3ctl::HostConnection&);
int run_agent(const Invocation&, v3ctl::HostConnection&);
int run_save(const Invocation&, v3ctl::HostConnection&);
int run_load(const Invocation&, v3ctl::HostConnection&);

} // namespace v3tools
