#include "boot/guest_boot.h"

#include "boot/linux_boot.h"
#include "config/boot_files.h"
#include "lib/log.h"
#include "vm/vm.h"

namespace v3::boot {

Result<void> load_boot_files(Vm& vm, const config::GuestImage& guest, config::Diagnostic& diag) {
    config::BootFiles files = config::boot_files_of(guest.image);
    TRY(config::check_boot_files(guest.config, files, config::Bootable::Required, diag));
    if (!files.kernel.present())
        return vm.memory().write(config::kBiosTop - files.bios.size, files.bios.data,
                                 files.bios.size);
    LinuxBootPlan plan =
        TRY(plan_linux_boot(files.kernel.data, files.kernel.size, files.initrd.size,
                            guest.config.cmdline, vm.memory().ram_bytes(), diag));
    TRY(load_linux(vm.memory(), plan, files.kernel.data, files.initrd.data, guest.config.cmdline));
    vm.set_linux_entry(LinuxEntry{plan.kernel_address, plan.boot_params_address});
    V3_INFO("v3vee: VM %s: Linux boot protocol %u.%02u, kernel at 0x%llx, initrd %llu bytes at "
            "0x%llx\n",
            vm.name_cstr(), unsigned(plan.header.protocol >> 8),
            unsigned(plan.header.protocol & 0xff), (unsigned long long)plan.kernel_address,
            (unsigned long long)plan.initrd_size, (unsigned long long)plan.initrd_address);
    return {};
}

Result<void> reset_and_reload(Vm& vm, const config::GuestImage& guest, config::Diagnostic& diag) {
    TRY(vm.reset_to_created());
    return load_boot_files(vm, guest, diag);
}

} // namespace v3::boot
