// MMIO_TEST, a test device (devices/test_registry.cpp; a config names it only
// under <devices test_devices="yes">): a small memory-mapped register block
// for exercising the MMIO path (nested page fault -> instruction emulation
// -> device) from test guests, as TEST_EXIT does for port I/O. One 4 KB page at `base`:
//
//   0x00  ID       read-only, 0x4d4d3356 ("V3MM")
//   0x04  SCRATCH0 read/write
//   0x08  SCRATCH1 read/write
//   0x0c  SCRATCH2 read/write
//   0x10  EXIT     write: stop the VM with the value as its status
//   0x14  ACCESSES read-only: how many accesses the device has seen
//   other offsets read 0, writes are ignored
//
// Accesses may be 1, 2, 4 or 8 bytes at any offset; they act on the bytes
// they cover, little-endian.
//
//   <device class="MMIO_TEST" id="mmio" base="0xd0000"/>
//   base: guest-physical, 4 KB aligned, below 2^52 (default 0xfeb00000)
#pragma once

#include "config/vm_config.h"
#include "devices/device.h"
#include "hooks/memory_hooks.h"

namespace v3 {
class Vm;
}

namespace v3::devices {

inline constexpr u64 kMmioTestDefaultBase = 0xfeb00000;
inline constexpr u32 kMmioTestId = 0x4d4d3356;

class MmioTest final : public Device, public MmioHandler {
public:
    static Result<OwnPtr<Device>> create(Vm& vm, const config::DeviceEntry& entry,
                                         config::Diagnostic& diag);
    ~MmioTest() override;

    StringView class_name() const override { return "MMIO_TEST"; }
    Result<void> mmio_read(u64 offset, u8* data, u32 size) override;
    Result<void> mmio_write(u64 offset, const u8* data, u32 size) override;
    Result<void> save(chkpt::Writer& writer) const override;
    Result<void> load(chkpt::Reader& reader) override;

    u32 accesses() const { return accesses_; }

private:
    explicit MmioTest(Vm& vm) : vm_(vm) {}
    u8 register_byte(u64 offset) const;

    Vm& vm_;
    u32 scratch_[3] = {};
    u32 accesses_ = 0;
};

} // namespace v3::devices
