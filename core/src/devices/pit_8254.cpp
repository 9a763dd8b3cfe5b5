#include "devices/pit_8254.h"
#include "devices/registry.h"
#include "vm/vm.h"

namespace v3::devices {

namespace {

constexpr u16 kCounterPorts = 0x40; // 0x40-0x42 counters, 0x43 control word
constexpr u16 kControlPort = 0x43;
constexpr u16 kPortB = 0x61;
constexpr u8 kIrqLine = 0;
constexpr u64 kNsPerSecond = 1000000000;
// Port B bit 4 toggles with every DRAM refresh request, which counter 1
// made every 18 input clocks (15.09 us) on the PC/AT.
constexpr u64 kRefreshClocks = 18;
constexpr u8 kSnapshotVersion = 2; // 2: owed ticks and the IRQ 0 acknowledge state

Result<void> claim_ports(Vm& vm, u16 first, u32 count, IoPortHandler& handler, const char* what,
                         const config::DeviceEntry& entry, config::Diagnostic& diag) {
    for (u32 port = first; port < first + count; ++port) {
        StringView owner = vm.io_ports().owner_of(u16(port));
        if (!owner.is_empty())
            return diag.fail(*entry.element,
                             "the 8254 PIT needs I/O port 0x%x for its %s, but %.*s already has it",
                             port, what, int(owner.length()), owner.data());
    }
    return vm.io_ports().claim(first, count, handler, "8254_PIT");
}

Result<OwnPtr<Device>> create(Vm& vm, const config::DeviceEntry& entry, config::Diagnostic& diag) {
    return Pit8254::try_create(vm, entry, diag);
}

} // namespace

extern const DeviceClass k8254PitClass;
const DeviceClass k8254PitClass = {"8254_PIT", nullptr, create};

Result<OwnPtr<Device>> Pit8254::try_create(Vm& vm, const config::DeviceEntry& entry,
                                           config::Diagnostic& diag) {
    OwnPtr<Pit8254> pit(new (alloc) Pit8254(vm));
    if (!pit)
        return make_error(Errno::NoMem, "out of memory for the 8254 PIT");
    TRY(claim_ports(vm, kCounterPorts, 4, *pit, "counters", entry, diag));
    TRY(claim_ports(vm, kPortB, 1, *pit, "system control port B", entry, diag));
    TRY(vm.clock().subscribe(*pit));
    TRY(vm.irqs().add_ack_listener(kIrqLine, *pit));
    return OwnPtr<Device>(move(pit));
}

Pit8254::~Pit8254() {
    vm_.io_ports().release(*this);
    vm_.clock().unsubscribe(*this);
    vm_.irqs().remove_ack_listener(*this);
}

Result<void> Pit8254::advance_time(u64 previous_ns, u64 now_ns) {
    // ticks = elapsed * Hz / 1e9 without overflowing 64 bits for any
    // elapsed time: whole seconds and the fraction separately, with the
    // fraction's remainder carried to the next call.
    u64 elapsed = now_ns - previous_ns;
    u64 scaled = (elapsed % kNsPerSecond) * kInputHz + tick_remainder_;
    u64 ticks = (elapsed / kNsPerSecond) * kInputHz + scaled / kNsPerSecond;
    tick_remainder_ = scaled % kNsPerSecond;
    if (ticks == 0)
        return {};
    next_edge_known_ = false;
    u64 from = ticks_;
    ticks_ += ticks;
    u64 periods = channels_[0].run(from, ticks_);
    channels_[1].run(from, ticks_);
    channels_[2].run(from, ticks_);
    if (periods > 0)
        deliver_periods(periods);
    return {};
}

void Pit8254::raise_irq0() {
    awaiting_ack_ = true;
    vm_.irqs().pulse(kIrqLine);
}

void Pit8254::deliver_periods(u64 periods) {
    // One edge for the stretch: the PIC latches one request however many
    // edges came. The periods it cannot stand for are owed, and so is the
    // last IRQ 0 if the guest has not taken it yet (this edge merges in).
    u64 owed = periods - 1 + (awaiting_ack_ ? 1 : 0);
    raise_irq0();
    u32 period = channels_[0].period();
    u64 limit = period ? kInputHz / period : 0; // one second of ticks
    if (!vm_.irqs().line_accepted(kIrqLine))
        limit = 0; // masked: the guest asked not to get them
    if (limit == 0) {
        coalesced_irqs_ += owed_irqs_ + owed;
        owed_irqs_ = 0;
        return;
    }
    owed_irqs_ += owed;
    if (owed_irqs_ > limit) {
        coalesced_irqs_ += owed_irqs_ - limit;
        owed_irqs_ = limit;
    }
}

void Pit8254::irq_acknowledged(u8 line) {
    if (line != kIrqLine)
        return;
    awaiting_ack_ = false;
    if (owed_irqs_ == 0)
        return;
    // Raised now, taken once the guest has ended the one in service.
    --owed_irqs_;
    ++reinjected_irqs_;
    raise_irq0();
}

u64 Pit8254::next_event_ns(u64 now_ns) const {
    if (!next_edge_known_) {
        next_edge_tick_ = channels_[0].next_rising_edge(ticks_);
        next_edge_known_ = true;
    }
    if (next_edge_tick_ == PitChannel::kNoEdge)
        return kNoTimeEvent;
    // The least time after which advance_time has counted up to that tick:
    // d ticks need elapsed * Hz + tick_remainder_ >= d * 1e9.
    u64 d = next_edge_tick_ - ticks_; // >= 1, at most ~200,000
    u64 needed = d * kNsPerSecond - tick_remainder_;
    return now_ns + (needed + kInputHz - 1) / kInputHz;
}

void Pit8254::write_control(u8 value) {
    unsigned select = value >> 6;
    if (select == 3) {
        // Read-back: D5 clear latches the count, D4 clear the status, of
        // every counter selected by D1-D3.
        for (unsigned i = 0; i < 3; ++i) {
            if (!(value & (2u << i)))
                continue;
            if (!(value & 0x20))
                channels_[i].latch_count(ticks_);
            if (!(value & 0x10))
                channels_[i].latch_status(ticks_);
        }
        return;
    }
    if ((value & 0x30) == 0)
        channels_[select].latch_count(ticks_);
    else
        channels_[select].write_control(value, ticks_);
}

u8 Pit8254::read_port(u16 port) {
    switch (port) {
    case kCounterPorts:
    case kCounterPorts + 1:
    case kCounterPorts + 2:
        return channels_[port - kCounterPorts].read(ticks_);
    case kControlPort:
        return 0xff; // the control word register cannot be read (D7-D0 float)
    case kPortB: {
        bool refresh = (ticks_ / kRefreshClocks) & 1;
        bool out2 = channels_[2].out(ticks_);
        return u8((port_b_ & 0x0f) | (refresh ? 0x10 : 0) | (out2 ? 0x20 : 0));
    }
    default:
        return 0xff; // past the end of a range in a multi-byte access
    }
}

void Pit8254::write_port(u16 port, u8 value) {
    next_edge_known_ = false;
    bool out0_before = channels_[0].out(ticks_);
    switch (port) {
    case kCounterPorts:
    case kCounterPorts + 1:
    case kCounterPorts + 2:
        channels_[port - kCounterPorts].write_count(value, ticks_);
        if (port == kCounterPorts)
            owed_irqs_ = 0; // ticks owed at the old rate are not owed at the new one
        break;
    case kControlPort:
        write_control(value);
        if ((value >> 6) == 0 && (value & 0x30))
            owed_irqs_ = 0;
        break;
    case kPortB:
        // Bit 0 is counter 2's GATE, bit 1 the speaker data enable, bits 2
        // and 3 the parity/channel check enables; the rest are read-only.
        port_b_ = value & 0x0f;
        channels_[2].set_gate(value & 1, ticks_);
        break;
    default:
        break;
    }
    // A control word can raise OUT 0 at once (e.g. leaving mode 0).
    if (!out0_before && channels_[0].out(ticks_))
        raise_irq0();
}

Result<void> Pit8254::save(chkpt::Writer& w) const {
    TRY(w.u8_(kSnapshotVersion));
    TRY(w.u64_(ticks_));
    TRY(w.u64_(tick_remainder_));
    TRY(w.u8_(port_b_));
    for (const PitChannel& channel : channels_)
        TRY(channel.save(w));
    TRY(w.u64_(owed_irqs_));
    TRY(w.u8_(awaiting_ack_ ? 1 : 0));
    return {};
}

Result<void> Pit8254::load(chkpt::Reader& r) {
    if (TRY(r.u8_()) != kSnapshotVersion)
        return make_error(Errno::Inval, "8254 PIT snapshot has an unknown version");
    u64 ticks = TRY(r.u64_());
    u64 remainder = TRY(r.u64_());
    u8 port_b = TRY(r.u8_());
    if (remainder >= kNsPerSecond)
        return make_error(Errno::Inval, "8254 PIT snapshot: clock remainder out of range");
    if (port_b & 0xf0)
        return make_error(Errno::Inval, "8254 PIT snapshot: port 0x61 has read-only bits set");
    PitChannel channels[3];
    for (PitChannel& channel : channels)
        TRY(channel.load(r, ticks));
    u64 owed = TRY(r.u64_());
    u8 awaiting = TRY(r.u8_());
    if (awaiting > 1)
        return make_error(Errno::Inval, "8254 PIT snapshot: bad IRQ 0 acknowledge state");
    if (owed > kInputHz)
        return make_error(Errno::Inval, "8254 PIT snapshot: more than a second of owed ticks");
    if (!channels[0].gate() || !channels[1].gate() || channels[2].gate() != bool(port_b & 1))
        return make_error(Errno::Inval,
                          "8254 PIT snapshot: a GATE input disagrees with its wiring");
    ticks_ = ticks;
    tick_remainder_ = remainder;
    next_edge_known_ = false;
    port_b_ = port_b;
    for (unsigned i = 0; i < 3; ++i)
        channels_[i] = channels[i];
    owed_irqs_ = owed;
    awaiting_ack_ = awaiting;
    return {};
}

} // namespace v3::devices
