// TEST_EXIT, a test device (devices/test_registry.cpp; a config names it only
// under <devices test_devices="yes">): lets a test guest end its VM with a
// status, like QEMU's isa-debug-exit. Any write to the port range (default 0x501, one port)
// stops the VM with vm.request_stop(V, ...), where V is the value written,
// zero-extended from the access size. Unlike QEMU, which exits with
// (V << 1) | 1, the status is V itself: writing 0 reports success as 0.
// Reads return 0.
//
//   <device class="TEST_EXIT" id="exit" iobase="0x501" iosize="1"/>
//   iobase: first port (0-0xffff); iosize: 1, 2 or 4 ports.
#pragma once

#include "config/vm_config.h"
#include "devices/device.h"
#include "hooks/io_port_bus.h"

namespace v3 {
class Vm;
}

namespace v3::devices {

inline constexpr u16 kTestExitDefaultPort = 0x501;

struct TestExitSettings {
    u16 iobase = kTestExitDefaultPort;
    u8 iosize = 1;
};

Result<TestExitSettings> read_test_exit_settings(const xml::Element& device,
                                                 config::Diagnostic& diag);

class TestExit final : public Device, public IoPortHandler {
public:
    static Result<OwnPtr<Device>> create(Vm& vm, const config::DeviceEntry& entry,
                                         config::Diagnostic& diag);
    ~TestExit() override;

    StringView class_name() const override { return "TEST_EXIT"; }
    Result<u32> io_read(const IoAccess& access) override;
    Result<void> io_write(const IoAccess& access, u32 value) override;

private:
    explicit TestExit(Vm& vm) : vm_(vm) {}

    Vm& vm_;
};

} // namespace v3::devices
