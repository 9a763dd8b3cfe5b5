#include "config/guest_image.h"

#include "config/boot_files.h"

#include "devices/registry.h"
#include "config/text_arg.h"
#include "lib/format.h"

namespace v3::config {

namespace {

constexpr Error kImageMismatch{Errno::Inval, "the guest image does not match its config"};

Result<void> check_files_match_blobs(const ImageView& image, const VmConfig& config,
                                     Diagnostic& diag) {
    for (const FileEntry& file : config.files) {
        if (!image.find(file.id)) {
            return diag.fail_as(
                kImageMismatch,
                "<files> entry '%s' (filename '%s') has no blob in the image; rebuild the "
                "image with build_vm",
                TextArg(file.id).c_str(), TextArg(file.filename).c_str());
        }
    }
    for (const ImageBlob& blob : image.blobs) {
        if (!config.find_file(blob.id))
            return diag.fail_as(kImageMismatch,
                                "image blob '%s' is not named by any <files> entry of the config",
                                blob.id.data());
    }
    return {};
}

} // namespace

BootFiles boot_files_of(const ImageView& image) {
    BootFiles files;
    auto take = [&](const char* id, BootBlob& blob) {
        if (const ImageBlob* found = image.find(id))
            // A zero-length blob still counts as present (and is refused).
            blob =
                BootBlob{found->data ? found->data : reinterpret_cast<const u8*>(""), found->size};
    };
    take("bios", files.bios);
    take("kernel", files.kernel);
    take("initrd", files.initrd);
    return files;
}

Result<GuestImage> load_guest_image(const u8* data, u64 size, Diagnostic& diag) {
    ImageView image = TRY(read_image(data, size, diag));
    VmConfig config =
        TRY(parse_vm_config(image.xml, devices::known_class_names(),
                            devices::validate_device_config, diag, devices::test_class_names()));
    TRY(check_files_match_blobs(image, config, diag));
    TRY(check_boot_files(config, boot_files_of(image), Bootable::Optional, diag));
    return GuestImage{move(image), move(config)};
}

Result<void> check_bootable(const GuestImage& guest, Diagnostic& diag) {
    return check_boot_files(guest.config, boot_files_of(guest.image), Bootable::Required, diag);
}

} // namespace v3::config
