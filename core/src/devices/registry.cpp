#include "devices/registry.h"
#include "devices/class_table.h"

namespace v3::devices {

// Each device file defines its class object (`extern const DeviceClass
// kXClass = {"NAME", validate, create};`). List every product device here,
// in the order class names are shown to users; test devices go in
// test_registry.cpp.
extern const DeviceClass k8259AClass;
extern const DeviceClass k8254PitClass;
extern const DeviceClass kKeyboardClass;
extern const DeviceClass kNvramClass;
extern const DeviceClass kSerialClass;
extern const DeviceClass kCharStreamClass;
extern const DeviceClass kBochsDebugClass;
extern const DeviceClass kOsDebugClass;
extern const DeviceClass kCgaVideoClass;
extern const DeviceClass kCursesConsoleClass;

namespace {

const DeviceClass* const kClasses[] = {
    &k8259AClass,      &k8254PitClass,    &kKeyboardClass, &kNvramClass,    &kSerialClass,
    &kCharStreamClass, &kBochsDebugClass, &kOsDebugClass,  &kCgaVideoClass, &kCursesConsoleClass,
    nullptr, // end of the table
};

const char* g_names[sizeof kClasses / sizeof kClasses[0]];

} // namespace

const char* const* known_class_names() {
    return detail::fill_class_names(kClasses, g_names);
}

const DeviceClass* find_class(StringView name, bool test_devices) {
    if (const DeviceClass* cls = detail::find_class_in(kClasses, name))
        return cls;
    return test_devices ? detail::find_test_class(name) : nullptr;
}

Result<void> validate_device_config(const config::DeviceEntry& entry,
                                    const config::VmConfig& config, config::Diagnostic& diag) {
    const DeviceClass* cls = find_class(entry.class_name, config.test_devices);
    if (!cls)
        return diag.fail(*entry.element, "unknown device class '%.*s'",
                         int(entry.class_name.length()), entry.class_name.data());
    return cls->validate ? cls->validate(entry, config, diag) : Result<void>();
}

} // namespace v3::devices
