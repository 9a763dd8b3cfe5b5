// Runs a program to completion without a shell and collects its output.
#pragma once

#include "fd_io.h"
#include "result.h"

#include <string>
#include <sys/types.h>
#include <vector>

namespace v3ctl {

struct ProcessOutput {
    int exitCode = -1; // -1 when killed by a signal
    std::string out;
    std::string err;
};

// A started child: its pid and the parent's ends of the pipes asked for.
struct SpawnedProcess {
    pid_t pid = -1;
    UniqueFd stdinWrite; // valid when stdin was piped
    UniqueFd stdoutRead; // valid when stdout was piped
    UniqueFd stderrRead; // valid when stderr was piped
};

enum class ChildStdio { Pipe, Null, Inherit };

// Starts argv (argv[0] looked up on PATH unless it contains a '/') with each
// standard stream a new pipe, /dev/null, or this process's own. The child
// ends of the pipes are closed here; the parent ends close on exec.
Result<SpawnedProcess> spawnProcess(const std::vector<std::string>& argv, ChildStdio in,
                                    ChildStdio out, ChildStdio err);

// argv[0] is looked up on PATH unless it contains a '/'. Fails only when the
// program cannot be started; a non-zero exit is reported in exitCode.
Result<ProcessOutput> runProcess(const std::vector<std::string>& argv);

} // namespace v3ctl
