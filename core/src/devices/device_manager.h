// The devices of one VM, in creation (config) order. Destroyed in reverse
// order so a device never outlives one it refers to.
#pragma once

#include "config/vm_config.h"
#include "devices/device.h"
#include "lib/vector.h"

namespace v3 {
class Vm;
}

namespace v3::devices {

class DeviceManager {
public:
    DeviceManager() = default;
    ~DeviceManager() { destroy_all(); }
    DeviceManager(const DeviceManager&) = delete;
    DeviceManager& operator=(const DeviceManager&) = delete;

    // Creates every <device> of the configuration through the registry.
    Result<void> create_all(Vm& vm, const config::VmConfig& config, config::Diagnostic& diag);
    // Creates one device (tests build VMs device by device this way); a test
    // device only when `test_devices` (the config's <devices test_devices>).
    Result<Device*> create(Vm& vm, const config::DeviceEntry& entry, bool test_devices,
                           config::Diagnostic& diag);
    void destroy_all();

    Device* find(StringView id) const;
    usize count() const { return devices_.size(); }
    Device& at(usize index) { return *devices_[index]; }

    // One snapshot section per device, named by its id, in creation order.
    Result<void> save(chkpt::Writer& writer) const;
    Result<void> load(chkpt::Reader& reader);

private:
    Vector<OwnPtr<Device>> devices_;
};

} // namespace v3::devices
