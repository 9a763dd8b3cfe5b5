#include "vm/host_console_provider.h"
#include "lib/host.h"

namespace v3 {

namespace {

class ServiceConsole final : public HostConsole {
public:
    explicit ServiceConsole(void* handle) : handle_(handle) {}
    ~ServiceConsole() override { host().console_close(handle_); }
    void update(const v3_console_state& state) override { host().console_update(handle_, &state); }
    usize read_keys(u8* codes, usize size) override {
        return host().console_read_keys(handle_, codes, size);
    }

private:
    void* handle_;
};

} // namespace

Result<OwnPtr<HostConsole>> HostServiceConsoles::open_console() {
    const v3_host_services& h = host();
    // The console services are optional: a host without them runs VMs
    // without a text console.
    if (!h.console_open || !h.console_update || !h.console_read_keys || !h.console_close)
        return make_error(Errno::NoEnt, "this host offers no text console");
    void* handle = h.console_open(host_vm_);
    if (!handle)
        return make_error(Errno::NoMem, "the host could not open the console");
    OwnPtr<HostConsole> console(new (alloc) ServiceConsole(handle));
    if (!console) {
        h.console_close(handle);
        return make_error(Errno::NoMem, "out of memory for a console");
    }
    return move(console);
}

} // namespace v3
