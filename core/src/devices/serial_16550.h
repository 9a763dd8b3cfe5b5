// SERIAL: the four PC serial ports, each an NS16550A UART, at the standard
// ISA addresses and IRQs as Palacios' SERIAL device places them: COM1
// 0x3F8/IRQ4, COM2 0x2F8/IRQ3, COM3 0x3E8/IRQ4, COM4 0x2E8/IRQ3. A
// character backend (CHAR_STREAM) attaches to one port with
// <frontend tag="SERIAL-ID" com_port="1..4"/>; a port without one still
// works and drops what the guest transmits.
#pragma once

#include "config/vm_config.h"
#include "devices/device.h"
#include "devices/registry.h"
#include "devices/uart_16550.h"
#include "hooks/io_port_bus.h"
#include "vm/guest_clock.h"

namespace v3 {
class Vm;
}

namespace v3::devices {

inline constexpr unsigned kSerialPortCount = 4;

struct SerialPortLayout {
    u16 base;
    u8 irq;
};
// COM1..COM4.
inline constexpr SerialPortLayout kSerialPorts[kSerialPortCount] = {
    {0x3f8, 4}, {0x2f8, 3}, {0x3e8, 4}, {0x2e8, 3}};

class Serial16550 final : public Device,
                          public IoPortHandler,
                          public TimeListener,
                          private Uart16550::Observer {
public:
    static Result<void> validate(const config::DeviceEntry& entry, const config::VmConfig& config,
                                 config::Diagnostic& diag);
    static Result<OwnPtr<Device>> create(Vm& vm, const config::DeviceEntry& entry,
                                         config::Diagnostic& diag);
    ~Serial16550() override;

    StringView class_name() const override { return "SERIAL"; }

    // COM1 is index 0.
    Uart16550& port(unsigned index) { return uarts_[index]; }

    Result<u32> io_read(const IoAccess& access) override;
    Result<void> io_write(const IoAccess& access, u32 value) override;
    Result<void> advance_time(u64 previous_ns, u64 now_ns) override;
    u64 next_event_ns(u64 now_ns) const override;

    Result<void> save(chkpt::Writer& writer) const override;
    Result<void> load(chkpt::Reader& reader) override;

    Result<CharFrontend*> attach_char_backend(const xml::Element& frontend, CharBackend& backend,
                                              config::Diagnostic& diag) override;

private:
    explicit Serial16550(Vm& vm);
    unsigned port_index(const IoAccess& access) const;
    // Drives IRQ 3 and 4 from the UARTs wired to them (wired-OR, as two
    // UARTs share each line), emitting only changes.
    void uart_interrupt_changed() override;

    Vm& vm_;
    Uart16550 uarts_[kSerialPortCount];
    bool line_raised_[16] = {}; // by IRQ number: the level last emitted
    bool restoring_ = false;
};

} // namespace v3::devices
