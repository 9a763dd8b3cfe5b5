#include "devices/bochs_debug.h"
#include "config/text_arg.h"
#include "devices/registry.h"
#include "vm/vm.h"

namespace v3::devices {

namespace {

constexpr u8 kSaveVersion = 1;

} // namespace

extern const DeviceClass kBochsDebugClass;
const DeviceClass kBochsDebugClass = {"BOCHS_DEBUG", nullptr, BochsDebug::create};

BochsDebug::BochsDebug(Vm& vm)
    : vm_(vm), info_(vm, "bochs"), debug_(vm, "bochs"), console_(vm, "bochs") {}

Result<OwnPtr<Device>> BochsDebug::create(Vm& vm, const config::DeviceEntry& entry,
                                          config::Diagnostic& diag) {
    OwnPtr<BochsDebug> device(new (alloc) BochsDebug(vm));
    if (!device)
        return make_error(Errno::NoMem, "out of memory for the BOCHS_DEBUG device");
    struct Range {
        u16 first;
        u32 count;
    };
    const Range ranges[] = {{kBochsInfoPort, 2}, {kBochsConsolePort, 1}};
    for (const Range& range : ranges) {
        auto claimed = vm.io_ports().claim(range.first, range.count, *device, "BOCHS_DEBUG");
        if (claimed.is_error()) {
            StringView owner = vm.io_ports().owner_of(range.first);
            return diag.fail(*entry.element, "cannot claim I/O port 0x%x: %s (owner: %s)",
                             range.first, claimed.error().message, TextArg(owner).c_str());
        }
    }
    return OwnPtr<Device>(move(device));
}

BochsDebug::~BochsDebug() {
    vm_.io_ports().release(*this);
}

GuestLogLine* BochsDebug::line_for(u32 port) {
    switch (port) {
    case kBochsInfoPort:
        return &info_;
    case kBochsDebugPort:
        return &debug_;
    case kBochsConsolePort:
        return &console_;
    default:
        return nullptr;
    }
}

Result<u32> BochsDebug::io_read(const IoAccess& access) {
    u32 value = 0;
    for (unsigned i = 0; i < access.size; ++i) {
        u8 byte = u32(access.port) + i == kBochsConsolePort ? 0xE9 : 0xFF;
        value |= u32(byte) << (8 * i);
    }
    return value;
}

Result<void> BochsDebug::io_write(const IoAccess& access, u32 value) {
    for (unsigned i = 0; i < access.size; ++i)
        if (GuestLogLine* line = line_for(u32(access.port) + i))
            line->put(u8(value >> (8 * i)));
    return {};
}

Result<void> BochsDebug::save(chkpt::Writer& w) const {
    TRY(w.u8_(kSaveVersion));
    TRY(info_.save(w));
    TRY(debug_.save(w));
    TRY(console_.save(w));
    return {};
}

Result<void> BochsDebug::load(chkpt::Reader& r) {
    u8 version = TRY(r.u8_());
    if (version != kSaveVersion)
        return make_error(Errno::Inval, "BOCHS_DEBUG snapshot has an unknown version");
    TRY(info_.load(r));
    TRY(debug_.load(r));
    TRY(console_.load(r));
    return {};
}

} // namespace v3::devices
