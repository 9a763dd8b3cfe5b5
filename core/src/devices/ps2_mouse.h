// A PS/2 mouse behind the 8042's auxiliary port (the guest reaches it with
// controller command D4). It answers commands and turns host mouse packets
// into PS/2 movement packets: queued for the guest in stream mode with
// reporting enabled, otherwise summed into movement counters that Read Data
// (EB) returns.
//
// Commands (each answered with ACK 0xFA, as is an argument byte): FF reset
// (FA AA 00), FE resend the last byte (no ACK), F6 defaults, F5/F4
// disable/enable reporting, F3 sample rate (+arg), F2 identify (FA, then
// 00, or 03 once the IntelliMouse knock 200-100-80 was sent as sample
// rates), F0 remote mode, EE wrap (echo) mode, EC leave wrap mode, EB read
// data, EA stream mode, E9 status (FA + 3 bytes), E8 resolution (+arg),
// E7/E6 scaling 2:1 / 1:1. Anything else gets Resend (0xFE). An
// IntelliMouse sends 4-byte packets; the fourth (wheel) byte is 0, as host
// packets carry no wheel motion.
#pragma once

#include "chkpt/snapshot.h"
#include "devices/ps2_byte_queue.h"
#include "lib/result.h"

namespace v3::devices {

class Ps2Mouse {
public:
    // Packet bytes buffered while the guest does not read them (whole
    // packets only: 16 standard or 12 IntelliMouse packets).
    static constexpr usize kPacketBufferBytes = 48;

    static constexpr u8 kAck = 0xfa;
    static constexpr u8 kResend = 0xfe;
    static constexpr u8 kSelfTestPassed = 0xaa;
    static constexpr u8 kStandardId = 0x00;
    static constexpr u8 kIntelliMouseId = 0x03;

    Ps2Mouse() { power_on(); }

    // A byte the controller sends to the mouse (after command D4).
    void receive(u8 byte);
    // A standard 3-byte packet from the host: buttons and signs, dx, dy.
    void host_packet(const u8 packet[3]);

    // Bytes for the controller: command replies first, then packets.
    bool has_output() const { return !replies_.is_empty() || !packets_.is_empty(); }
    u8 take_output();

    bool reporting() const { return reporting_; }
    bool remote_mode() const { return remote_; }
    bool wrap_mode() const { return wrap_; }
    bool scaling_2to1() const { return scaling_2to1_; }
    u8 sample_rate() const { return sample_rate_; }
    u8 resolution() const { return resolution_; }
    u8 device_id() const { return id_; }
    // Host packets lost because the packet buffer was full.
    u64 dropped_packets() const { return dropped_packets_; }

    Result<void> save(chkpt::Writer& writer) const;
    Result<void> load(chkpt::Reader& reader);

private:
    enum class Awaiting : u8 { Command, SampleRate, Resolution };

    void power_on();
    void load_defaults();
    void command(u8 byte);
    void argument(u8 byte);
    void reply(u8 byte) { (void)replies_.push(byte); }
    void reset_counters() { dx_ = dy_ = 0; }
    // A movement packet (3 or 4 bytes by device id) into `out`; the count.
    usize make_packet(i32 dx, i32 dy, u8* out) const;

    u8 sample_rate_ = 100;
    u8 resolution_ = 2;
    bool scaling_2to1_ = false;
    bool reporting_ = false;
    bool remote_ = false;
    bool wrap_ = false;
    u8 id_ = kStandardId;
    u8 rate_history_[3] = {}; // the last three sample rates set, oldest first
    u8 buttons_ = 0;          // bit 0 left, 1 right, 2 middle (packet order)
    i32 dx_ = 0;              // movement counters, -256..255
    i32 dy_ = 0;
    Awaiting awaiting_ = Awaiting::Command;
    u8 last_sent_ = 0;
    Ps2ByteQueue<8> replies_;
    Ps2ByteQueue<kPacketBufferBytes> packets_;
    u64 dropped_packets_ = 0;
};

} // namespace v3::devices
