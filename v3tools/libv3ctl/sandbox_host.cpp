#include "sandbox_host.h"
#include "process.h"

#include <cerrno>
#include <cstdlib>
#include <sstream>
#include <unistd.h>

#ifndef PALACIOS_SOURCE_ROOT
#error "PALACIOS_SOURCE_ROOT must name the source tree (set by libv3ctl.pro)"
#endif

namespace v3ctl {

namespace {

// The last non-empty line of a tool's stderr: v3sandbox puts its reason there.
std::string lastLine(const std::string& text) {
    std::istringstream in(text);
    std::string line, last;
    while (std::getline(in, line))
        if (!line.empty())
            last = line;
    return last;
}

std::string valueOf(const std::string& kv, const std::string& key) {
    std::istringstream in(kv);
    std::string line;
    while (std::getline(in, line))
        if (line.rfind(key + "=", 0) == 0)
            return line.substr(key.size() + 1);
    return {};
}

} // namespace

SandboxHost::SandboxHost(std::string runDir, std::string sandboxScript)
    : runDir_(runDir.empty() ? defaultRunDir() : std::move(runDir)),
      script_(sandboxScript.empty() ? defaultSandboxScript() : std::move(sandboxScript)) {}

std::string SandboxHost::defaultRunDir() {
    if (const char* dir = std::getenv("PALACIOS_SANDBOX_DIR"); dir && *dir)
        return dir;
    if (const char* runtime = std::getenv("XDG_RUNTIME_DIR"); runtime && *runtime)
        return std::string(runtime) + "/palacios/sandbox";
    return "/tmp/palacios-" + std::to_string(::getuid()) + "/sandbox";
}

std::string SandboxHost::defaultSandboxScript() {
    if (const char* script = std::getenv("PALACIOS_SANDBOX"); script && *script)
        return script;
    return std::string(PALACIOS_SOURCE_ROOT) + "/v3tools/sandbox/v3sandbox";
}

std::string SandboxHost::displayName() const {
    if (accel_.empty())
        return "sandbox";
    return "sandbox (QEMU " + std::string(accel_ == "kvm" ? "KVM" : "TCG") + ")";
}

Result<Ok> SandboxHost::start(int timeoutSeconds) {
    auto run = runProcess(
        {script_, "start", "--dir", runDir_, "--timeout", std::to_string(timeoutSeconds)});
    if (!run)
        return run.error();
    const ProcessOutput& out = run.value();
    if (out.exitCode != 0) {
        std::string reason = lastLine(out.err);
        return Error{EIO, "the sandbox did not start: " +
                              (reason.empty()
                                   ? "v3sandbox exited with status " + std::to_string(out.exitCode)
                                   : reason)};
    }
    auto info = HostInfo::fromKeyValues(out.out);
    if (!info)
        return Error{EPROTO, "the sandbox started but its host info is unreadable: " +
                                 info.error().message};
    info_ = info.value();
    accel_ = valueOf(out.out, "sandbox_accel");
    bootedHere_ = valueOf(out.out, "sandbox_reused") != "1";
    return Ok{};
}

Result<Ok> SandboxHost::stop() {
    auto run = runProcess({script_, "stop", "--dir", runDir_});
    if (!run)
        return run.error();
    if (run.value().exitCode != 0)
        return Error{EIO, "the sandbox did not stop: " + lastLine(run.value().err)};
    info_.reset();
    return Ok{};
}

Result<HostInfo> SandboxHost::hostInfo() {
    if (!info_) {
        auto started = start();
        if (!started)
            return started.error();
    }
    return *info_;
}

} // namespace v3ctl
