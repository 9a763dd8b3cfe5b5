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
    auto run = runProcess({script_, "stop", "--dir", runDir_});
    if (!run)
        return run.error();
    if (run.value().exitCode != 0)
        return Error{EIO, "the sandbox did not stop: " + lastLine(run.value().err)};
    info_.reset();
    return Ok{};
}

Result<Ok> SandboxHost::ensureStarted() {
    std::lock_guard lock(startMutex_);
    if (info_)
        return Ok{};
    return start();
}

Result<HostInfo> SandboxHost::hostInfo() {
    auto started = ensureStarted();
    if (!started)
        return started.error();
    if (agentChannel_.empty())
        return *info_; // a sandbox without an agent: its boot-time report
    return withAgent<HostInfo>([](HostConnection& h) { return h.hostInfo(); });
}

template <typename T>
Result<T> SandboxHost::withAgent(const std::function<Result<T>(HostConnection&)>& op) {
    auto started = ensureStarted();
    if (!started)
        return started.error();
    if (agentChannel_.empty())
        return Error{ENOSYS, "the sandbox in " + runDir_ +
                                 " runs no v3agent (its initramfs is older than the agent); "
                                 "rebuild with 'make', then restart it: v3sandbox stop --dir " +
                                 runDir_};
    std::shared_ptr<AgentHost> agent;
    {
        std::lock_guard lock(agentMutex_);
        if (agent_ && !agent_->connected())
            agent_.reset();
        if (!agent_) {
            auto transport = connectUnixSocket(agentSocket());
            if (!transport)
                return transport.error();
            transport.value().uri = "sandbox";
            transport.value().displayName = "the sandbox's v3agent";
            // At TCG speed a busy sandbox answers slowly; another program
            // holding the serial channel makes us wait our turn.
            auto connected = AgentHost::connect(std::move(transport.value()), 30000);
            if (!connected)
                return connected.error();
            agent_ = std::move(connected.value());
        }
        agent = agent_;
        ++callsInFlight_;
    }
    Result<T> result = op(*agent);
    std::lock_guard lock(agentMutex_);
    --callsInFlight_;
    if (callsInFlight_ == 0 && agent_ == agent && agent->openChannels() == 0)
        agent_.reset(); // free the channel for other programs
    return result;
}

Result<uint64_t> SandboxHost::addMemory(uint64_t bytes) {
    return withAgent<uint64_t>([&](HostConnection& h) { return h.addMemory(bytes); });
}

Result<uint64_t> SandboxHost::releaseMemory(uint64_t bytes) {
    return withAgent<uint64_t>([&](HostConnection& h) { return h.releaseMemory(bytes); });
}
Result<int> SandboxHost::createGuest(const std::vector<uint8_t>& image, const std::string& name) {
    return withAgent<int>([&](HostConnection& h) { return h.createGuest(image, name); });
}
Result<KernelLog> SandboxHost::kernelLog(uint64_t after) {
    return withAgent<KernelLog>([&](HostConnection& h) { return h.kernelLog(after); });
}
Result<Ok> SandboxHost::freeGuest(int index) {
    return withAgent<Ok>([&](HostConnection& h) { return h.freeGuest(index); });
}
Result<Ok> SandboxHost::launch(int index) {
    return withAgent<Ok>([&](HostConnection& h) { return h.launch(index); });
}
Result<Ok> SandboxHost::pause(int index) {
    return withAgent<Ok>([&](HostConnection& h) { return h.pause(index); });
}
Result<Ok> SandboxHost::resume(int index) {
    return withAgent<Ok>([&](HostConnection& h) { return h.resume(index); });
}
Result<Ok> SandboxHost::stop(int index) {
    return withAgent<Ok>([&](HostConnection& h) { return h.stop(index); });
}
Result<VmInfo> SandboxHost::vmInfo(int index) {
    return withAgent<VmInfo>([&](HostConnection& h) { return h.vmInfo(index); });
}
Result<std::vector<GuestEntry>> SandboxHost::listGuests() {
    return withAgent<std::vector<GuestEntry>>([](HostConnection& h) { return h.listGuests(); });
}
Result<int> SandboxHost::openStream(int index, const std::string& stream) {
    return withAgent<int>([&](HostConnection& h) { return h.openStream(index, stream); });
}

} // namespace v3ctl
