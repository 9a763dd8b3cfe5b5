// The host-facing early image checks (v3_check_image_header and
// v3_check_image_directory) over config::check_image_header/_directory.
#include <v3/vmm.h>

#include "config/image.h"
#include "lib/format.h"

using namespace v3;

static_assert(V3_IMAGE_HEADER_SIZE == config::image_layout::kHeaderSize);

namespace {

int report(const Error& e, const config::Diagnostic& diag, char* error, unsigned long error_size) {
    if (error && error_size)
        format(error, error_size, "%s", diag.message[0] ? diag.message : e.message);
    return e.negative_errno();
}

} // namespace

extern "C" int v3_check_image_header(const void* header, unsigned long long image_size,
                                     unsigned long long* directory_offset,
                                     unsigned long* directory_size, char* error,
                                     unsigned long error_size) {
    if (error && error_size)
        error[0] = 0;
    if (!header || !directory_offset || !directory_size)
        return -int(Errno::Inval);
    config::Diagnostic diag{};
    auto location = config::check_image_header(static_cast<const u8*>(header), image_size, diag);
    if (location.is_error())
        return report(location.error(), diag, error, error_size);
    *directory_offset = location.value().offset;
    *directory_size = (unsigned long)location.value().size;
    return 0;
}

extern "C" int v3_check_image_directory(const void* header, const void* directory,
                                        unsigned long long image_size, char* error,
                                        unsigned long error_size) {
    if (error && error_size)
        error[0] = 0;
    if (!header || !directory)
        return -int(Errno::Inval);
    config::Diagnostic diag{};
    auto checked = config::check_image_directory(
        static_cast<const u8*>(header), static_cast<const u8*>(directory), image_size, diag);
    if (checked.is_error())
        return report(checked.error(), diag, error, error_size);
    return 0;
}
