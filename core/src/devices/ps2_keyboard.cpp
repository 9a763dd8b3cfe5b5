#include "devices/ps2_keyboard.h"

#include "devices/scan_codes.h"

namespace v3::devices {

namespace {

constexpr u8 kCmdSetLeds = 0xed;
constexpr u8 kCmdEcho = 0xee;
constexpr u8 kCmdScanCodeSet = 0xf0;
constexpr u8 kCmdIdentify = 0xf2;
constexpr u8 kCmdTypematic = 0xf3;
constexpr u8 kCmdEnable = 0xf4;
constexpr u8 kCmdDisable = 0xf5;
constexpr u8 kCmdDefaults = 0xf6;
constexpr u8 kCmdAllTypematic = 0xf7; // F7-FA: set-3 key types for all keys
constexpr u8 kCmdAllMakeBreakTypematic = 0xfa;
constexpr u8 kCmdKeyTypematic = 0xfb; // FB-FD: set-3 key types for listed keys
constexpr u8 kCmdKeyMake = 0xfd;
constexpr u8 kCmdResend = 0xfe;
constexpr u8 kCmdReset = 0xff;

// Every command code is at least ED; a byte in that range that arrives when
// the keyboard expects an argument starts a new command instead, as on a
// real keyboard.
constexpr u8 kLowestCommand = kCmdSetLeds;

// The MF II keyboard's identification, sent after the ACK of F2.
constexpr u8 kIdFirst = 0xab;
constexpr u8 kIdSecond = 0x83;

// 10.9 characters per second after 500 ms, the power-on typematic setting.
constexpr u8 kDefaultTypematic = 0x2b;

constexpr u8 kSaveVersion = 1;

} // namespace

void Ps2Keyboard::power_on() {
    load_defaults();
    leds_ = 0;
    scanning_ = true;
    awaiting_ = Awaiting::Command;
    last_sent_ = 0;
    replies_.clear();
}

void Ps2Keyboard::load_defaults() {
    set_ = 2;
    typematic_ = kDefaultTypematic;
    pending_prefix_ = 0;
    scan_codes_.clear();
}

void Ps2Keyboard::receive(u8 byte) {
    if (awaiting_ != Awaiting::Command && byte < kLowestCommand)
        argument(byte);
    else
        command(byte);
}

void Ps2Keyboard::command(u8 byte) {
    // A new command ends whatever answer was still being sent.
    replies_.clear();
    awaiting_ = Awaiting::Command;
    switch (byte) {
    case kCmdReset:
        power_on();
        reply(kAck);
        reply(kSelfTestPassed);
        return;
    case kCmdResend:
        reply(last_sent_);
        return;
    case kCmdDefaults:
        load_defaults();
        reply(kAck);
        return;
    case kCmdDisable:
        load_defaults();
        scanning_ = false;
        reply(kAck);
        return;
    case kCmdEnable:
        scan_codes_.clear();
        scanning_ = true;
        reply(kAck);
        return;
    case kCmdTypematic:
        reply(kAck);
        awaiting_ = Awaiting::Typematic;
        return;
    case kCmdIdentify:
        reply(kAck);
        reply(kIdFirst);
        reply(kIdSecond);
        return;
    case kCmdScanCodeSet:
        reply(kAck);
        awaiting_ = Awaiting::ScanCodeSet;
        return;
    case kCmdEcho:
        reply(kEcho);
        return;
    case kCmdSetLeds:
        reply(kAck);
        awaiting_ = Awaiting::Leds;
        return;
    default:
        break;
    }
    if (byte >= kCmdAllTypematic && byte <= kCmdAllMakeBreakTypematic) {
        reply(kAck);
    } else if (byte >= kCmdKeyTypematic && byte <= kCmdKeyMake) {
        reply(kAck);
        awaiting_ = Awaiting::KeyList;
    } else {
        reply(kResend);
    }
}

// An invalid argument is answered with Resend and the keyboard keeps
// waiting for a valid one.
void Ps2Keyboard::argument(u8 byte) {
    switch (awaiting_) {
    case Awaiting::Leds:
        if (byte & 0x80)
            break;
        leds_ = byte & 0x07;
        reply(kAck);
        awaiting_ = Awaiting::Command;
        return;
    case Awaiting::Typematic:
        if (byte & 0x80)
            break;
        typematic_ = byte;
        reply(kAck);
        awaiting_ = Awaiting::Command;
        return;
    case Awaiting::ScanCodeSet:
        if (byte > 3)
            break;
        reply(kAck);
        if (byte == 0) {
            reply(set_);
        } else if (byte != 3 && byte != set_) {
            // Codes already buffered belong to the old set.
            set_ = byte;
            pending_prefix_ = 0;
            scan_codes_.clear();
        }
        awaiting_ = Awaiting::Command;
        return;
    case Awaiting::KeyList:
        reply(kAck);
        return;
    case Awaiting::Command:
        return; // receive() sends these to command()
    }
    reply(kResend);
}

void Ps2Keyboard::host_scan_code(u8 code) {
    if (code == scan_codes::kExtendedPrefix || code == scan_codes::kPausePrefix) {
        pending_prefix_ = code;
        return;
    }
    u8 prefix = pending_prefix_;
    pending_prefix_ = 0;
    if (!scanning_)
        return;
    // A key's bytes go into the buffer together or not at all, so a full
    // buffer never leaves half a scan code behind.
    u8 bytes[3];
    usize count = 0;
    if (prefix)
        bytes[count++] = prefix;
    if (set_ == 1) {
        bytes[count++] = code;
    } else {
        if (code & scan_codes::kSet1BreakBit)
            bytes[count++] = scan_codes::kSet2BreakPrefix;
        bytes[count++] = scan_codes::set1_to_set2(code & 0x7f);
    }
    if (!scan_codes_.push_all(bytes, count))
        ++dropped_events_;
}

u8 Ps2Keyboard::take_output() {
    last_sent_ = !replies_.is_empty() ? replies_.pop() : scan_codes_.pop();
    return last_sent_;
}

Result<void> Ps2Keyboard::save(chkpt::Writer& writer) const {
    TRY(writer.u8_(kSaveVersion));
    TRY(writer.u8_(set_));
    TRY(writer.u8_(leds_));
    TRY(writer.u8_(typematic_));
    TRY(writer.bool_(scanning_));
    TRY(writer.u8_(u8(awaiting_)));
    TRY(writer.u8_(pending_prefix_));
    TRY(writer.u8_(last_sent_));
    TRY(replies_.save(writer));
    TRY(scan_codes_.save(writer));
    return {};
}

Result<void> Ps2Keyboard::load(chkpt::Reader& reader) {
    if (TRY(reader.u8_()) != kSaveVersion)
        return make_error(Errno::Inval, "snapshot of the PS/2 keyboard has an unknown version");
    u8 set = TRY(reader.u8_());
    u8 leds = TRY(reader.u8_());
    u8 typematic = TRY(reader.u8_());
    bool scanning = TRY(reader.bool_());
    u8 awaiting = TRY(reader.u8_());
    u8 prefix = TRY(reader.u8_());
    u8 last_sent = TRY(reader.u8_());
    if (set != 1 && set != 2)
        return make_error(Errno::Inval,
                          "snapshot selects a keyboard scan code set other than 1 or 2");
    if (leds > 7 || typematic > 0x7f)
        return make_error(Errno::Inval, "snapshot holds invalid keyboard LED or typematic bits");
    if (awaiting > u8(Awaiting::KeyList))
        return make_error(Errno::Inval, "snapshot holds an invalid keyboard command state");
    if (prefix != 0 && prefix != scan_codes::kExtendedPrefix && prefix != scan_codes::kPausePrefix)
        return make_error(Errno::Inval, "snapshot holds an invalid pending scan code prefix");
    Ps2ByteQueue<4> replies;
    Ps2ByteQueue<kScanBufferBytes> scan_codes;
    TRY(replies.load(reader));
    TRY(scan_codes.load(reader));
    replies_ = replies;
    scan_codes_ = scan_codes;
    set_ = set;
    leds_ = leds;
    typematic_ = typematic;
    scanning_ = scanning;
    awaiting_ = Awaiting(awaiting);
    pending_prefix_ = prefix;
    last_sent_ = last_sent;
    return {};
}

} // namespace v3::devices
