// The readers for each part of <vm>, shared by vm_config.cpp (the order and
// the whole) and vm_config_devices.cpp (the <devices> section). Internal to
// config/.
#pragma once

#include "config/vm_config.h"

namespace v3::config::detail {

// Fails on any child of `section` whose name is not in `allowed` (a
// nullptr-terminated list), naming the accepted ones.
Result<void> check_children(const xml::Element& section, const char* const* allowed,
                            Diagnostic& diag);

// The error for a failed host allocation while reading a config.
Error out_of_memory(Diagnostic& diag);

// The class names a config may use: the product registry's (nullptr: any
// class) and the test registry's, which need <devices test_devices="yes">.
struct DeviceClassNames {
    const char* const* product;
    const char* const* test;
};

Result<void> read_devices(const xml::Element& vm, const DeviceClassNames& classes, VmConfig& config,
                          Diagnostic& diag);
Result<void> check_device_references(VmConfig& config, Diagnostic& diag);

} // namespace v3::config::detail
