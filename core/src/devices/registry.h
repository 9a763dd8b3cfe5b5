// Device classes by name, as Palacios registers them ("8259A", "SERIAL", ...).
// Two registries: the product's (registry.cpp), the devices a guest's
// machine has, and the test devices (test_registry.cpp: TEST_EXIT,
// MMIO_TEST), which let test guests report results and exercise the VMM's
// paths but model no hardware. A config may name a test device only when its
// <devices test_devices="yes"> says so. The config reader checks class names
// against both and lets each class validate its own <device> subtree before
// any VM is built.
#pragma once

#include "config/vm_config.h"
#include "lib/result.h"

namespace v3 {
class Vm;
}

namespace v3::devices {

class Device;

struct DeviceClass {
    const char* name;
    // Checks the <device> subtree without creating anything (build_vm and
    // the kernel both run it before a VM is built). May be nullptr.
    Result<void> (*validate)(const config::DeviceEntry& entry, const config::VmConfig& config,
                             config::Diagnostic& diag);
    // Creates the device in `vm`, registering its hooks. Devices named in
    // references (frontend, bus, ...) already exist.
    Result<OwnPtr<Device>> (*create)(Vm& vm, const config::DeviceEntry& entry,
                                     config::Diagnostic& diag);
};

// nullptr-terminated lists of class names, in registry order: the product's,
// and the test devices'.
const char* const* known_class_names();
const char* const* test_class_names();
// The class called `name`: a product class, or a test class when
// `test_devices` (the config's <devices test_devices>) allows them.
const DeviceClass* find_class(StringView name, bool test_devices);
// The DeviceValidator the config reader takes: dispatches to the class.
// (parse_vm_config takes known_class_names() and test_class_names().)
Result<void> validate_device_config(const config::DeviceEntry& entry,
                                    const config::VmConfig& config, config::Diagnostic& diag);

} // namespace v3::devices
