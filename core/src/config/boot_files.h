// What the guest boots from, checked the same way by build_vm (from the
// files on disk) and by v3_create_vm (from the image's blobs): a 'bios'
// blob run from the reset vector, or a Linux 'kernel' (bzImage) with an
// optional 'initrd' and the <cmdline>, booted directly (boot/linux_boot.h).
#pragma once

#include "config/diagnostic.h"
#include "config/vm_config.h"
#include "lib/result.h"

namespace v3::config {

struct BootBlob {
    const u8* data = nullptr; // nullptr: the config has no such file
    u64 size = 0;
    bool present() const { return data != nullptr; }
};

struct BootFiles {
    BootBlob bios;
    BootBlob kernel;
    BootBlob initrd;
};

// The largest BIOS image: it ends at 1 MiB, as on a PC.
inline constexpr u64 kBiosTop = 0x100000;

// Whether a guest with no boot file at all is refused. build_vm accepts
// such a config (it may be a template that gets its files later);
// v3_create_vm needs something to run.
enum class Bootable : u8 { Optional, Required };

Result<void> check_boot_files(const VmConfig& config, const BootFiles& files, Bootable bootable,
                              Diagnostic& diag);

} // namespace v3::config
