// BOCHS_DEBUG: the debug ports of the Bochs BIOS (and SeaBIOS, rombios,
// many test kernels): 0x402 (info), 0x403 (debug) and 0xE9 (the "port E9
// hack" console). Each port has its own line buffer; complete lines go to
// the host log as "v3vee: VM <name> bochs: <line>" (see guest_log_line.h
// for the buffering and escaping rules).
// A wider access is split into bytes at consecutive ports, as the ISA bus
// does; bytes that land on no debug port are ignored. Reading 0xE9 returns
// 0xE9, which is how guests detect the console; the other ports read as the
// open bus (0xFF).
//
//   <device class="BOCHS_DEBUG" id="bochs_debug"/>
#pragma once

#include "config/vm_config.h"
#include "devices/device.h"
#include "devices/guest_log_line.h"
#include "hooks/io_port_bus.h"

namespace v3 {
class Vm;
}

namespace v3::devices {

inline constexpr u16 kBochsInfoPort = 0x402;
inline constexpr u16 kBochsDebugPort = 0x403;
inline constexpr u16 kBochsConsolePort = 0xE9;

class BochsDebug final : public Device, public IoPortHandler {
public:
    static Result<OwnPtr<Device>> create(Vm& vm, const config::DeviceEntry& entry,
                                         config::Diagnostic& diag);
    ~BochsDebug() override;

    StringView class_name() const override { return "BOCHS_DEBUG"; }
    Result<u32> io_read(const IoAccess& access) override;
    Result<void> io_write(const IoAccess& access, u32 value) override;
    Result<void> save(chkpt::Writer& writer) const override;
    Result<void> load(chkpt::Reader& reader) override;

private:
    explicit BochsDebug(Vm& vm);
    GuestLogLine* line_for(u32 port);

    Vm& vm_;
    GuestLogLine info_;
    GuestLogLine debug_;
    GuestLogLine console_;
};

} // namespace v3::devices
