// Putting what a guest boots from into its RAM: when the VM is created, and
// again when a stopped VM is relaunched so it boots as on its first launch.
#pragma once

#include "config/diagnostic.h"
#include "config/guest_image.h"
#include "lib/result.h"

namespace v3 {
class Vm;
}

namespace v3::boot {

// Loads the boot files of `guest` (load_guest_image has checked them): the
// BIOS image ending at 1 MB, or a Linux kernel laid out by the boot protocol
// with core 0 set to start at its 32-bit entry (Vm::linux_entry).
Result<void> load_boot_files(Vm& vm, const config::GuestImage& guest, config::Diagnostic& diag);

// Puts a VM whose cores do not run back as load_boot_files left it after
// creation: Vm::reset_to_created, then the boot files again. The caller
// gives the VM fresh cores (a new VmRuntime).
Result<void> reset_and_reload(Vm& vm, const config::GuestImage& guest, config::Diagnostic& diag);

} // namespace v3::boot
