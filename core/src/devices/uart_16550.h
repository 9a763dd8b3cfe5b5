// One NS16550A UART as the guest sees it through its eight registers. The
// SERIAL device owns four of these and wires them to ports and IRQ lines;
// this class knows nothing about either. The transmitter is infinitely fast:
// a byte written to THR reaches the backend at once and THR is empty again
// before the guest can look, so the guest never waits on the host.
#pragma once

#include "chkpt/snapshot.h"
#include "devices/char_device.h"
#include "lib/result.h"
#include "vm/guest_clock.h"

namespace v3::devices {

namespace uart {

// Register offsets from the base port.
inline constexpr u8 kRbrThr = 0; // DLL when LCR.DLAB
inline constexpr u8 kIer = 1;    // DLM when LCR.DLAB
inline constexpr u8 kIirFcr = 2; // IIR on read, FCR on write
inline constexpr u8 kLcr = 3;
inline constexpr u8 kMcr = 4;
inline constexpr u8 kLsr = 5;
inline constexpr u8 kMsr = 6;
inline constexpr u8 kScr = 7;
inline constexpr u8 kRegisterCount = 8;

// IER
inline constexpr u8 kIerReceivedData = 0x01; // ERBFI (and character timeout)
inline constexpr u8 kIerThrEmpty = 0x02;     // ETBEI
inline constexpr u8 kIerLineStatus = 0x04;   // ELSI
inline constexpr u8 kIerModemStatus = 0x08;  // EDSSI

// IIR: bit 0 clear while an interrupt is pending, bits 1-3 say which.
inline constexpr u8 kIirNoInterrupt = 0x01;
inline constexpr u8 kIirLineStatus = 0x06;
inline constexpr u8 kIirReceivedData = 0x04;
inline constexpr u8 kIirCharacterTimeout = 0x0c;
inline constexpr u8 kIirThrEmpty = 0x02;
inline constexpr u8 kIirModemStatus = 0x00;
inline constexpr u8 kIirFifosEnabled = 0xc0;

// FCR
inline constexpr u8 kFcrEnableFifos = 0x01;
inline constexpr u8 kFcrClearReceiver = 0x02;
inline constexpr u8 kFcrClearTransmitter = 0x04;

// LCR
inline constexpr u8 kLcrParityEnable = 0x08;
inline constexpr u8 kLcrTwoStopBits = 0x04;
inline constexpr u8 kLcrDivisorLatch = 0x80; // DLAB

// MCR
inline constexpr u8 kMcrDtr = 0x01;
inline constexpr u8 kMcrRts = 0x02;
inline constexpr u8 kMcrOut1 = 0x04;
inline constexpr u8 kMcrOut2 = 0x08; // gates the IRQ line on PCs
inline constexpr u8 kMcrLoopback = 0x10;
inline constexpr u8 kMcrWritable = 0x1f;

// LSR
inline constexpr u8 kLsrDataReady = 0x01;
inline constexpr u8 kLsrOverrun = 0x02;
inline constexpr u8 kLsrParityError = 0x04;
inline constexpr u8 kLsrFramingError = 0x08;
inline constexpr u8 kLsrBreak = 0x10;
inline constexpr u8 kLsrThrEmpty = 0x20;
inline constexpr u8 kLsrTransmitterEmpty = 0x40;
inline constexpr u8 kLsrErrors = kLsrOverrun | kLsrParityError | kLsrFramingError | kLsrBreak;

// MSR: deltas in the low nibble, the modem inputs in the high one.
inline constexpr u8 kMsrDeltaCts = 0x01;
inline constexpr u8 kMsrDeltaDsr = 0x02;
inline constexpr u8 kMsrTrailingEdgeRi = 0x04;
inline constexpr u8 kMsrDeltaDcd = 0x08;
inline constexpr u8 kMsrDeltas = 0x0f;
inline constexpr u8 kMsrCts = 0x10;
inline constexpr u8 kMsrDsr = 0x20;
inline constexpr u8 kMsrRi = 0x40;
inline constexpr u8 kMsrDcd = 0x80;

inline constexpr usize kFifoDepth = 16;
// The UART's reference clock divided by 16: divisor 1 is 115200 baud.
inline constexpr u64 kBaudBase = 115200;

} // namespace uart

class Uart16550 final : public CharFrontend {
public:
    // Told after anything that may change the UART's interrupt output.
    class Observer {
    public:
        virtual ~Observer() = default;
        virtual void uart_interrupt_changed() = 0;
    };

