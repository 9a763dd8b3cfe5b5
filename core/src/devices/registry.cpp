#include "devices/registry.h"

namespace v3::devices {

// Each device file defines its class object (`extern const DeviceClass
// kXClass = {"NAME", validate, create};`). List every one here, in the order
// class names are shown to users.
extern const DeviceClass k8259AClass;
extern const DeviceClass k8254PitClass;
extern const DeviceClass kKeyboardClass;
extern const DeviceClass kNvramClass;
extern const DeviceClass kSerialClass;
extern const DeviceClass kCharStreamClass;
extern const DeviceClass kBochsDebugClass;
extern const DeviceClass kOsDebugClass;
extern const DeviceClass kTestExitClass;
extern const DeviceClass kMmioTestClass;

namespace {

const DeviceClass* const kClasses[] = {
    &k8259AClass,      &k8254PitClass,    &kKeyboardClass, &kNvramClass,    &kSerialClass,
    &kCharStreamClass, &kBochsDebugClass, &kOsDebugClass,  &kTestExitClass, &kMmioTestClass,
    nullptr, // end of the table
};

constexpr usize kClassCount = sizeof kClasses / sizeof kClasses[0] - 1;

// Filled from kClasses on every call: the same values each time, so
// concurrent callers cannot disagree, and no initialisation order matters.
const char* g_names[kClassCount + 1];

} // namespace

const char* const* known_class_names() {
    for (usize i = 0; i < kClassCount; ++i)
        g_names[i] = kClasses[i]->name;
    g_names[kClassCount] = nullptr;
    return g_names;
}

const DeviceClass* find_class(StringView name) {
    for (usize i = 0; i < kClassCount; ++i)
        if (name == kClasses[i]->name)
            return kClasses[i];
    return nullptr;
}

Result<void> validate_device_config(const config::DeviceEntry& entry,
                                    const config::VmConfig& config, config::Diagnostic& diag) {
    const DeviceClass* cls = find_class(entry.class_name);
    if (!cls)
        return diag.fail(*entry.element, "unknown device class '%.*s'",
                         int(entry.class_name.length()), entry.class_name.data());
    return cls->validate ? cls->validate(entry, config, diag) : Result<void>();
}

} // namespace v3::devices
