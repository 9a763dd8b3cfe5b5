#include "devices/device.h"

namespace v3::devices {

Result<CharFrontend*> Device::attach_char_backend(const xml::Element& frontend, CharBackend&,
                                                  config::Diagnostic& diag) {
    return diag.fail(frontend, "device '%.*s' (class %.*s) has no character frontend",
                     int(id().length()), id().data(), int(class_name().length()),
                     class_name().data());
}

} // namespace v3::devices
