// KEYBOARD: the PC's 8042 keyboard controller with a PS/2 keyboard and a
// PS/2 mouse attached. Data port 0x60, status/command port 0x64; the
// keyboard interrupts on IRQ 1, the mouse on IRQ 12.
//
// The controller keeps one output buffer the guest reads at 0x60. Bytes
// reach it one at a time, in this order: the controller's own replies, then
// the keyboard's (translated to set 1 when command-byte bit 6 is set), then
// the mouse's (flagged by status bit 5). A device whose clock the command
// byte disables keeps its bytes buffered. IRQ 1 (12) is high while the
// output buffer holds a keyboard (mouse) byte and the command byte enables
// that interrupt; reading 0x60 lowers it, and the next byte raises it again.
//
// Controller commands (port 0x64): 20-3F read controller RAM (20: the
// command byte), 60-7F write it, A4 password check (F1: none), A7/A8
// disable/enable the mouse, A9/AB mouse/keyboard interface tests (00), AA
// self-test (55), AD/AE disable/enable the keyboard, C0 read the input
// port, D0/D1 read/write the output port (bit 1 A20 gate, bit 0 reset, low
// = reset), D2/D3 write the next byte into the output buffer as keyboard /
// mouse data, D4 send the next byte to the mouse, DD/DF A20 off/on, F0-FF
// pulse output lines (bit 0 low: reset). Others are ignored (and counted),
// as the 8042 ignores them.
//
// Reset is not emulated yet: a guest that resets through the 8042 (FE, or
// D1 with bit 0 clear) stops its VM with the reason "guest requested reset".
// The A20 gate is only recorded (a20_enabled()) until guest memory honours it.
//
// Configuration: <device class="KEYBOARD" id="keyboard"/>, no settings; one
// per VM.
#pragma once

#include "config/vm_config.h"
#include "devices/device.h"
#include "devices/ps2_byte_queue.h"
#include "devices/ps2_keyboard.h"
#include "devices/ps2_mouse.h"
#include "hooks/host_events.h"
#include "hooks/io_port_bus.h"

namespace v3 {
class Vm;
}

namespace v3::devices {

namespace i8042 {

inline constexpr u16 kDataPort = 0x60;
inline constexpr u16 kCommandPort = 0x64; // status when read
inline constexpr u8 kKeyboardIrq = 1;
inline constexpr u8 kMouseIrq = 12;

// Status register (read 0x64).
inline constexpr u8 kStatusOutputFull = 0x01;
inline constexpr u8 kStatusInputFull = 0x02; // always clear: writes are handled at once
inline constexpr u8 kStatusSystemFlag = 0x04;
inline constexpr u8 kStatusLastWasCommand = 0x08; // last write went to 0x64
inline constexpr u8 kStatusNotInhibited = 0x10;   // keyboard lock switch open
inline constexpr u8 kStatusMouseData = 0x20;      // the output byte is from the mouse
inline constexpr u8 kStatusTimeout = 0x40;        // always clear: devices always answer
inline constexpr u8 kStatusParityError = 0x80;    // always clear

// Command byte (controller RAM byte 0).
inline constexpr u8 kCommandKeyboardIrq = 0x01;
inline constexpr u8 kCommandMouseIrq = 0x02;
inline constexpr u8 kCommandSystemFlag = 0x04;
inline constexpr u8 kCommandKeyboardDisabled = 0x10;
inline constexpr u8 kCommandMouseDisabled = 0x20;
inline constexpr u8 kCommandTranslate = 0x40;
// As a PC BIOS leaves it: both interrupts on, POST passed, translation on.
inline constexpr u8 kDefaultCommandByte =
    kCommandKeyboardIrq | kCommandMouseIrq | kCommandSystemFlag | kCommandTranslate;

// Output port (D0/D1).
inline constexpr u8 kOutputPortReset = 0x01; // low resets the CPU
inline constexpr u8 kOutputPortA20 = 0x02;
inline constexpr u8 kOutputPortKeyboardFull = 0x10; // read-only mirrors of the buffer
inline constexpr u8 kOutputPortMouseFull = 0x20;
// Reset high, A20 on, keyboard clock and data lines idle high.
inline constexpr u8 kDefaultOutputPort = 0xcf;

// Input port (C0): keyboard not inhibited (bit 7), colour display (bit 6
// clear), no manufacturing jumper (bit 5), full system-board RAM (bit 4).
inline constexpr u8 kInputPort = 0xb0;

inline constexpr u8 kSelfTestPassed = 0x55;
inline constexpr u8 kInterfaceTestPassed = 0x00;
inline constexpr u8 kNoPassword = 0xf1;

} // namespace i8042

class Keyboard8042 final : public Device, public IoPortHandler, public HostEventListener {
public:
    static Result<void> validate(const config::DeviceEntry& entry, const config::VmConfig& config,
                                 config::Diagnostic& diag);
    static Result<OwnPtr<Device>> create(Vm& vm, const config::DeviceEntry& entry,
                                         config::Diagnostic& diag);
    ~Keyboard8042() override;

    StringView class_name() const override { return "KEYBOARD"; }

    // The A20 gate (output port bit 1): false means guest address bit 20 is
    // forced to zero.
    bool a20_enabled() const { return output_port_ & i8042::kOutputPortA20; }
    u8 command_byte() const { return ram_[0]; }
    u64 ignored_commands() const { return ignored_commands_; }
    Ps2Keyboard& keyboard() { return keyboard_; }
    Ps2Mouse& mouse() { return mouse_; }

    Result<u32> io_read(const IoAccess& access) override;
    Result<void> io_write(const IoAccess& access, u32 value) override;
    Result<void> on_keyboard(const KeyboardEvent& event) override;
    Result<void> on_mouse(const MouseEvent& event) override;

    Result<void> save(chkpt::Writer& writer) const override;
    Result<void> load(chkpt::Reader& reader) override;

private:
    explicit Keyboard8042(Vm& vm) : vm_(vm) { ram_[0] = i8042::kDefaultCommandByte; }

    u8 read_data();
    u8 read_status() const;
    u8 read_output_port() const;
    void write_command(u8 command);
    void write_data(u8 value);
    void write_output_port(u8 value);
    void set_command_byte(u8 value);
    void controller_reply(u8 byte, bool from_mouse = false);
    void request_reset(const char* reason);
    // Moves the next waiting byte into an empty output buffer and brings
    // the IRQ lines up to date.
    void service();
    void fill_output_buffer();
    void update_irqs();

    Vm& vm_;
    Ps2Keyboard keyboard_;
    Ps2Mouse mouse_;

    u8 ram_[32] = {}; // controller RAM; byte 0 is the command byte
    u8 output_port_ = i8042::kDefaultOutputPort;
    bool system_flag_ = true;
    bool last_write_was_command_ = false;
    u8 pending_command_ = 0; // a command waiting for its data byte at 0x60, or 0

    u8 output_byte_ = 0;
    bool output_full_ = false;
    bool output_from_mouse_ = false;
    // Replies of the controller itself, as (from-mouse flag, byte) pairs.
    Ps2ByteQueue<8> controller_bytes_;
    bool translate_break_pending_ = false; // translation swallowed an F0

    bool keyboard_irq_raised_ = false;
    bool mouse_irq_raised_ = false;
    u64 ignored_commands_ = 0;
};

} // namespace v3::devices
