// The PC's 8254 programmable interval timer (device class "8254_PIT"):
// counters 0-2 at ports 0x40-0x42, the control word register at 0x43, and
// system control port B at 0x61 (GATE of counter 2, speaker data enable,
// OUT of counter 2, the DRAM refresh toggle). The input clock runs at
// 1,193,182 Hz of guest time; counter 0's OUT drives IRQ 0.
//
// Ticks the guest could not take are reinjected, as KVM's PIT does by
// default: when counter 0 ends periods while the guest has not yet taken
// the last IRQ 0 (its core was descheduled by the host, or one stretch of
// host time covered several periods), the PIT owes those ticks and raises
// IRQ 0 again each time the CPU takes one (INTA), until it owes none. A
// guest whose clock is its tick count (Linux without a usable TSC keeps
// jiffies) then keeps time. At most one second of ticks is owed; the rest
// are dropped and counted. Nothing is owed while IRQ 0 is masked, or in
// the one-shot modes.
//
// Config: <device class="8254_PIT" id="PIT"/> (no settings).
#pragma once

#include "config/vm_config.h"
#include "devices/device.h"
#include "devices/pit_8254_channel.h"
#include "hooks/byte_wide_ports.h"
#include "intr/irq_router.h"
#include "vm/guest_clock.h"

namespace v3 {
class Vm;
}

namespace v3::devices {

class Pit8254 final : public Device,
                      public ByteWidePorts,
                      public TimeListener,
                      public IrqAckListener {
public:
    static constexpr u64 kInputHz = 1193182;

    static Result<OwnPtr<Device>> try_create(Vm& vm, const config::DeviceEntry& entry,
                                             config::Diagnostic& diag);
    ~Pit8254() override;

    StringView class_name() const override { return "8254_PIT"; }

    Result<void> advance_time(u64 previous_ns, u64 now_ns) override;
    // The next rising edge of counter 0's OUT (IRQ 0), in guest time.
    u64 next_event_ns(u64 now_ns) const override;
    // The CPU took IRQ 0: the next owed tick, if any, is raised.
    void irq_acknowledged(u8 line) override;

    Result<void> save(chkpt::Writer& writer) const override;
    Result<void> load(chkpt::Reader& reader) override;

    // Input clocks since the VM started (for tests and statistics).
    u64 ticks() const { return ticks_; }
    // Counter-0 periods the guest never got as an IRQ 0 of their own:
    // beyond the one second owed, while masked, or in a one-shot mode.
    u64 coalesced_irqs() const { return coalesced_irqs_; }
    // Ticks owed now, and ticks delivered late by reinjection so far.
    u64 owed_irqs() const { return owed_irqs_; }
    u64 reinjected_irqs() const { return reinjected_irqs_; }

private:
    explicit Pit8254(Vm& vm) : vm_(vm) {}

    u8 read_port(u16 port) override;
    void write_port(u16 port, u8 value) override;
    void write_control(u8 value);
    // Counter 0 ended `periods` periods in one stretch of time.
    void deliver_periods(u64 periods);
    void raise_irq0();

    Vm& vm_;
    PitChannel channels_[3] = {PitChannel(true), PitChannel(true), PitChannel(false)};
    u64 ticks_ = 0;
    // The fraction of an input clock not yet counted, in units of
    // 1/1e9 clock (ns * Hz modulo 1e9): keeps long runs exact.
    u64 tick_remainder_ = 0;
    u8 port_b_ = 0; // the writable bits 0-3 of port 0x61
    u64 coalesced_irqs_ = 0;
    u64 owed_irqs_ = 0;
    u64 reinjected_irqs_ = 0;
    bool awaiting_ack_ = false; // an IRQ 0 was raised and not yet taken
    // Counter 0's next rising edge as an input-clock tick, worked out once
    // per change (the run loop asks on every pass).
    mutable u64 next_edge_tick_ = 0;
    mutable bool next_edge_known_ = false;
};

} // namespace v3::devices
