#include "devices/uart_16550.h"

namespace v3::devices {

using namespace uart;

Uart16550::Uart16550(const GuestClock& clock, Observer& observer)
    : clock_(clock), observer_(observer), msr_(modem_inputs_for(0)) {}

// Outside loopback the modem inputs are those of a host that is always
// there: CTS, DSR and DCD asserted, no ring. In loopback the four MCR
// outputs drive them (DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD).
u8 Uart16550::modem_inputs_for(u8 mcr) {
    if (!(mcr & kMcrLoopback))
        return kMsrCts | kMsrDsr | kMsrDcd;
    u8 inputs = 0;
    if (mcr & kMcrRts)
        inputs |= kMsrCts;
    if (mcr & kMcrDtr)
        inputs |= kMsrDsr;
    if (mcr & kMcrOut1)
        inputs |= kMsrRi;
    if (mcr & kMcrOut2)
        inputs |= kMsrDcd;
    return inputs;
}

u8 Uart16550::rx_trigger_level() const {
    constexpr u8 kLevels[4] = {1, 4, 8, 14};
    return fifo_enabled_ ? kLevels[rx_trigger_] : 1;
}

// The highest-priority enabled interrupt: line status, then received data
// (trigger level reached) or character timeout, then THR empty, then modem
// status.
u8 Uart16550::identify() const {
    if ((ier_ & kIerLineStatus) && (lsr_errors_ & kLsrErrors))
        return kIirLineStatus;
    if (ier_ & kIerReceivedData) {
        if (rx_count_ >= rx_trigger_level())
            return kIirReceivedData;
        if (fifo_enabled_ && timeout_pending_)
            return kIirCharacterTimeout;
    }
    if ((ier_ & kIerThrEmpty) && thre_pending_)
        return kIirThrEmpty;
    if ((ier_ & kIerModemStatus) && (msr_ & kMsrDeltas))
        return kIirModemStatus;
    return kIirNoInterrupt;
}

u64 Uart16550::character_timeout_ns() const {
    // Counted in half bits so 1.5 stop bits stay integral: start bit, 5-8
    // data bits, optional parity, 1, 1.5 (5-bit words) or 2 stop bits.
    u64 data_bits = 5 + (lcr_ & 3);
    u64 half_bits = 2 * (1 + data_bits + ((lcr_ & kLcrParityEnable) ? 1 : 0));
    half_bits += (lcr_ & kLcrTwoStopBits) ? (data_bits == 5 ? 3 : 4) : 2;
    u64 divisor = this->divisor() ? this->divisor() : 65536;
    // 4 characters * half_bits / 2 * divisor / kBaudBase seconds.
    return 2 * half_bits * divisor * 1000000000ull / kBaudBase;
}

u8 Uart16550::read(u8 offset) {
    switch (offset) {
    case kRbrThr:
        return (lcr_ & kLcrDivisorLatch) ? dll_ : pop_received();
    case kIer:
        return (lcr_ & kLcrDivisorLatch) ? dlm_ : ier_;
    case kIirFcr: {
        u8 id = identify();
        // Reading IIR acknowledges a THR-empty interrupt it reports.
        if (id == kIirThrEmpty) {
            thre_pending_ = false;
            changed();
        }
        return u8(id | (fifo_enabled_ ? kIirFifosEnabled : 0));
    }
    case kLcr:
        return lcr_;
    case kMcr:
        return mcr_;
    case kLsr: {
        // THR and the transmitter are always empty: transmission is instant.
        u8 value = u8(lsr_errors_ | kLsrThrEmpty | kLsrTransmitterEmpty);
        if (rx_count_)
            value |= kLsrDataReady;
        if (lsr_errors_) {
            lsr_errors_ = 0;
            changed();
        }
        return value;
    }
    case kMsr: {
        u8 value = msr_;
        if (msr_ & kMsrDeltas) {
            msr_ &= u8(~kMsrDeltas);
            changed();
        }
        return value;
    }
    default:
        return scr_;
    }
}

void Uart16550::write(u8 offset, u8 value) {
    switch (offset) {
    case kRbrThr:
        if (lcr_ & kLcrDivisorLatch)
            dll_ = value;
        else
            transmit(value);
        return;
    case kIer:
        if (lcr_ & kLcrDivisorLatch)
            dlm_ = value;
        else
            write_ier(value);
        return;
    case kIirFcr:
        write_fcr(value);
        return;
    case kLcr:
        lcr_ = value;
        return;
    case kMcr:
        mcr_ = value & kMcrWritable;
        update_modem_inputs();
        changed();
        return;
    case kLsr:
    case kMsr:
        // Read-only status (writing them is a factory test mode only).
        return;
    default:
        scr_ = value;
        return;
    }
}

void Uart16550::write_ier(u8 value) {
    u8 enabled = u8(value & 0x0f & ~ier_);
    ier_ = value & 0x0f;
    // Enabling the THRE interrupt while THR is empty interrupts at once
    // (drivers rely on this to start transmitting).
    if (enabled & kIerThrEmpty)
        thre_pending_ = true;
    changed();
}

void Uart16550::write_fcr(u8 value) {
    bool enable = value & kFcrEnableFifos;
    // Switching between FIFO and character mode empties the FIFOs.
    if (enable != fifo_enabled_) {
        fifo_enabled_ = enable;
        clear_receiver();
    }
    // The other bits are only programmed while FIFOs are enabled.
    if (enable) {
        if (value & kFcrClearReceiver)
            clear_receiver();
        // Clearing the transmitter FIFO has nothing to do: it is always empty.
        rx_trigger_ = u8(value >> 6);
    }
    changed();
}

void Uart16550::update_modem_inputs() {
    u8 old_inputs = msr_ & u8(~kMsrDeltas);
    u8 new_inputs = modem_inputs_for(mcr_);
    u8 toggled = old_inputs ^ new_inputs;
    u8 deltas = msr_ & kMsrDeltas;
    if (toggled & kMsrCts)
        deltas |= kMsrDeltaCts;
    if (toggled & kMsrDsr)
        deltas |= kMsrDeltaDsr;
    if (toggled & kMsrDcd)
        deltas |= kMsrDeltaDcd;
    // TERI: only the ring signal ending (RI going from 1 to 0) counts.
    if ((old_inputs & kMsrRi) && !(new_inputs & kMsrRi))
        deltas |= kMsrTrailingEdgeRi;
    msr_ = u8(new_inputs | deltas);
}

void Uart16550::transmit(u8 value) {
    // Writing THR acknowledges THRE; the byte then leaves at once, THR is
    // empty again and (if enabled) THRE interrupts anew, so the IRQ line
    // shows a fresh edge per byte as a real UART's does per character.
    thre_pending_ = false;
    changed();
    ++tx_bytes_;
    if (mcr_ & kMcrLoopback) {
        receive_character(value);
    } else {
        usize taken = backend_ ? backend_->write_to_host(&value, 1) : 0;
        if (taken == 0)
            ++tx_dropped_;
    }
    thre_pending_ = true;
    changed();
}

void Uart16550::receive_character(u8 value) {
    if (rx_count_ < rx_capacity()) {
        rx_[(rx_head_ + rx_count_) % kFifoDepth] = value;
        ++rx_count_;
        rx_activity_ns_ = clock_.now_ns();
    } else {
        // Overrun: in character mode the new byte replaces RBR; with FIFOs
        // the byte in the shift register is lost and the FIFO kept.
        if (!fifo_enabled_)
            rx_[rx_head_] = value;
        lsr_errors_ |= kLsrOverrun;
    }
    changed();
}

usize Uart16550::receive_from_host(const u8* data, usize size) {
    if (mcr_ & kMcrLoopback)
        return 0;
    usize accepted = 0;
    while (accepted < size && rx_count_ < rx_capacity()) {
        rx_[(rx_head_ + rx_count_) % kFifoDepth] = data[accepted++];
        ++rx_count_;
    }
    if (accepted) {
        rx_activity_ns_ = clock_.now_ns();
        changed();
    }
    return accepted;
}

u8 Uart16550::pop_received() {
    if (rx_count_ == 0)
        return last_received_;
    last_received_ = rx_[rx_head_];
    rx_head_ = u8((rx_head_ + 1) % kFifoDepth);
    --rx_count_;
    // Reading restarts the timeout and acknowledges a timeout interrupt.
    rx_activity_ns_ = clock_.now_ns();
    timeout_pending_ = false;
    changed();
    return last_received_;
}

void Uart16550::clear_receiver() {
    rx_head_ = 0;
    rx_count_ = 0;
    timeout_pending_ = false;
    rx_activity_ns_ = clock_.now_ns();
}

void Uart16550::advance_time(u64 now_ns) {
    if (!fifo_enabled_ || rx_count_ == 0 || timeout_pending_)
        return;
    if (now_ns - rx_activity_ns_ >= character_timeout_ns()) {
        timeout_pending_ = true;
        changed();
    }
}

u64 Uart16550::next_event_ns() const {
    if (!fifo_enabled_ || rx_count_ == 0 || timeout_pending_)
        return kNoTimeEvent;
    return rx_activity_ns_ + character_timeout_ns();
}

Result<void> Uart16550::save(chkpt::Writer& w) const {
    TRY(w.u8_(ier_));
    TRY(w.u8_(lcr_));
    TRY(w.u8_(mcr_));
    TRY(w.u8_(lsr_errors_));
    TRY(w.u8_(msr_));
    TRY(w.u8_(scr_));
    TRY(w.u8_(dll_));
    TRY(w.u8_(dlm_));
    TRY(w.bool_(fifo_enabled_));
    TRY(w.u8_(rx_trigger_));
    TRY(w.bool_(thre_pending_));
    TRY(w.bool_(timeout_pending_));
    TRY(w.u8_(rx_count_));
    for (u8 i = 0; i < rx_count_; ++i)
        TRY(w.u8_(rx_[(rx_head_ + i) % kFifoDepth]));
    TRY(w.u8_(last_received_));
    TRY(w.u64_(clock_.now_ns() - rx_activity_ns_));
    TRY(w.u64_(tx_dropped_));
    TRY(w.u64_(tx_bytes_));
    return {};
}

Result<Uart16550::Snapshot> Uart16550::read_snapshot(chkpt::Reader& r) {
    Snapshot s;
    s.ier = TRY(r.u8_());
    s.lcr = TRY(r.u8_());
    s.mcr = TRY(r.u8_());
    s.lsr_errors = TRY(r.u8_());
    s.msr = TRY(r.u8_());
    s.scr = TRY(r.u8_());
    s.dll = TRY(r.u8_());
    s.dlm = TRY(r.u8_());
    s.fifo_enabled = TRY(r.bool_());
    s.rx_trigger = TRY(r.u8_());
    s.thre_pending = TRY(r.bool_());
    s.timeout_pending = TRY(r.bool_());
    s.rx_count = TRY(r.u8_());
    if (s.ier & 0xf0)
        return make_error(Errno::Inval, "serial snapshot: IER has reserved bits set");
    if (s.mcr & u8(~kMcrWritable))
        return make_error(Errno::Inval, "serial snapshot: MCR has reserved bits set");
    if (s.lsr_errors & u8(~kLsrErrors))
        return make_error(Errno::Inval, "serial snapshot: LSR error bits are invalid");
    if ((s.msr & u8(~kMsrDeltas)) != modem_inputs_for(s.mcr))
        return make_error(Errno::Inval, "serial snapshot: MSR inputs disagree with MCR");
    if (s.rx_trigger > 3)
        return make_error(Errno::Inval, "serial snapshot: receiver trigger level is invalid");
    if (s.rx_count > (s.fifo_enabled ? kFifoDepth : 1))
        return make_error(Errno::Inval, "serial snapshot: receiver holds too many bytes");
    if (s.timeout_pending && (!s.fifo_enabled || s.rx_count == 0))
        return make_error(Errno::Inval,
                          "serial snapshot: character timeout without data in the FIFO");
    for (u8 i = 0; i < s.rx_count; ++i)
        s.rx[i] = TRY(r.u8_());
    s.last_received = TRY(r.u8_());
    s.idle_ns = TRY(r.u64_());
    s.tx_dropped = TRY(r.u64_());
    s.tx_bytes = TRY(r.u64_());
    return s;
}

void Uart16550::restore(const Snapshot& s) {
    ier_ = s.ier;
    lcr_ = s.lcr;
    mcr_ = s.mcr;
    lsr_errors_ = s.lsr_errors;
    msr_ = s.msr;
    scr_ = s.scr;
    dll_ = s.dll;
    dlm_ = s.dlm;
    fifo_enabled_ = s.fifo_enabled;
    rx_trigger_ = s.rx_trigger;
    thre_pending_ = s.thre_pending;
    timeout_pending_ = s.timeout_pending;
    for (u8 i = 0; i < s.rx_count; ++i)
        rx_[i] = s.rx[i];
    rx_head_ = 0;
    rx_count_ = s.rx_count;
    last_received_ = s.last_received;
    // May wrap below zero on a younger clock: elapsed time is computed
    // modulo 2^64, so the idle time still comes out right.
    rx_activity_ns_ = clock_.now_ns() - s.idle_ns;
    tx_dropped_ = s.tx_dropped;
    tx_bytes_ = s.tx_bytes;
    changed();
}

} // namespace v3::devices