    Uart16550(const GuestClock& clock, Observer& observer);

    // Guest register access; offset is 0..7.
    u8 read(u8 offset);
    void write(u8 offset, u8 value);

    // Host input: bytes enter the receiver FIFO while it has room (the rest
    // is refused and stays with the host). Nothing is received in loopback
    // mode, where the serial input is disconnected.
    usize receive_from_host(const u8* data, usize size) override;

    // Character timeout: raised when the FIFO holds data and nothing entered
    // or left it for four character times at the programmed line settings.
    void advance_time(u64 now_ns);
    // When the receiver's character timeout will fire, or kNoTimeEvent.
    u64 next_event_ns() const;

    // The UART's INTR output: an enabled interrupt is pending.
    bool interrupt_pending() const { return identify() != uart::kIirNoInterrupt; }
    // What reaches the PC's IRQ line: INTR gated by MCR.OUT2.
    bool irq_output() const { return interrupt_pending() && (mcr_ & uart::kMcrOut2); }

    void set_backend(CharBackend* backend) { backend_ = backend; }
    CharBackend* backend() const { return backend_; }

    // Bytes the guest transmitted that nobody took (no backend, or a full one).
    u64 tx_dropped() const { return tx_dropped_; }
    u64 tx_bytes() const { return tx_bytes_; }
    // The divisor latch (0 behaves as 65536).
    u16 divisor() const { return u16(dll_ | (u16(dlm_) << 8)); }
    usize rx_count() const { return rx_count_; }
    // Four character times at the current settings, in ns.
    u64 character_timeout_ns() const;

    // Checkpoints. Loading is two steps so a device with several UARTs can
    // check every snapshot before changing any UART.
    struct Snapshot {
        u8 ier, lcr, mcr, lsr_errors, msr, scr, dll, dlm;
        bool fifo_enabled;
        u8 rx_trigger;
        bool thre_pending, timeout_pending;
        u8 rx_count;
        u8 rx[uart::kFifoDepth];
        u8 last_received;
        u64 idle_ns; // since the receiver FIFO last saw activity
        u64 tx_dropped, tx_bytes;
    };
    Result<void> save(chkpt::Writer& writer) const;
    // Reads and checks one UART's state; changes nothing.
    static Result<Snapshot> read_snapshot(chkpt::Reader& reader);
    void restore(const Snapshot& snapshot);

private:
    u8 identify() const;
    usize rx_capacity() const { return fifo_enabled_ ? uart::kFifoDepth : 1; }
    u8 rx_trigger_level() const;
    void transmit(u8 value);
    // A character arriving at the receiver; a full receiver overruns.
    void receive_character(u8 value);
    u8 pop_received();
    void clear_receiver();
    void write_fcr(u8 value);
    void write_ier(u8 value);
    void update_modem_inputs();
    static u8 modem_inputs_for(u8 mcr);
    void changed() { observer_.uart_interrupt_changed(); }

    const GuestClock& clock_;
    Observer& observer_;
    CharBackend* backend_ = nullptr;

    u8 ier_ = 0;
    u8 lcr_ = 0;
    u8 mcr_ = 0;
    u8 lsr_errors_ = 0; // OE, PE, FE, BI: the rest of LSR is derived
    u8 msr_;
    u8 scr_ = 0;
    u8 dll_ = 12; // 9600 baud until the guest programs it
    u8 dlm_ = 0;
    bool fifo_enabled_ = false;
    u8 rx_trigger_ = 0; // FCR bits 6-7: 1, 4, 8 or 14 characters
    bool thre_pending_ = false;
    bool timeout_pending_ = false;

    u8 rx_[uart::kFifoDepth] = {};
    u8 rx_head_ = 0;
    u8 rx_count_ = 0;
    u8 last_received_ = 0; // what RBR shows when the receiver is empty
    u64 rx_activity_ns_ = 0;

    u64 tx_dropped_ = 0;
    u64 tx_bytes_ = 0;
};

} // namespace v3::devices
