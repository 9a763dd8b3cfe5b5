// The single entry point for turning image bytes into a checked guest
// description: the kernel calls it on V3_CREATE_GUEST and build_vm --check
// calls the same function, so both accept and reject exactly the same images.
#pragma once

#include "config/boot_files.h"
#include "config/diagnostic.h"
#include "config/image.h"
#include "config/vm_config.h"
#include "lib/result.h"
#include "lib/types.h"

namespace v3::config {

struct GuestImage {
    ImageView image; // points into the caller's buffer
    VmConfig config; // owns its parsed document
};

// The boot blobs ('bios', 'kernel', 'initrd') of a checked image.
BootFiles boot_files_of(const ImageView& image);

// read_image, then parse_vm_config with the device registry's class names
// and validators, then the cross-checks between the two: every <files> entry
// has a blob, every blob is named by a <files> entry, and the boot files
// (check_boot_files) make a bootable guest. Nothing of the VM
// is built here. The buffer must outlive the result.
Result<GuestImage> load_guest_image(const u8* data, u64 size, Diagnostic& diag);

// Whether a loaded image has something to boot (check_boot_files with
// Bootable::Required). The one place that decides it: v3_create_vm refuses
// an image this refuses, before it allocates anything, and build_vm runs it
// on every image it builds or checks, so both give the same message.
Result<void> check_bootable(const GuestImage& guest, Diagnostic& diag);

} // namespace v3::config
