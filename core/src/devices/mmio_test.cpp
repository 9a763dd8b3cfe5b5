#include "devices/mmio_test.h"
#include "devices/registry.h"
#include "vm/vm.h"

namespace v3::devices {

namespace {

constexpr u64 kPage = 4096;
constexpr u64 kExitRegister = 0x10;
constexpr u8 kSnapshotVersion = 1;

Result<u64> read_base(const xml::Element& element, config::Diagnostic& diag) {
    u64 base = TRY(config::read_unsigned(element, "base", 0, (u64(1) << 52) - kPage,
                                         kMmioTestDefaultBase, false, diag));
    if (base % kPage)
        return diag.fail(element, "base 0x%llx is not 4 KB aligned", (unsigned long long)base);
    return base;
}

Result<void> validate(const config::DeviceEntry& entry, const config::VmConfig&,
                      config::Diagnostic& diag) {
    TRY(read_base(*entry.element, diag));
    return {};
}

} // namespace

Result<OwnPtr<Device>> MmioTest::create(Vm& vm, const config::DeviceEntry& entry,
                                        config::Diagnostic& diag) {
    u64 base = TRY(read_base(*entry.element, diag));
    OwnPtr<MmioTest> device(new (alloc) MmioTest(vm));
    if (!device)
        return make_error(Errno::NoMem, "out of memory for MMIO_TEST");
    auto hooked = vm.memory_hooks().add(base, kPage, MmioHookKind::Full, *device, "MMIO_TEST");
    if (hooked.is_error())
        return diag.fail(*entry.element, "cannot map MMIO_TEST at 0x%llx: %s",
                         (unsigned long long)base, hooked.error().message);
    return OwnPtr<Device>(move(device));
}

MmioTest::~MmioTest() {
    vm_.memory_hooks().remove(*this);
}

u8 MmioTest::register_byte(u64 offset) const {
    u32 word = 0;
    switch (offset & ~u64(3)) {
    case 0x00:
        word = kMmioTestId;
        break;
    case 0x04:
    case 0x08:
    case 0x0c:
        word = scratch_[(offset - 4) / 4];
        break;
    case 0x14:
        word = accesses_;
        break;
    }
    return u8(word >> (8 * (offset & 3)));
}

Result<void> MmioTest::mmio_read(u64 offset, u8* data, u32 size) {
    ++accesses_;
    for (u32 i = 0; i < size; ++i)
        data[i] = register_byte(offset + i);
    return {};
}

Result<void> MmioTest::mmio_write(u64 offset, const u8* data, u32 size) {
    ++accesses_;
    bool exit = false;
    u64 exit_value = 0;
    for (u32 i = 0; i < size; ++i) {
        u64 at = offset + i;
        if (at >= 0x04 && at < 0x10) {
            u32& word = scratch_[(at - 4) / 4];
            unsigned shift = 8 * (at & 3);
            word = (word & ~(u32(0xff) << shift)) | (u32(data[i]) << shift);
        } else if (at >= kExitRegister && at < kExitRegister + 4) {
            exit = true;
            exit_value |= u64(data[i]) << (8 * (at - kExitRegister));
        }
    }
    if (exit)
        vm_.request_stop(u32(exit_value), "the guest wrote to the MMIO_TEST exit register");
    return {};
}

Result<void> MmioTest::save(chkpt::Writer& writer) const {
    TRY(writer.u8_(kSnapshotVersion));
    for (u32 word : scratch_)
        TRY(writer.u32_(word));
    return writer.u32_(accesses_);
}

Result<void> MmioTest::load(chkpt::Reader& reader) {
    if (TRY(reader.u8_()) != kSnapshotVersion)
        return make_error(Errno::Inval, "MMIO_TEST snapshot has an unknown version");
    u32 scratch[3];
    for (u32& word : scratch)
        word = TRY(reader.u32_());
    u32 accesses = TRY(reader.u32_());
    for (int i = 0; i < 3; ++i)
        scratch_[i] = scratch[i];
    accesses_ = accesses;
    return {};
}

extern const DeviceClass kMmioTestClass;
const DeviceClass kMmioTestClass = {"MMIO_TEST", validate, MmioTest::create};

} // namespace v3::devices
