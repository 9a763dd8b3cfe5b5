// The v3vee module inside the QEMU sandbox (v3tools/sandbox/v3sandbox). The
// first call boots the sandbox in the background, or finds one already
// running in the same run folder; the module's host info is what v3_info
// printed inside once v3vee.ko had loaded.
#pragma once

#include "host_connection.h"

#include <optional>

namespace v3ctl {

class SandboxHost final : public HostConnection {
public:
    // runDir holds the sandbox's sockets, logs and pid file; empty means
    // defaultRunDir(). sandboxScript empty means defaultSandboxScript().
    explicit SandboxHost(std::string runDir = {}, std::string sandboxScript = {});

    std::string uri() const override { return "sandbox"; }
    std::string displayName() const override;
    Result<HostInfo> hostInfo() override;

    // Boots (or reuses) the sandbox; blocks until the module is loaded or the
    // timeout passes.
    Result<Ok> start(int timeoutSeconds = 120);
    // Powers the sandbox off (every VM inside ends with it).
    Result<Ok> stop();

    const std::string& runDir() const { return runDir_; }
    // Whether start() booted the sandbox (rather than finding it running).
    bool bootedHere() const { return bootedHere_; }

    // $PALACIOS_SANDBOX_DIR, else $XDG_RUNTIME_DIR/palacios/sandbox, else
    // /tmp/palacios-UID/sandbox.
    static std::string defaultRunDir();
    // $PALACIOS_SANDBOX, else v3tools/sandbox/v3sandbox in the source tree.
    static std::string defaultSandboxScript();

private:
    std::string runDir_;
    std::string script_;
    std::optional<HostInfo> info_;
    std::string accel_;
    bool bootedHere_ = false;
};

} // namespace v3ctl
