// OS_DEBUG: Palacios' guest debug port, 0xC0C0. A guest OS writes text one
// byte at a time; complete lines go to the host log as
// "v3vee: VM <name> guest: <line>" (see guest_log_line.h for the buffering
// and escaping rules). Only the byte that lands on 0xC0C0 counts in a wider
// access (the ISA bus splits it across consecutive ports). The port is
// write-only and reads as the open bus (0xFF). Palacios' hypercall form of
// the same service is not provided.
//
//   <device class="OS_DEBUG" id="os_debug"/>
#pragma once

#include "config/vm_config.h"
#include "devices/device.h"
#include "devices/guest_log_line.h"
#include "hooks/io_port_bus.h"

namespace v3 {
class Vm;
}

namespace v3::devices {

inline constexpr u16 kOsDebugPort = 0xC0C0;

class OsDebug final : public Device, public IoPortHandler {
public:
    static Result<OwnPtr<Device>> create(Vm& vm, const config::DeviceEntry& entry,
                                         config::Diagnostic& diag);
    ~OsDebug() override;

    StringView class_name() const override { return "OS_DEBUG"; }
    Result<u32> io_read(const IoAccess& access) override;
    Result<void> io_write(const IoAccess& access, u32 value) override;
    Result<void> save(chkpt::Writer& writer) const override { return line_.save(writer); }
    Result<void> load(chkpt::Reader& reader) override { return line_.load(reader); }

private:
    explicit OsDebug(Vm& vm) : vm_(vm), line_(vm, "guest") {}

    Vm& vm_;
    GuestLogLine line_;
};

} // namespace v3::devices
