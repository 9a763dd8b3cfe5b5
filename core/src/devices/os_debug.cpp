#include "devices/os_debug.h"
#include "config/text_arg.h"
#include "devices/registry.h"
#include "vm/vm.h"

namespace v3::devices {

extern const DeviceClass kOsDebugClass;
const DeviceClass kOsDebugClass = {"OS_DEBUG", nullptr, OsDebug::create};

Result<OwnPtr<Device>> OsDebug::create(Vm& vm, const config::DeviceEntry& entry,
                                       config::Diagnostic& diag) {
    OwnPtr<OsDebug> device(new (alloc) OsDebug(vm));
    if (!device)
        return make_error(Errno::NoMem, "out of memory for the OS_DEBUG device");
    auto claimed = vm.io_ports().claim(kOsDebugPort, 1, *device, "OS_DEBUG");
    if (claimed.is_error()) {
        StringView owner = vm.io_ports().owner_of(kOsDebugPort);
        return diag.fail(*entry.element, "cannot claim I/O port 0x%x: %s (owner: %s)", kOsDebugPort,
                         claimed.error().message, TextArg(owner).c_str());
    }
    return OwnPtr<Device>(move(device));
}

OsDebug::~OsDebug() {
    vm_.io_ports().release(*this);
}

Result<u32> OsDebug::io_read(const IoAccess& access) {
    return access.size == 4 ? 0xFFFFFFFFu : (1u << (8 * access.size)) - 1;
}

Result<void> OsDebug::io_write(const IoAccess& access, u32 value) {
    if (access.offset == 0)
        line_.put(u8(value)); // the low byte is the one at 0xC0C0
    return {};
}

} // namespace v3::devices
