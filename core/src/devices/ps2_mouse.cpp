#include "devices/ps2_mouse.h"

namespace v3::devices {

namespace {

constexpr u8 kCmdScaling1to1 = 0xe6;
constexpr u8 kCmdScaling2to1 = 0xe7;
constexpr u8 kCmdResolution = 0xe8;
constexpr u8 kCmdStatus = 0xe9;
constexpr u8 kCmdStreamMode = 0xea;
constexpr u8 kCmdReadData = 0xeb;
constexpr u8 kCmdResetWrap = 0xec;
constexpr u8 kCmdWrapMode = 0xee;
constexpr u8 kCmdRemoteMode = 0xf0;
constexpr u8 kCmdIdentify = 0xf2;
constexpr u8 kCmdSampleRate = 0xf3;
constexpr u8 kCmdEnable = 0xf4;
constexpr u8 kCmdDisable = 0xf5;
constexpr u8 kCmdDefaults = 0xf6;
constexpr u8 kCmdResend = 0xfe;
constexpr u8 kCmdReset = 0xff;

// Bytes from E6 up are commands; a smaller byte where a command is
// expected is an argument, and a command byte where an argument is
// expected starts that command.
constexpr u8 kLowestCommand = kCmdScaling1to1;

// Packet byte 0.
constexpr u8 kButtonBits = 0x07;
constexpr u8 kAlwaysOne = 0x08;
constexpr u8 kXNegative = 0x10;
constexpr u8 kYNegative = 0x20;
constexpr u8 kXOverflow = 0x40;
constexpr u8 kYOverflow = 0x80;

constexpr i32 kMinCount = -256;
constexpr i32 kMaxCount = 255;

constexpr u8 kDefaultSampleRate = 100;
constexpr u8 kDefaultResolution = 2; // 4 counts per millimetre

constexpr u8 kSaveVersion = 1;

bool valid_sample_rate(u8 rate) {
    return rate == 10 || rate == 20 || rate == 40 || rate == 60 || rate == 80 || rate == 100 ||
           rate == 200;
}

i32 decode_axis(u8 low, bool negative, bool overflow) {
    if (overflow)
        return negative ? kMinCount : kMaxCount;
    return negative ? i32(low) - 256 : i32(low);
}

i32 clamp_count(i32 v) {
    return v < kMinCount ? kMinCount : v > kMaxCount ? kMaxCount : v;
}

// 2:1 scaling as the PS/2 mouse applies it to stream-mode reports.
i32 scale_2to1(i32 v) {
    i32 magnitude = v < 0 ? -v : v;
    static constexpr i32 kSmall[6] = {0, 1, 1, 3, 6, 9};
    i32 scaled = magnitude < 6 ? kSmall[magnitude] : 2 * magnitude;
    return v < 0 ? -scaled : scaled;
}

} // namespace

void Ps2Mouse::power_on() {
    load_defaults();
    wrap_ = false;
    id_ = kStandardId;
    for (u8& rate : rate_history_)
        rate = 0;
    buttons_ = 0;
    awaiting_ = Awaiting::Command;
    last_sent_ = 0;
    replies_.clear();
}

void Ps2Mouse::load_defaults() {
    sample_rate_ = kDefaultSampleRate;
    resolution_ = kDefaultResolution;
    scaling_2to1_ = false;
    reporting_ = false;
    remote_ = false;
    reset_counters();
    packets_.clear();
}

void Ps2Mouse::receive(u8 byte) {
    if (wrap_ && byte != kCmdResetWrap && byte != kCmdReset) {
        replies_.clear();
        reply(byte);
        return;
    }
    if (awaiting_ != Awaiting::Command && byte < kLowestCommand)
        argument(byte);
    else
        command(byte);
}

void Ps2Mouse::command(u8 byte) {
    // A new command ends whatever answer was still being sent.
    replies_.clear();
    awaiting_ = Awaiting::Command;
    u8 packet[4];
    switch (byte) {
    case kCmdReset:
        power_on();
        reply(kAck);
        reply(kSelfTestPassed);
        reply(id_);
        return;
    case kCmdResend:
        reply(last_sent_);
        return;
    case kCmdDefaults:
        load_defaults();
        reply(kAck);
        return;
    case kCmdDisable:
        reporting_ = false;
        reset_counters();
        packets_.clear();
        reply(kAck);
        return;
    case kCmdEnable:
        reporting_ = true;
        reset_counters();
        reply(kAck);
        return;
    case kCmdSampleRate:
        reply(kAck);
        awaiting_ = Awaiting::SampleRate;
        return;
    case kCmdIdentify:
        reset_counters();
        reply(kAck);
        reply(id_);
        return;
    case kCmdRemoteMode:
        remote_ = true;
        reset_counters();
        packets_.clear();
        reply(kAck);
        return;
    case kCmdWrapMode:
        wrap_ = true;
        reset_counters();
        packets_.clear();
        reply(kAck);
        return;
    case kCmdResetWrap:
        wrap_ = false;
        reset_counters();
        reply(kAck);
        return;
    case kCmdReadData: {
        reply(kAck);
        usize count = make_packet(dx_, dy_, packet);
        for (usize i = 0; i < count; ++i)
            reply(packet[i]);
        reset_counters();
        return;
    }
    case kCmdStreamMode:
        remote_ = false;
        reset_counters();
        reply(kAck);
        return;
    case kCmdStatus: {
        // Status buttons are ordered left, middle, right from bit 2 down.
        u8 left = buttons_ & 1, right = (buttons_ >> 1) & 1, middle = (buttons_ >> 2) & 1;
        reply(kAck);
        reply(u8((remote_ ? 0x40 : 0) | (reporting_ ? 0x20 : 0) | (scaling_2to1_ ? 0x10 : 0) |
                 (left << 2) | (middle << 1) | right));
        reply(resolution_);
        reply(sample_rate_);
        return;
    }
    case kCmdResolution:
        reply(kAck);
        awaiting_ = Awaiting::Resolution;
        return;
    case kCmdScaling2to1:
        scaling_2to1_ = true;
        reply(kAck);
        return;
    case kCmdScaling1to1:
        scaling_2to1_ = false;
        reply(kAck);
        return;
    default:
        reply(kResend);
        return;
    }
}

// An invalid argument is answered with Resend and the mouse keeps waiting
// for a valid one.
void Ps2Mouse::argument(u8 byte) {
    switch (awaiting_) {
    case Awaiting::SampleRate:
        if (!valid_sample_rate(byte))
            break;
        sample_rate_ = byte;
        rate_history_[0] = rate_history_[1];
        rate_history_[1] = rate_history_[2];
        rate_history_[2] = byte;
        // The IntelliMouse knock: rates 200, 100, 80 in a row switch the
        // mouse to id 3 (wheel, 4-byte packets).
        if (rate_history_[0] == 200 && rate_history_[1] == 100 && rate_history_[2] == 80)
            id_ = kIntelliMouseId;
        reply(kAck);
        awaiting_ = Awaiting::Command;
        return;
    case Awaiting::Resolution:
        if (byte > 3)
            break;
        resolution_ = byte;
        reply(kAck);
        awaiting_ = Awaiting::Command;
        return;
    case Awaiting::Command:
        return; // receive() sends these to command()
    }
    reply(kResend);
}

usize Ps2Mouse::make_packet(i32 dx, i32 dy, u8* out) const {
    bool x_overflow = dx < kMinCount || dx > kMaxCount;
    bool y_overflow = dy < kMinCount || dy > kMaxCount;
    dx = clamp_count(dx);
    dy = clamp_count(dy);
    out[0] = u8(kAlwaysOne | (buttons_ & kButtonBits) | (dx < 0 ? kXNegative : 0) |
                (dy < 0 ? kYNegative : 0) | (x_overflow ? kXOverflow : 0) |
                (y_overflow ? kYOverflow : 0));
    out[1] = u8(dx & 0xff);
    out[2] = u8(dy & 0xff);
    if (id_ != kIntelliMouseId)
        return 3;
    out[3] = 0; // no wheel motion
    return 4;
}

void Ps2Mouse::host_packet(const u8 packet[3]) {
    buttons_ = packet[0] & kButtonBits;
    i32 dx = decode_axis(packet[1], packet[0] & kXNegative, packet[0] & kXOverflow);
    i32 dy = decode_axis(packet[2], packet[0] & kYNegative, packet[0] & kYOverflow);
    if (remote_ || wrap_ || !reporting_) {
        dx_ = clamp_count(dx_ + dx);
        dy_ = clamp_count(dy_ + dy);
        return;
    }
    if (scaling_2to1_) {
        dx = scale_2to1(dx);
        dy = scale_2to1(dy);
    }
    u8 bytes[4];
    usize count = make_packet(dx, dy, bytes);
    if (!packets_.push_all(bytes, count))
        ++dropped_packets_;
}

u8 Ps2Mouse::take_output() {
    last_sent_ = !replies_.is_empty() ? replies_.pop() : packets_.pop();
    return last_sent_;
}

Result<void> Ps2Mouse::save(chkpt::Writer& writer) const {
    TRY(writer.u8_(kSaveVersion));
    TRY(writer.u8_(sample_rate_));
    TRY(writer.u8_(resolution_));
    TRY(writer.bool_(scaling_2to1_));
    TRY(writer.bool_(reporting_));
    TRY(writer.bool_(remote_));
    TRY(writer.bool_(wrap_));
    TRY(writer.u8_(id_));
    TRY(writer.bytes(rate_history_, sizeof rate_history_));
    TRY(writer.u8_(buttons_));
    TRY(writer.u16_(u16(i16(dx_))));
    TRY(writer.u16_(u16(i16(dy_))));
    TRY(writer.u8_(u8(awaiting_)));
    TRY(writer.u8_(last_sent_));
    TRY(replies_.save(writer));
    TRY(packets_.save(writer));
    return {};
}

Result<void> Ps2Mouse::load(chkpt::Reader& reader) {
    if (TRY(reader.u8_()) != kSaveVersion)
        return make_error(Errno::Inval, "snapshot of the PS/2 mouse has an unknown version");
    u8 sample_rate = TRY(reader.u8_());
    u8 resolution = TRY(reader.u8_());
    bool scaling = TRY(reader.bool_());
    bool reporting = TRY(reader.bool_());
    bool remote = TRY(reader.bool_());
    bool wrap = TRY(reader.bool_());
    u8 id = TRY(reader.u8_());
    u8 history[3];
    TRY(reader.bytes(history, sizeof history));
    u8 buttons = TRY(reader.u8_());
    i32 dx = i16(TRY(reader.u16_()));
    i32 dy = i16(TRY(reader.u16_()));
    u8 awaiting = TRY(reader.u8_());
    u8 last_sent = TRY(reader.u8_());
    if (!valid_sample_rate(sample_rate) || resolution > 3)
        return make_error(Errno::Inval,
                          "snapshot holds an invalid mouse sample rate or resolution");
    if (id != kStandardId && id != kIntelliMouseId)
        return make_error(Errno::Inval, "snapshot holds an unknown mouse id");
    if (buttons > kButtonBits || dx != clamp_count(dx) || dy != clamp_count(dy))
        return make_error(Errno::Inval, "snapshot holds invalid mouse buttons or movement");
    if (awaiting > u8(Awaiting::Resolution))
        return make_error(Errno::Inval, "snapshot holds an invalid mouse command state");
    Ps2ByteQueue<8> replies;
    Ps2ByteQueue<kPacketBufferBytes> packets;
    TRY(replies.load(reader));
    TRY(packets.load(reader));
    sample_rate_ = sample_rate;
    resolution_ = resolution;
    scaling_2to1_ = scaling;
    reporting_ = reporting;
    remote_ = remote;
    wrap_ = wrap;
    id_ = id;
    for (usize i = 0; i < 3; ++i)
        rate_history_[i] = history[i];
    buttons_ = buttons;
    dx_ = dx;
    dy_ = dy;
    awaiting_ = Awaiting(awaiting);
    last_sent_ = last_sent;
    replies_ = replies;
    packets_ = packets;
    return {};
}

} // namespace v3::devices
