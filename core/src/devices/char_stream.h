// CHAR_STREAM: connects a guest character device (a serial port) to a named
// host stream, as Palacios' CHAR_STREAM does:
//   <device class="CHAR_STREAM" id="stream1" name="com1">
//     <frontend tag="serial" com_port="1"/>
//   </device>
// Guest output goes to the host stream without ever blocking (what the host
// cannot take is dropped and counted). Host input is handed to the frontend;
// what its receiver cannot take yet waits in a small buffer here and is
// offered again as guest time passes, i.e. as the guest drains the receiver.
#pragma once

#include "config/vm_config.h"
#include "devices/device.h"
#include "devices/registry.h"
#include "vm/guest_clock.h"
#include "vm/host_streams.h"

namespace v3 {
class Vm;
}

namespace v3::devices {

inline constexpr usize kStreamNameMaxLength = 31;
inline constexpr usize kStreamInputBufferSize = 256;

class CharStream final : public Device, public CharBackend, public StreamSink, public TimeListener {
public:
    static Result<void> validate(const config::DeviceEntry& entry, const config::VmConfig& config,
                                 config::Diagnostic& diag);
    static Result<OwnPtr<Device>> create(Vm& vm, const config::DeviceEntry& entry,
                                         config::Diagnostic& diag);
    ~CharStream() override;

    StringView class_name() const override { return "CHAR_STREAM"; }
    StringView name() const { return name_.view(); }

    // Guest output the host stream took, and what it refused (dropped).
    u64 bytes_to_host() const { return bytes_to_host_; }
    u64 bytes_dropped() const { return bytes_dropped_; }
    // Host input accepted but not yet taken by the frontend.
    usize pending_input() const { return input_count_; }

    // CharBackend: guest to host.
    usize write_to_host(const u8* data, usize size) override;
    // StreamSink: host to guest. Returns how many bytes were accepted (given
    // to the frontend or buffered); the host keeps the rest.
    usize deliver(const u8* data, usize size) override;
    Result<void> advance_time(u64 previous_ns, u64 now_ns) override;

    Result<void> save(chkpt::Writer& writer) const override;
    Result<void> load(chkpt::Reader& reader) override;

private:
    explicit CharStream(Vm& vm) : vm_(vm) {}
    void offer_buffered_input();

    Vm& vm_;
    String name_;
    OwnPtr<HostStream> stream_;
    CharFrontend* frontend_ = nullptr;
    u64 bytes_to_host_ = 0;
    u64 bytes_dropped_ = 0;
    u8 input_[kStreamInputBufferSize];
    usize input_head_ = 0;
    usize input_count_ = 0;
};

} // namespace v3::devices
