// A connection to one host's v3vee module. The tools and the GUI talk to
// hosts only through this interface; implementations: LocalHost (ioctls on
// this machine), AgentHost (the same operations framed over a byte stream to
// v3agent) and SandboxHost (the QEMU sandbox, reached through its agent).
// Calls may block: the GUI makes them on worker threads.
#pragma once

#include "guest_ops.h"
#include "host_info.h"
#include "result.h"

#include <memory>
#include <string>

namespace v3ctl {

class HostConnection {
public:
    virtual ~HostConnection() = default;

    // "local", "sandbox", ... as accepted by openHost.
    virtual std::string uri() const = 0;
    // A short human name for the status bar: "local machine", "sandbox (QEMU TCG)".
    virtual std::string displayName() const = 0;

    virtual Result<HostInfo> hostInfo() = 0;

    // The VM operations. A connection that cannot carry one yet says so
    // (ENOSYS) instead of pretending.
    virtual Result<uint64_t> addMemory(uint64_t bytes); // bytes reserved
    // Gives up to `bytes` (0: all) of the reserved memory no VM uses back to
    // the host; returns the bytes given back.
    virtual Result<uint64_t> releaseMemory(uint64_t bytes);
    // Returns the new VM's index (/dev/v3-vmN).
    virtual Result<int> createGuest(const std::vector<uint8_t>& image, const std::string& name);
    virtual Result<Ok> freeGuest(int index);
    virtual Result<Ok> launch(int index);
    virtual Result<Ok> pause(int index);
    virtual Result<Ok> resume(int index);
    virtual Result<Ok> stop(int index);
    virtual Result<VmInfo> vmInfo(int index);
    virtual Result<std::vector<GuestEntry>> listGuests();
    // A file descriptor for the VM's named stream (read: guest output,
    // write: input). The caller owns it.
    virtual Result<int> openStream(int index, const std::string& stream);
    // The module's kernel log lines with a sequence number above `after`
    // (0: everything still in the kernel's buffer), oldest first.
    virtual Result<KernelLog> kernelLog(uint64_t after);

    // Ends what opening this connection started on this machine (a sandbox
    // it booted rather than found running: powered off, with every VM in
    // it). Connections that started nothing have nothing to end.
    virtual Result<Ok> shutDownIfStartedHere() { return Ok{}; }

protected:
    Error unsupported(const std::string& operation) const;
};

// Opens a host by URI: "local" (this machine's /dev/v3vee), "sandbox" (boots
// or reuses the QEMU sandbox), "auto" (local where this user can open
// /dev/v3vee, otherwise the sandbox; a /dev/v3vee that exists but refuses
// this user is said on stderr in one line), "unix:PATH" (a v3agent listening on PATH) or
// "ssh://[user@]host[:port][/path/to/v3agent]" (runs `v3agent --stdio`
// there; $PALACIOS_SSH replaces the ssh program). Agent URIs connect and
// shake hands before returning. Unknown schemes are an error listing the
// known ones.
Result<std::unique_ptr<HostConnection>> openHost(const std::string& uri);

} // namespace v3ctl
