#include "devices/device_manager.h"
#include "devices/registry.h"
#include "lib/format.h"

namespace v3::devices {

Result<Device*> DeviceManager::create(Vm& vm, const config::DeviceEntry& entry, bool test_devices,
                                      config::Diagnostic& diag) {
    const DeviceClass* cls = find_class(entry.class_name, test_devices);
    if (!cls || !cls->create)
        return diag.fail(*entry.element, "unknown device class '%.*s'",
                         int(entry.class_name.length()), entry.class_name.data());
    if (find(entry.id))
        return diag.fail(*entry.element, "a device with id '%.*s' already exists",
                         int(entry.id.length()), entry.id.data());
    if (!devices_.try_reserve(devices_.size() + 1))
        return make_error(Errno::NoMem, "out of memory for the device list");
    OwnPtr<Device> device = TRY(cls->create(vm, entry, diag));
    device->id_ = TRY(String::try_create(entry.id));
    Device* raw = device.get();
    (void)devices_.try_append(move(device));
    return raw;
}

Result<void> DeviceManager::create_all(Vm& vm, const config::VmConfig& config,
                                       config::Diagnostic& diag) {
    for (const config::DeviceEntry& entry : config.devices)
        TRY(create(vm, entry, config.test_devices, diag));
    return {};
}

void DeviceManager::destroy_all() {
    while (!devices_.is_empty())
        devices_.remove(devices_.size() - 1);
}

Device* DeviceManager::find(StringView id) const {
    for (const OwnPtr<Device>& d : devices_)
        if (d->id() == id)
            return d.get();
    return nullptr;
}

Result<void> DeviceManager::save(chkpt::Writer& writer) const {
    for (const OwnPtr<Device>& d : devices_) {
        TRY(writer.begin_section(d->id()));
        TRY(d->save(writer));
        TRY(writer.end_section());
    }
    return {};
}

Result<void> DeviceManager::load(chkpt::Reader& reader) {
    for (OwnPtr<Device>& d : devices_) {
        chkpt::Reader section = TRY(reader.section(d->id()));
        TRY(d->load(section));
        if (!section.at_end())
            return make_error(Errno::Inval, "a device's snapshot has bytes it did not read");
    }
    return {};
}

} // namespace v3::devices
