#include "config/boot_check.h"

namespace v3::config {

namespace {

constexpr Error kNothingToBoot{Errno::Inval, "the guest image has nothing to boot"};

} // namespace

Result<void> check_bootable(const GuestImage& guest, Diagnostic& diag) {
    const ImageBlob* bios = guest.image.find("bios");
    if (!bios)
        return diag.fail_as(kNothingToBoot,
                            "the image has no file with id 'bios': nothing to boot (add <file "
                            "id=\"bios\" filename=\"...\"/> to <files>)");
    if (bios->size == 0 || bios->size > kBiosTop || bios->size > guest.config.memory_bytes)
        return diag.fail_as(
            kNothingToBoot,
            "the 'bios' file is %llu bytes; it must be 1 byte to 1 MB and fit in guest RAM",
            (unsigned long long)bios->size);
    return {};
}

} // namespace v3::config
