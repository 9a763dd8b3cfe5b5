#include "config/boot_files.h"

#include "boot/linux_boot.h"

namespace v3::config {

Result<void> check_boot_files(const VmConfig& config, const BootFiles& files, Bootable bootable,
                              Diagnostic& diag) {
    const Error nothing_to_boot{Errno::Inval, "the guest has nothing to boot"};
    if (files.kernel.present() && files.bios.present())
        return diag.fail_as(nothing_to_boot,
                            "<files> has both a 'bios' and a 'kernel': this VMM boots one or "
                            "the other (the kernel directly, without firmware); remove one");
    if (files.initrd.present() && !files.kernel.present())
        return diag.fail_as(nothing_to_boot,
                            "<files> has an 'initrd' but no 'kernel' to hand it to: add <file "
                            "id=\"kernel\" filename=\"vmlinuz\"/> or remove the initrd");
    if (files.kernel.present()) {
        TRY(boot::plan_linux_boot(files.kernel.data, files.kernel.size, files.initrd.size,
                                  config.cmdline, config.memory_bytes, diag));
        return {};
    }
    if (!files.bios.present() && bootable == Bootable::Optional)
        return {};
    if (!files.bios.present())
        return diag.fail_as(nothing_to_boot,
                            "the guest has nothing to boot: add <file id=\"bios\" "
                            "filename=\"...\"/> (a ROM run from the reset vector) or <file "
                            "id=\"kernel\" filename=\"vmlinuz\"/> (a Linux bzImage) to <files>");
    if (files.bios.size == 0 || files.bios.size > kBiosTop || files.bios.size > config.memory_bytes)
        return diag.fail_as(make_error(Errno::Inval, "the BIOS image has a bad size"),
                            "the 'bios' file is %llu bytes; it must be 1 byte to 1 MB and fit "
                            "in guest RAM",
                            (unsigned long long)files.bios.size);
    return {};
}

} // namespace v3::config
