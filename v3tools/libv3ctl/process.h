// Runs a program to completion without a shell and collects its output.
#pragma once

#include "result.h"

#include <string>
#include <vector>

namespace v3ctl {

struct ProcessOutput {
    int exitCode = -1; // -1 when killed by a signal
    std::string out;
    std::string err;
};

// argv[0] is looked up on PATH unless it contains a '/'. Fails only when the
// program cannot be started; a non-zero exit is reported in exitCode.
Result<ProcessOutput> runProcess(const std::vector<std::string>& argv);

} // namespace v3ctl
