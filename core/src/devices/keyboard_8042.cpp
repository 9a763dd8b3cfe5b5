#include "devices/keyboard_8042.h"

#include "config/text_arg.h"
#include "devices/registry.h"
#include "devices/scan_codes.h"
#include "lib/log.h"
#include "vm/vm.h"

namespace v3::devices {

extern const DeviceClass kKeyboardClass;
const DeviceClass kKeyboardClass = {"KEYBOARD", Keyboard8042::validate, Keyboard8042::create};

using namespace i8042;

namespace {

// Controller commands (port 0x64).
constexpr u8 kReadRamFirst = 0x20; // 20: the command byte
constexpr u8 kReadRamLast = 0x3f;
constexpr u8 kWriteRamFirst = 0x60; // 60: the command byte
constexpr u8 kWriteRamLast = 0x7f;
constexpr u8 kCmdPasswordInstalled = 0xa4;
constexpr u8 kCmdDisableMouse = 0xa7;
constexpr u8 kCmdEnableMouse = 0xa8;
constexpr u8 kCmdTestMouseInterface = 0xa9;
constexpr u8 kCmdSelfTest = 0xaa;
constexpr u8 kCmdTestKeyboardInterface = 0xab;
constexpr u8 kCmdDisableKeyboard = 0xad;
constexpr u8 kCmdEnableKeyboard = 0xae;
constexpr u8 kCmdReadInputPort = 0xc0;
constexpr u8 kCmdReadOutputPort = 0xd0;
constexpr u8 kCmdWriteOutputPort = 0xd1;
constexpr u8 kCmdWriteKeyboardBuffer = 0xd2;
constexpr u8 kCmdWriteMouseBuffer = 0xd3;
constexpr u8 kCmdWriteMouse = 0xd4;
constexpr u8 kCmdA20Off = 0xdd;
constexpr u8 kCmdA20On = 0xdf;
constexpr u8 kCmdPulseFirst = 0xf0; // F0-FF: pulse output lines 0-3 where the bit is 0

constexpr const char* kOwner = "KEYBOARD";

constexpr u8 kSaveVersion = 1;

bool takes_data_byte(u8 command) {
    return (command >= kWriteRamFirst && command <= kWriteRamLast) ||
           command == kCmdWriteOutputPort || command == kCmdWriteKeyboardBuffer ||
           command == kCmdWriteMouseBuffer || command == kCmdWriteMouse;
}

} // namespace

// Two 8042s would fight over ports 0x60 and 0x64; say so before building.
Result<void> Keyboard8042::validate(const config::DeviceEntry& entry,
                                    const config::VmConfig& config, config::Diagnostic& diag) {
    for (const config::DeviceEntry& other : config.devices) {
        if (other.element == entry.element)
            break;
        if (other.class_name == "KEYBOARD")
            return diag.fail(*entry.element,
                             "a VM has one KEYBOARD controller (ports 0x60 and 0x64); device "
                             "'%s' already is one",
                             TextArg(other.id).c_str());
    }
    return {};
}

Result<OwnPtr<Device>> Keyboard8042::create(Vm& vm, const config::DeviceEntry& entry,
                                            config::Diagnostic& diag) {
    OwnPtr<Keyboard8042> controller(new (alloc) Keyboard8042(vm));
    if (!controller)
        return make_error(Errno::NoMem, "out of memory for the KEYBOARD device");
    const u16 ports[] = {kDataPort, kCommandPort};
    for (u16 port : ports) {
        auto claimed = vm.io_ports().claim(port, 1, *controller, kOwner);
        if (claimed.is_error()) {
            StringView owner = vm.io_ports().owner_of(port);
            return diag.fail(*entry.element, "cannot claim I/O port 0x%x: %s%s%s", port,
                             claimed.error().message, owner.is_empty() ? "" : ", owned by ",
                             TextArg(owner).c_str());
        }
    }
    if (auto subscribed = vm.host_events().subscribe(kKeyboardEvents | kMouseEvents, *controller);
        subscribed.is_error())
        return subscribed.error();
    return OwnPtr<Device>(controller.leak());
}

Keyboard8042::~Keyboard8042() {
    vm_.io_ports().release(*this);
    vm_.host_events().unsubscribe(*this);
}

// The 8042 has byte registers; a wider access sees the byte in its low
// bits and the floating bus above.
Result<u32> Keyboard8042::io_read(const IoAccess& access) {
    u8 byte = access.port == kDataPort ? read_data() : read_status();
    u32 high = access.size == 4 ? 0xffffff00u : access.size == 2 ? 0xff00u : 0;
    return u32(byte) | high;
}

Result<void> Keyboard8042::io_write(const IoAccess& access, u32 value) {
    if (access.port == kDataPort)
        write_data(u8(value));
    else
        write_command(u8(value));
    return {};
}

Result<void> Keyboard8042::on_keyboard(const KeyboardEvent& event) {
    keyboard_.host_scan_code(event.scan_code);
    service();
    return {};
}

Result<void> Keyboard8042::on_mouse(const MouseEvent& event) {
    mouse_.host_packet(event.data);
    service();
    return {};
}

u8 Keyboard8042::read_data() {
    u8 byte = output_byte_; // an empty buffer reads as its last byte
    if (output_full_) {
        output_full_ = false;
        output_from_mouse_ = false;
        update_irqs();
        service();
    }
    return byte;
}

u8 Keyboard8042::read_status() const {
    u8 status = kStatusNotInhibited;
    if (output_full_)
        status |= kStatusOutputFull;
    if (output_full_ && output_from_mouse_)
        status |= kStatusMouseData;
    if (system_flag_)
        status |= kStatusSystemFlag;
    if (last_write_was_command_)
        status |= kStatusLastWasCommand;
    return status;
}

u8 Keyboard8042::read_output_port() const {
    u8 port = output_port_ & u8(~(kOutputPortKeyboardFull | kOutputPortMouseFull));
    if (output_full_)
        port |= output_from_mouse_ ? kOutputPortMouseFull : kOutputPortKeyboardFull;
    return port;
}

void Keyboard8042::write_command(u8 command) {
    last_write_was_command_ = true;
    pending_command_ = 0; // a new command abandons one still waiting for data
    if (command >= kReadRamFirst && command <= kReadRamLast) {
        controller_reply(ram_[command - kReadRamFirst]);
    } else if (takes_data_byte(command)) {
        pending_command_ = command;
    } else if (command >= kCmdPulseFirst) {
        if (!(command & kOutputPortReset))
            request_reset("guest requested reset (8042 command pulsed the CPU reset line)");
    } else {
        switch (command) {
        case kCmdPasswordInstalled:
            controller_reply(kNoPassword);
            break;
        case kCmdDisableMouse:
            ram_[0] |= kCommandMouseDisabled;
            break;
        case kCmdEnableMouse:
            ram_[0] &= u8(~kCommandMouseDisabled);
            break;
        case kCmdTestMouseInterface:
        case kCmdTestKeyboardInterface:
            controller_reply(kInterfaceTestPassed);
            break;
        case kCmdSelfTest:
            system_flag_ = true;
            controller_reply(kSelfTestPassed);
            break;
        case kCmdDisableKeyboard:
            ram_[0] |= kCommandKeyboardDisabled;
            break;
        case kCmdEnableKeyboard:
            ram_[0] &= u8(~kCommandKeyboardDisabled);
            break;
        case kCmdReadInputPort:
            controller_reply(kInputPort);
            break;
        case kCmdReadOutputPort:
            controller_reply(read_output_port());
            break;
        case kCmdA20Off:
            output_port_ &= u8(~kOutputPortA20);
            break;
        case kCmdA20On:
            output_port_ |= kOutputPortA20;
            break;
        default:
            if (ignored_commands_++ == 0)
                V3_WARN("v3vee: VM %s: 8042 command 0x%02x is not implemented and was "
                        "ignored (later ones are only counted)\n",
                        TextArg(vm_.name()).c_str(), command);
            break;
        }
    }
    service();
}

void Keyboard8042::write_data(u8 value) {
    last_write_was_command_ = false;
    u8 command = pending_command_;
    pending_command_ = 0;
    if (command == 0)
        keyboard_.receive(value); // a byte for the keyboard itself
    else if (command >= kWriteRamFirst && command <= kWriteRamLast) {
        if (command == kWriteRamFirst)
            set_command_byte(value);
        else
            ram_[command - kWriteRamFirst] = value;
    } else if (command == kCmdWriteOutputPort)
        write_output_port(value);
    else if (command == kCmdWriteKeyboardBuffer)
        controller_reply(value, false);
    else if (command == kCmdWriteMouseBuffer)
        controller_reply(value, true);
    else if (command == kCmdWriteMouse)
        mouse_.receive(value);
    service();
}

void Keyboard8042::set_command_byte(u8 value) {
    ram_[0] = value;
    // The status register's system flag follows command-byte bit 2.
    system_flag_ = value & kCommandSystemFlag;
}

void Keyboard8042::write_output_port(u8 value) {
    output_port_ = value;
    if (!(value & kOutputPortReset))
        request_reset("guest requested reset (8042 output port reset bit cleared)");
}

// Replies go out through the output buffer in order; a guest that sends
// more commands without reading the answers loses the excess, as the
// controller would overwrite them.
void Keyboard8042::controller_reply(u8 byte, bool from_mouse) {
    const u8 entry[2] = {u8(from_mouse ? 1 : 0), byte};
    (void)controller_bytes_.push_all(entry, 2);
}

void Keyboard8042::request_reset(const char* reason) {
    // Reset is not emulated yet: the VM stops with the reason instead.
    vm_.request_stop(0, reason);
}

void Keyboard8042::service() {
    fill_output_buffer();
    update_irqs();
}

void Keyboard8042::fill_output_buffer() {
    if (output_full_)
        return;
    if (!controller_bytes_.is_empty()) {
        output_from_mouse_ = controller_bytes_.pop() != 0;
        output_byte_ = controller_bytes_.pop();
        output_full_ = true;
        return;
    }
    if (!(ram_[0] & kCommandKeyboardDisabled)) {
        while (keyboard_.has_output()) {
            u8 byte = keyboard_.take_output();
            if (ram_[0] & kCommandTranslate) {
                // Translation turns "F0 code" into the set-1 code with bit
                // 7 set: the F0 itself never reaches the guest.
                if (byte == scan_codes::kSet2BreakPrefix) {
                    translate_break_pending_ = true;
                    continue;
                }
                byte = scan_codes::translate_set2_to_set1(byte);
                if (translate_break_pending_)
                    byte |= scan_codes::kSet1BreakBit;
                translate_break_pending_ = false;
            }
            output_byte_ = byte;
            output_from_mouse_ = false;
            output_full_ = true;
            return;
        }
    }
    if (!(ram_[0] & kCommandMouseDisabled) && mouse_.has_output()) {
        output_byte_ = mouse_.take_output();
        output_from_mouse_ = true;
        output_full_ = true;
    }
}

void Keyboard8042::update_irqs() {
    bool keyboard = output_full_ && !output_from_mouse_ && (ram_[0] & kCommandKeyboardIrq);
    bool mouse = output_full_ && output_from_mouse_ && (ram_[0] & kCommandMouseIrq);
    if (keyboard != keyboard_irq_raised_) {
        keyboard_irq_raised_ = keyboard;
        if (keyboard)
            vm_.irqs().raise(kKeyboardIrq);
        else
            vm_.irqs().lower(kKeyboardIrq);
    }
    if (mouse != mouse_irq_raised_) {
        mouse_irq_raised_ = mouse;
        if (mouse)
            vm_.irqs().raise(kMouseIrq);
        else
            vm_.irqs().lower(kMouseIrq);
    }
}

Result<void> Keyboard8042::save(chkpt::Writer& writer) const {
    TRY(writer.u8_(kSaveVersion));
    TRY(writer.bytes(ram_, sizeof ram_));
    TRY(writer.u8_(output_port_));
    TRY(writer.bool_(system_flag_));
    TRY(writer.bool_(last_write_was_command_));
    TRY(writer.u8_(pending_command_));
    TRY(writer.u8_(output_byte_));
    TRY(writer.bool_(output_full_));
    TRY(writer.bool_(output_from_mouse_));
    TRY(controller_bytes_.save(writer));
    TRY(writer.bool_(translate_break_pending_));
    TRY(keyboard_.save(writer));
    TRY(mouse_.save(writer));
    return {};
}

Result<void> Keyboard8042::load(chkpt::Reader& reader) {
    if (TRY(reader.u8_()) != kSaveVersion)
        return make_error(Errno::Inval, "snapshot of the 8042 controller has an unknown version");
    u8 ram[sizeof ram_];
    TRY(reader.bytes(ram, sizeof ram));
    u8 output_port = TRY(reader.u8_());
    bool system_flag = TRY(reader.bool_());
    bool last_write_was_command = TRY(reader.bool_());
    u8 pending_command = TRY(reader.u8_());
    u8 output_byte = TRY(reader.u8_());
    bool output_full = TRY(reader.bool_());
    bool output_from_mouse = TRY(reader.bool_());
    if (pending_command != 0 && !takes_data_byte(pending_command))
        return make_error(Errno::Inval,
                          "snapshot holds an 8042 command that does not wait for data");
    if (output_from_mouse && !output_full)
        return make_error(Errno::Inval, "snapshot flags an empty 8042 output buffer as mouse data");
    Ps2ByteQueue<8> controller_bytes;
    TRY(controller_bytes.load(reader));
    if (controller_bytes.size() % 2 != 0)
        return make_error(Errno::Inval, "snapshot holds a cut 8042 reply queue");
    bool translate_break_pending = TRY(reader.bool_());
    TRY(keyboard_.load(reader));
    TRY(mouse_.load(reader));
    for (usize i = 0; i < sizeof ram_; ++i)
        ram_[i] = ram[i];
    output_port_ = output_port;
    system_flag_ = system_flag;
    last_write_was_command_ = last_write_was_command;
    pending_command_ = pending_command;
    output_byte_ = output_byte;
    output_full_ = output_full;
    output_from_mouse_ = output_from_mouse;
    controller_bytes_ = controller_bytes;
    translate_break_pending_ = translate_break_pending;
    update_irqs();
    return {};
}

} // namespace v3::devices
