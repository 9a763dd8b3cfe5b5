// The PC's 8259A pair (device class "8259A"): the master at ports
// 0x20/0x21, the slave at 0xA0/0xA1 cascaded on the master's IR2, and the
// PIIX edge/level control registers (ELCR) at 0x4D0/0x4D1. It is the VM's
// interrupt controller for IRQ lines 0-15: lines 0-7 are the master's IR0-7,
// lines 8-15 the slave's. The CPU backend asks interrupt_pending() (the
// master's INT output) and acknowledge() (the INTA cycle) for the vector.
//
// Config: <device class="8259A" id="PIC" elcr="true"/>; elcr="false" leaves
// ports 0x4D0/0x4D1 to someone else (then only ICW1 LTIM selects level mode).
#pragma once

#include "config/vm_config.h"
#include "devices/device.h"
#include "devices/pic_8259a_chip.h"
#include "hooks/byte_wide_ports.h"
#include "intr/irq_router.h"

namespace v3 {
class Vm;
}

namespace v3::devices {

class Pic8259A final : public Device, public ByteWidePorts, public InterruptController {
public:
    static Result<OwnPtr<Device>> try_create(Vm& vm, const config::DeviceEntry& entry,
                                             config::Diagnostic& diag);
    ~Pic8259A() override;

    StringView class_name() const override { return "8259A"; }

    void raise_irq(u8 line) override { set_line(line, true); }
    void lower_irq(u8 line) override { set_line(line, false); }
    bool interrupt_pending() const override { return master_.output(); }
    Result<u8> acknowledge() override;
    // Not masked in the IMR (a slave line also needs the cascade line).
    bool accepts(u8 line) const override;

    Result<void> save(chkpt::Writer& writer) const override;
    Result<void> load(chkpt::Reader& reader) override;

    // For tests and statistics: INTA cycles that found no request and
    // returned IR7 of a chip (spurious IRQ 7 or 15).
    u64 spurious_count() const { return spurious_; }
    const Pic8259Chip& master() const { return master_; }
    const Pic8259Chip& slave() const { return slave_; }

private:
    Pic8259A(Vm& vm, bool elcr) : vm_(vm), has_elcr_(elcr) {}

    void set_line(u8 line, bool level);
    // The slave's INT output drives the master's IR2 input.
    void update_cascade() { master_.set_input(kCascadeLine, slave_.output()); }
    u8 read_port(u16 port) override;
    void write_port(u16 port, u8 value) override;

    static constexpr unsigned kCascadeLine = 2;

    // Unmatched EOIs are logged this many times per VM (see
    // Pic8259Chip::unmatched_eois); a guest cannot flood the log.
    static constexpr u32 kUnmatchedEoisLogged = 8;
    Vm& vm_;
    bool has_elcr_;
    bool warned_irq2_ = false;
    u64 spurious_ = 0;
    Pic8259Chip master_{true};
    Pic8259Chip slave_{false};
};

} // namespace v3::devices
