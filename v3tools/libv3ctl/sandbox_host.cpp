#include "sandbox_host.h"
#include "agent_host.h"
#include "agent_transport.h"
#include "install_paths.h"
#include "process.h"

#include <cerrno>
#include <cstdlib>
#include <sstream>
#include <unistd.h>

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
    // PREFIX/share/palacios/sandbox/v3sandbox once installed; in the build
    // tree build/share/palacios/sandbox/v3sandbox links to the source copy.
    const std::string data = dataDir();
    if (data.empty())
        return {}; // start() says where it looked
    return data + "/sandbox/v3sandbox";
}

std::string SandboxHost::displayName() const {
    if (accel_.empty())
        return "sandbox";
    return "sandbox (QEMU " + std::string(accel_ == "kvm" ? "KVM" : "TCG") + ")";
}

Result<Ok> SandboxHost::start(int timeoutSeconds) {
    if (script_.empty())
        return Error{ENOENT, "cannot find the sandbox: no share/palacios beside " +
                                 executableDir() +
                                 " (looked in ../share/palacios); reinstall Palacios, or set "
                                 "PALACIOS_DATADIR to its share/palacios folder"};
    const ProcessOutput out = TRY(runProcess(
        {script_, "start", "--dir", runDir_, "--timeout", std::to_string(timeoutSeconds)}));
    if (out.exitCode != 0) {
        std::string reason = lastLine(out.err);
        return Error{EIO, "the sandbox did not start: " +
                              (reason.empty()
                                   ? "v3sandbox exited with status " + std::to_string(out.exitCode)
                                   : reason)};
    }
    auto info = HostInfo::fromKeyValues(out.out);
    if (!info) {
        // A sandbox this call booted but cannot use would otherwise outlive
        // every caller: nobody holds a connection that could stop it.
        if (valueOf(out.out, "sandbox_reused") != "1")
            (void)runProcess({script_, "stop", "--dir", runDir_});
        return Error{EPROTO, "the sandbox started but its host info is unreadable: " +
                                 info.error().message};
    }
    info_ = info.value();
    accel_ = valueOf(out.out, "sandbox_accel");
    agentChannel_ = valueOf(out.out, "sandbox_agent");
    bootedHere_ = valueOf(out.out, "sandbox_reused") != "1";
    return Ok{};
}

Result<Ok> SandboxHost::stop() {
    {
        std::lock_guard lock(agentMutex_);
        agent_.reset();
    }
    const ProcessOutput run = TRY(runProcess({script_, "stop", "--dir", runDir_}));
    if (run.exitCode != 0)
        return Error{EIO, "the sandbox did not stop: " + lastLine(run.err)};
    info_.reset();
    return Ok{};
}

Result<Ok> SandboxHost::ensureStarted() {
    std::lock_guard lock(startMutex_);
    if (info_)
        return Ok{};
    return start();
}

void SandboxHost::perform(ops::AnyCall call) {
    if (auto started = ensureStarted(); !started)
        return fail(call, started.error());
    if (agentChannel_.empty()) {
        if (auto* info = std::get_if<ops::Call<ops::GetHostInfo>*>(&call)) {
            (*info)->result = *info_; // a sandbox without an agent: its boot-time report
            return;
        }
        return fail(call, Error{ENOSYS, "the sandbox in " + runDir_ +
                                            " runs no v3agent (its initramfs is older than the "
                                            "agent); rebuild with 'make', then restart it: "
                                            "v3sandbox stop --dir " +
                                            runDir_});
    }
    auto agent = acquireAgent();
    if (!agent)
        return fail(call, agent.error());
    agent.value()->perform(call);
    releaseAgent(agent.value());
}

Result<std::shared_ptr<AgentHost>> SandboxHost::acquireAgent() {
    std::lock_guard lock(agentMutex_);
    if (agent_ && !agent_->connected())
        agent_.reset();
    if (!agent_) {
        AgentHost::Transport transport = TRY(connectUnixSocket(agentSocket()));
        transport.uri = "sandbox";
        transport.displayName = "the sandbox's v3agent";
        // At TCG speed a busy sandbox answers slowly; another program
        // holding the serial channel makes us wait our turn.
        agent_ = TRY(AgentHost::connect(std::move(transport), 30000));
        std::lock_guard live(liveMutex_);
        live_ = agent_;
    }
    ++callsInFlight_;
    return agent_;
}

void SandboxHost::abandon(const std::string& why) {
    std::shared_ptr<AgentHost> agent;
    {
        std::lock_guard live(liveMutex_);
        agent = live_.lock();
    }
    if (agent)
        agent->abandon(why);
}

void SandboxHost::releaseAgent(const std::shared_ptr<AgentHost>& agent) {
    std::lock_guard lock(agentMutex_);
    --callsInFlight_;
    if (callsInFlight_ == 0 && agent_ == agent && agent->openChannels() == 0)
        agent_.reset(); // free the channel for other programs
}

} // namespace v3ctl
