#include "devices/test_exit.h"
#include "config/text_arg.h"
#include "devices/registry.h"
#include "lib/format.h"
#include "vm/vm.h"

namespace v3::devices {

namespace {

Result<void> validate_test_exit(const config::DeviceEntry& entry, const config::VmConfig&,
                                config::Diagnostic& diag) {
    TRY(read_test_exit_settings(*entry.element, diag));
    return {};
}

} // namespace

extern const DeviceClass kTestExitClass;
const DeviceClass kTestExitClass = {"TEST_EXIT", validate_test_exit, TestExit::create};

Result<TestExitSettings> read_test_exit_settings(const xml::Element& device,
                                                 config::Diagnostic& diag) {
    TestExitSettings settings;
    u64 iobase =
        TRY(config::read_unsigned(device, "iobase", 0, 0xFFFF, kTestExitDefaultPort, false, diag));
    u64 iosize = TRY(config::read_unsigned(device, "iosize", 1, 4, 1, false, diag));
    if (iosize == 3)
        return diag.fail(device, "iosize 3 is not one of 1, 2, 4");
    if (iobase + iosize > 0x10000)
        return diag.fail(device, "iobase 0x%llx with iosize %llu runs past port 0xffff",
                         (unsigned long long)iobase, (unsigned long long)iosize);
    settings.iobase = u16(iobase);
    settings.iosize = u8(iosize);
    return settings;
}

Result<OwnPtr<Device>> TestExit::create(Vm& vm, const config::DeviceEntry& entry,
                                        config::Diagnostic& diag) {
    TestExitSettings settings = TRY(read_test_exit_settings(*entry.element, diag));
    OwnPtr<TestExit> device(new (alloc) TestExit(vm));
    if (!device)
        return make_error(Errno::NoMem, "out of memory for the TEST_EXIT device");
    auto claimed = vm.io_ports().claim(settings.iobase, settings.iosize, *device, "TEST_EXIT");
    if (claimed.is_error()) {
        StringView owner;
        for (u32 port = settings.iobase;
             owner.is_empty() && port < settings.iobase + settings.iosize; ++port)
            owner = vm.io_ports().owner_of(u16(port));
        return diag.fail(*entry.element, "cannot claim I/O ports 0x%x-0x%x: %s (owner: %s)",
                         settings.iobase, settings.iobase + settings.iosize - 1,
                         claimed.error().message, TextArg(owner).c_str());
    }
    return OwnPtr<Device>(move(device));
}

TestExit::~TestExit() {
    vm_.io_ports().release(*this);
}

Result<u32> TestExit::io_read(const IoAccess&) {
    return 0;
}

Result<void> TestExit::io_write(const IoAccess& access, u32 value) {
    u32 status = access.size == 4 ? value : value & ((1u << (8 * access.size)) - 1);
    char reason[64];
    format(reason, sizeof reason, "the guest wrote %u to the test-exit port", status);
    vm_.request_stop(status, reason);
    return {};
}

} // namespace v3::devices
