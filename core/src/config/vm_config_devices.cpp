// The <devices> section: every device has a registered class and a unique
// id, and refers only to devices declared before it, because devices are
// created in order and a frontend must already exist when its backend
// attaches to it.
#include "config/text_arg.h"
#include "config/vm_config_sections.h"
#include "lib/format.h"

namespace v3::config::detail {

namespace {

constexpr const char* kDevice[] = {"device", nullptr};

// Child elements whose text is the id of another device.
constexpr const char* kReferenceElements[] = {"bus", "controller", "apic", "storage", nullptr};

bool is_known_class(const char* const* known_classes, StringView name) {
    for (usize i = 0; known_classes && known_classes[i]; ++i)
        if (name == known_classes[i])
            return true;
    return false;
}

const char* same_but_for_case(const char* const* known_classes, StringView name) {
    for (usize i = 0; known_classes && known_classes[i]; ++i)
        if (name.equals_ignoring_case(known_classes[i]))
            return known_classes[i];
    return nullptr;
}

// The classes this config may name: the product's, and the test registry's
// when its <devices> allows them.
Error unknown_class(const xml::Element& device, StringView name, const DeviceClassNames& classes,
                    bool test_devices, Diagnostic& diag) {
    if (!test_devices && is_known_class(classes.test, name))
        return diag.fail(device,
                         "'%s' is a test device (for test guests, not a guest's machine): "
                         "write <devices test_devices=\"yes\"> to use it",
                         TextArg(name).c_str());
    char known[240];
    usize n = 0;
    known[0] = 0;
    for (usize i = 0; classes.product[i]; ++i)
        n += format(known + n, sizeof known - n, "%s%s", n ? ", " : "", classes.product[i]);
    for (usize i = 0; test_devices && classes.test && classes.test[i]; ++i)
        n += format(known + n, sizeof known - n, "%s%s", n ? ", " : "", classes.test[i]);
    const char* suggestion = same_but_for_case(classes.product, name);
    if (!suggestion && test_devices)
        suggestion = same_but_for_case(classes.test, name);
    if (suggestion)
        return diag.fail(device,
                         "unknown device class '%s' (class names are case-sensitive: "
                         "did you mean '%s'?); known classes: %s",
                         TextArg(name).c_str(), suggestion, known);
    return diag.fail(device, "unknown device class '%s'; known classes: %s", TextArg(name).c_str(),
                     known);
}

// `device_index` refers to `target` through `kind` (e.g. "frontend").
Result<void> check_reference(const VmConfig& config, usize device_index, const char* kind,
                             StringView target, Diagnostic& diag) {
    const xml::Element& device = *config.devices[device_index].element;
    if (target.is_empty())
        return diag.fail(device, "<%s> is empty: it must name the id of an earlier device", kind);
    TextArg shown(target);
    for (usize i = 0; i < config.devices.size(); ++i) {
        if (config.devices[i].id != target)
            continue;
        if (i < device_index)
            return {};
        if (i == device_index)
            return diag.fail(device,
                             "%s '%s' is this device itself (devices may only refer to "
                             "earlier devices)",
                             kind, shown.c_str());
        return diag.fail(device,
                         "%s '%s' is declared after it (devices may only refer to "
                         "earlier devices)",
                         kind, shown.c_str());
    }
    return diag.fail(device, "%s '%s' is not declared: no device has that id", kind, shown.c_str());
}

Result<void> check_file_reference(const VmConfig& config, const xml::Element& device,
                                  StringView file_id, Diagnostic& diag) {
    if (file_id.is_empty())
        return diag.fail(device, "file reference is empty: it must name an id from <files>");
    if (!config.find_file(file_id))
        return diag.fail(device, "file '%s' is not declared in <files>", TextArg(file_id).c_str());
    return {};
}

} // namespace

Result<void> read_devices(const xml::Element& vm, const DeviceClassNames& classes, VmConfig& config,
                          Diagnostic& diag) {
    const xml::Element* devices = vm.child("devices");
    if (!devices)
        return {};
    TRY(check_children(*devices, kDevice, diag));
    if (devices->attribute("test_devices"))
        config.test_devices = TRY(read_bool(*devices, "test_devices", false, diag));
    if (devices->child_count() > kMaxDevices)
        return diag.fail(*devices, "more than %zu devices", kMaxDevices);
    for (const xml::Element* device = devices->first_child(); device;
         device = device->next_sibling()) {
        const StringView* class_name = device->attribute("class");
        if (!class_name || class_name->trimmed().is_empty())
            return diag.fail(*device, "missing class attribute: say which kind of device this "
                                      "is, e.g. class=\"SERIAL\"");
        if (classes.product && !is_known_class(classes.product, *class_name) &&
            !(config.test_devices && is_known_class(classes.test, *class_name)))
            return unknown_class(*device, *class_name, classes, config.test_devices, diag);
        const StringView* id = device->attribute("id");
        if (!id || id->trimmed().is_empty())
            return diag.fail(*device, "missing id attribute: every device needs a unique id");
        for (usize i = 0; i < config.devices.size(); ++i)
            if (config.devices[i].id == *id)
                return diag.fail(*device,
                                 "duplicate device id '%s': device[%zu] (class %s) "
                                 "already uses it",
                                 TextArg(*id).c_str(), i + 1,
                                 TextArg(config.devices[i].class_name).c_str());
        if (!config.devices.try_append(DeviceEntry{*class_name, *id, device}))
            return out_of_memory(diag);
    }
    return {};
}

Result<void> check_device_references(VmConfig& config, Diagnostic& diag) {
    for (usize index = 0; index < config.devices.size(); ++index) {
        const xml::Element& device = *config.devices[index].element;
        if (const StringView* file = device.attribute("file"))
            TRY(check_file_reference(config, device, file->trimmed(), diag));
        for (const xml::Element* child = device.first_child(); child;
             child = child->next_sibling()) {
            StringView kind = child->name();
            if (kind == "frontend") {
                const StringView* tag = child->attribute("tag");
                if (!tag)
                    return diag.fail(device, "<frontend> needs a tag attribute naming the earlier "
                                             "device it connects to");
                TRY(check_reference(config, index, "frontend", tag->trimmed(), diag));
            } else if (kind == "file") {
                TRY(check_file_reference(config, device, child->text(), diag));
            } else {
                for (usize i = 0; kReferenceElements[i]; ++i)
                    if (kind == kReferenceElements[i])
                        TRY(check_reference(config, index, kReferenceElements[i], child->text(),
                                            diag));
            }
        }
    }
    return {};
}

} // namespace v3::config::detail
