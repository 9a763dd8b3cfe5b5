// Whether a checked guest image has something to boot. The one place that
// decides it: v3_create_vm refuses an image this refuses, and build_vm runs
// it on every image it builds or checks, so both give the same message.
#pragma once

#include "config/diagnostic.h"
#include "config/guest_image.h"
#include "lib/result.h"

namespace v3::config {

// The guest starts at the reset vector of its "bios" file, loaded to end at
// 1 MB: the image needs a blob with id "bios" of 1 byte to 1 MB that fits in
// the guest's RAM.
inline constexpr u64 kBiosTop = 0x100000;

Result<void> check_bootable(const GuestImage& guest, Diagnostic& diag);

} // namespace v3::config
