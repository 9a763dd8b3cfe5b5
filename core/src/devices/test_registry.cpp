// The test registry: devices that exist for test guests and benchmarks, not
// for the machine a guest sees. TEST_EXIT ends the VM with a status (as
// QEMU's isa-debug-exit), MMIO_TEST is a register page for the MMIO path.
// They are built into the module, because the sandbox tests run test guests
// on it, but a config reaches them only through <devices test_devices="yes">,
// and they are not among the classes named to users.
#include "devices/class_table.h"

namespace v3::devices {

extern const DeviceClass kTestExitClass;
extern const DeviceClass kMmioTestClass;

namespace {

const DeviceClass* const kTestClasses[] = {
    &kTestExitClass, &kMmioTestClass,
    nullptr, // end of the table
};

const char* g_test_names[sizeof kTestClasses / sizeof kTestClasses[0]];

} // namespace

const char* const* test_class_names() {
    return detail::fill_class_names(kTestClasses, g_test_names);
}

namespace detail {

const DeviceClass* find_test_class(StringView name) {
    return find_class_in(kTestClasses, name);
}

} // namespace detail

} // namespace v3::devices
