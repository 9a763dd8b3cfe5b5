// The v3vee module inside the QEMU sandbox (v3tools/sandbox/v3sandbox). The
// first call boots the sandbox in the background, or finds one already
// running in the same run folder. Every operation then goes to the v3agent
// inside, through the sandbox's agent channel (RUNDIR/agent.sock: a
// virtio-serial port, or the serial port ttyS1). A sandbox whose boot report
// announces no agent (an initramfs older than v3agent, or a stand-in)
// reports the host info v3_info printed inside once v3vee.ko had loaded,
// and refuses VM operations saying how to get an agent.
//
// The channel carries one client at a time, so the connection is opened per
// operation and closed again as soon as no call is running and no stream is
// open: other programs can take their turn in between. (For many clients at
// once, run a relay: v3agent --host sandbox --listen PATH, and use
// --host unix:PATH.)
#pragma once

#include "host_connection.h"

#include <memory>
#include <mutex>
#include <optional>

namespace v3ctl {

class AgentHost;

class SandboxHost final : public HostConnection {
public:
    // runDir holds the sandbox's sockets, logs and pid file; empty means
    // defaultRunDir(). sandboxScript empty means defaultSandboxScript().
    explicit SandboxHost(std::string runDir = {}, std::string sandboxScript = {});

    std::string uri() const override { return "sandbox"; }
    std::string displayName() const override;
    // Every operation goes to the sandbox's agent unchanged; only the host
    // info of a sandbox without an agent comes from its boot report.
    void perform(ops::AnyCall call) override;
    using HostConnection::stop; // stop(index): one VM inside
    Result<Ok> shutDownIfStartedHere() override { return bootedHere_ ? stop() : Result<Ok>(Ok{}); }
    // Fails the calls waiting on the agent connection now open, if any.
    void abandon(const std::string& why) override;

    // Boots (or reuses) the sandbox; blocks until the module is loaded or the
    // timeout passes.
    Result<Ok> start(int timeoutSeconds = 120);
    // Powers the sandbox off (every VM inside ends with it). Not to be
    // confused with stop(index), which stops one VM inside.
    Result<Ok> stop();
    // The agent channel's socket: RUNDIR/agent.sock.
    std::string agentSocket() const { return runDir_ + "/agent.sock"; }

    const std::string& runDir() const { return runDir_; }
    // Whether start() booted the sandbox (rather than finding it running).
    bool bootedHere() const { return bootedHere_; }

    // $PALACIOS_SANDBOX_DIR, else $XDG_RUNTIME_DIR/palacios/sandbox, else
    // /tmp/palacios-UID/sandbox.
    static std::string defaultRunDir();
    // $PALACIOS_SANDBOX, else v3tools/sandbox/v3sandbox in the source tree.
    static std::string defaultSandboxScript();

private:
    // The connection to the sandbox's agent, opened on demand; every
    // acquireAgent() that succeeds is paired with a releaseAgent().
    Result<std::shared_ptr<AgentHost>> acquireAgent();
    void releaseAgent(const std::shared_ptr<AgentHost>& agent);
    // start() once, whichever thread asks first.
    Result<Ok> ensureStarted();

    std::string runDir_;
    std::string script_;
    std::optional<HostInfo> info_;
    std::string accel_;
    std::string agentChannel_; // "virtio", "serial", or empty: no agent inside
    bool bootedHere_ = false;

    std::mutex startMutex_;
    std::mutex agentMutex_;
    std::shared_ptr<AgentHost> agent_;
    int callsInFlight_ = 0;
    // agent_ for abandon(), which must not wait behind a connect that holds
    // agentMutex_ (up to its 30 s timeout).
    std::mutex liveMutex_;
    std::weak_ptr<AgentHost> live_;
};

} // namespace v3ctl
