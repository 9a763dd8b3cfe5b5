// Device classes by name, as Palacios registers them ("8259A", "SERIAL", ...).
// The table in registry.cpp lists every class the core knows; the config
// reader checks class names against it and lets each class validate its own
// <device> subtree before any VM is built.
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

// nullptr-terminated list of class names, in registry order.
const char* const* known_class_names();
const DeviceClass* find_class(StringView name);
// The DeviceValidator the config reader takes: dispatches to the class.
Result<void> validate_device_config(const config::DeviceEntry& entry,
                                    const config::VmConfig& config, config::Diagnostic& diag);

} // namespace v3::devices
