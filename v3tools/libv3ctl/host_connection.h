// A connection to one host's v3vee module. The tools and the GUI talk to
// hosts only through this interface; implementations: LocalHost (ioctls on
// this machine), AgentHost (the same operations framed over a byte stream to
// v3agent) and SandboxHost (the QEMU sandbox, reached through its agent).
// Calls may block: the GUI makes them on worker threads.
//
// Every operation is a row of the table in operations.h and reaches an
// implementation through one entry point, perform(); the named methods
// below are the table's rows spelled as functions for callers.
#pragma once

#include "guest_ops.h"
#include "host_info.h"
#include "operations.h"
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

    // Performs one operation and sets call's result. The default refuses
    // every operation: a connection that cannot carry one says so (ENOSYS)
    // instead of pretending.
    virtual void perform(ops::AnyCall call);

    // Any row of the table.
    template <typename Op> Result<typename Op::Value> call(const typename Op::Args& args) {
        ops::Call<Op> c{args, std::nullopt};
        perform(&c);
        if (!c.result)
            return unsupported(Op::doing);
        return std::move(*c.result);
    }

    Result<HostInfo> hostInfo() { return call<ops::GetHostInfo>({}); }
    Result<uint64_t> addMemory(uint64_t bytes) { return call<ops::AddMemory>({bytes}); }
    // Gives up to `bytes` (0: all) of the reserved memory no VM uses back to
    // the host; returns the bytes given back.
    Result<uint64_t> releaseMemory(uint64_t bytes) { return call<ops::ReleaseMemory>({bytes}); }
    // Returns the new VM's index (/dev/v3-vmN).
    Result<int> createGuest(const std::vector<uint8_t>& image, const std::string& name) {
        return call<ops::CreateGuest>({image, name});
    }
    Result<Ok> freeGuest(int index) { return call<ops::FreeGuest>({index}); }
    Result<Ok> launch(int index) { return call<ops::Launch>({index}); }
    Result<Ok> pause(int index) { return call<ops::Pause>({index}); }
    Result<Ok> resume(int index) { return call<ops::Resume>({index}); }
    Result<Ok> stop(int index) { return call<ops::Stop>({index}); }
    Result<VmInfo> vmInfo(int index) { return call<ops::GetVmInfo>({index}); }
    Result<std::vector<GuestEntry>> listGuests() { return call<ops::ListGuests>({}); }
    // A file descriptor for the VM's named stream (read: guest output,
    // write: input). The caller owns it.
    Result<int> openStream(int index, const std::string& stream) {
        auto fd = TRY(call<ops::OpenStream>({index, stream}));
        return fd.fd;
    }
    // A file descriptor for the VM's text console (uapi/v3vee_console.h:
    // read screen updates, write scan codes). The caller owns it.
    Result<int> openConsole(int index) {
        auto fd = TRY(call<ops::OpenConsole>({index}));
        return fd.fd;
    }
    // The module's kernel log lines with a sequence number above `after`
    // (0: everything still in the kernel's buffer), oldest first.
    Result<KernelLog> kernelLog(uint64_t after) { return call<ops::ReadKernelLog>({after}); }

    // Ends what opening this connection started on this machine (a sandbox
    // it booted rather than found running: powered off, with every VM in
    // it). Connections that started nothing have nothing to end.
    virtual Result<Ok> shutDownIfStartedHere() { return Ok{}; }
    // Gives up what is waiting on this connection, from any thread: calls
    // blocked on a remote answer fail at once with `why` (the window closing
    // must not wait for a host that stopped answering). Local ioctls are
    // short and are left to finish.
    virtual void abandon(const std::string& why) { (void)why; }

protected:
    Error unsupported(const std::string& operation) const;

    // Performs call with handler.handle(Op{}, args) where handler has that
    // overload, and refuses the operations it has none for. Handlers must
    // be public members (an inaccessible one would look absent).
    template <typename Handler> void dispatch(ops::AnyCall call, Handler& handler) {
        std::visit(
            [&]<typename Op>(ops::Call<Op>* c) {
                if constexpr (requires { handler.handle(Op{}, c->args); })
                    c->result = handler.handle(Op{}, c->args);
                else
                    c->result = unsupported(Op::doing);
            },
            call);
    }
    // Sets the same error as call's result, whatever the operation.
    static void fail(ops::AnyCall call, const Error& error) {
        std::visit([&](auto* c) { c->result = error; }, call);
    }
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
