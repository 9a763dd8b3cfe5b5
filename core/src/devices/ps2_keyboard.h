// A PS/2 (MF II) keyboard as the 8042 sees it: it takes command bytes from
// the controller and answers them, and turns host key events into scan
// codes in its current set, buffered as a real keyboard buffers them while
// the controller holds its clock low.
//
// Commands (each answered with ACK 0xFA unless noted; an argument byte is
// acknowledged too): FF reset (FA, then the self-test result AA), FE resend
// the last byte (no ACK), F6 defaults, F5 defaults + stop scanning, F4
// start scanning, F3 typematic rate (+arg), F2 identify (FA AB 83), F0 scan
// code set (+arg: 0 reads it, 1/2 select), EE echo (EE, no ACK), ED LEDs
// (+arg), F7-FA set-3 key types and FB-FD set-3 per-key types (+key list),
// accepted and ignored. Anything else gets Resend (0xFE). Set 3 is not
// offered: "F0 03" is acknowledged and the keyboard stays in its set, which
// reading the set back shows, the way keyboards without set 3 behave.
#pragma once

#include "chkpt/snapshot.h"
#include "devices/ps2_byte_queue.h"
#include "lib/result.h"

namespace v3::devices {

class Ps2Keyboard {
public:
    // Scan code bytes a keyboard buffers while it cannot send (a real MF II
    // keyboard holds 16).
    static constexpr usize kScanBufferBytes = 16;

    static constexpr u8 kAck = 0xfa;
    static constexpr u8 kResend = 0xfe;
    static constexpr u8 kSelfTestPassed = 0xaa;
    static constexpr u8 kEcho = 0xee;

    Ps2Keyboard() { power_on(); }

    // A byte the controller sends to the keyboard (port 0x60 writes).
    void receive(u8 byte);
    // One set-1 byte from the host (make, break, or an E0/E1 prefix).
    void host_scan_code(u8 code);

    // Bytes for the controller: command replies first, then scan codes.
    bool has_output() const { return !replies_.is_empty() || !scan_codes_.is_empty(); }
    u8 take_output();

    u8 scan_code_set() const { return set_; }
    u8 leds() const { return leds_; }           // bit 0 Scroll, 1 Num, 2 Caps Lock
    u8 typematic() const { return typematic_; } // the F3 argument
    bool scanning() const { return scanning_; }
    // Free bytes in the scan code buffer: a host that paces its input
    // (CURSES_CONSOLE) sends a key only when it fits.
    usize scan_code_room() const { return scan_codes_.room(); }
    // Key events lost because the scan code buffer was full.
    u64 dropped_events() const { return dropped_events_; }

    Result<void> save(chkpt::Writer& writer) const;
    Result<void> load(chkpt::Reader& reader);

private:
    // What the next byte from the controller is, when not a command.
    enum class Awaiting : u8 { Command, Leds, Typematic, ScanCodeSet, KeyList };

    void power_on();
    void load_defaults();
    void command(u8 byte);
    void argument(u8 byte);
    void reply(u8 byte) { (void)replies_.push(byte); }

    u8 set_ = 2;
    u8 leds_ = 0;
    u8 typematic_ = 0;
    bool scanning_ = true;
    Awaiting awaiting_ = Awaiting::Command;
    u8 pending_prefix_ = 0; // an E0/E1 from the host waiting for its key code
    u8 last_sent_ = 0;      // for Resend
    Ps2ByteQueue<4> replies_;
    Ps2ByteQueue<kScanBufferBytes> scan_codes_;
    u64 dropped_events_ = 0;
};

} // namespace v3::devices
