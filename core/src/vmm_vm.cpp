// The host-facing VM API (v3_create_vm and the lifecycle calls), over
// config::load_guest_image, Vm and VmRuntime.
#include <v3/vmm.h>

#include "arch/cpu_backend.h"
#include "boot/linux_boot.h"
#include "config/guest_image.h"
#include "lib/format.h"
#include "lib/host.h"
#include "lib/log.h"
#include "vm/host_stream_provider.h"
#include "vm/vm.h"
#include "vm/vm_runtime.h"

// The opaque handle: the checked image (its views point into the host's
// buffer), the stream provider, the VM and its runtime. Declared in the
// global namespace to match the C declaration.
struct v3_vm {
    v3::config::GuestImage image;
    v3::OwnPtr<v3::HostServiceStreams> streams;
    v3::OwnPtr<v3::Vm> vm;
    v3::OwnPtr<v3::VmRuntime> runtime;

    explicit v3_vm(v3::config::GuestImage&& checked) : image(v3::move(checked)) {}
    ~v3_vm() {
        runtime.reset(); // stops the cores before the devices go
        vm.reset();
    }
};

namespace v3 {

namespace {

int fail(char* error, unsigned long size, const Error& e, const char* detail) {
    if (error && size)
        format(error, size, "%s", detail && detail[0] ? detail : e.message);
    return e.negative_errno();
}

// Puts what the guest boots from into its RAM (load_guest_image has checked
// it): the BIOS image ending at 1 MB, or a Linux kernel laid out by the boot
// protocol with core 0 set to start at its 32-bit entry.
Result<void> load_boot_files(Vm& vm, const config::GuestImage& guest, config::Diagnostic& diag) {
    config::BootFiles files = config::boot_files_of(guest.image);
    TRY(config::check_boot_files(guest.config, files, config::Bootable::Required, diag));
    if (!files.kernel.present())
        return vm.memory().write(config::kBiosTop - files.bios.size, files.bios.data,
                                 files.bios.size);
    boot::LinuxBootPlan plan =
        TRY(boot::plan_linux_boot(files.kernel.data, files.kernel.size, files.initrd.size,
                                  guest.config.cmdline, vm.memory().ram_bytes(), diag));
    TRY(boot::load_linux(vm.memory(), plan, files.kernel.data, files.initrd.data,
                         guest.config.cmdline));
    vm.set_linux_entry(LinuxEntry{plan.kernel_address, plan.boot_params_address});
    V3_INFO("v3vee: VM %s: Linux boot protocol %u.%02u, kernel at 0x%llx, initrd %llu bytes at "
            "0x%llx\n",
            vm.name_cstr(), unsigned(plan.header.protocol >> 8),
            unsigned(plan.header.protocol & 0xff), (unsigned long long)plan.kernel_address,
            (unsigned long long)plan.initrd_size, (unsigned long long)plan.initrd_address);
    return {};
}

} // namespace

} // namespace v3

using namespace v3;

extern "C" int v3_create_vm(const void* image, unsigned long size, const char* name, void* host_vm,
                            v3_vm** vm_out, char* error, unsigned long error_size) {
    if (error && error_size)
        error[0] = 0;
    if (!image || !name || !vm_out)
        return -int(Errno::Inval);
    config::Diagnostic diag;
    auto checked = config::load_guest_image(static_cast<const u8*>(image), size, diag);
    if (checked.is_error())
        return fail(error, error_size, checked.error(), diag.message);
    auto bootable = config::check_bootable(checked.value(), diag);
    if (bootable.is_error())
        return fail(error, error_size, bootable.error(), diag.message);

    v3_vm* handle = new (alloc) v3_vm(checked.release_value());
    if (!handle)
        return fail(error, error_size, make_error(Errno::NoMem, "out of memory for a VM"), "");
    OwnPtr<v3_vm> owner(handle);
    handle->streams = OwnPtr<HostServiceStreams>(new (alloc) HostServiceStreams(host_vm));
    if (!handle->streams)
        return fail(error, error_size, make_error(Errno::NoMem, "out of memory for a VM"), "");

    VmEnvironment environment;
    environment.streams = handle->streams.get();
    auto vm = Vm::try_create(name, handle->image.config, environment, diag);
    if (vm.is_error())
        return fail(error, error_size, vm.error(), diag.message);
    handle->vm = vm.release_value();
    auto loaded = load_boot_files(*handle->vm, handle->image, diag);
    if (loaded.is_error())
        return fail(error, error_size, loaded.error(), diag.message);
    auto backend = create_cpu_backend(*handle->vm);
    if (backend.is_error())
        return fail(error, error_size, backend.error(), "");
    auto runtime = VmRuntime::try_create(*handle->vm, backend.release_value());
    if (runtime.is_error())
        return fail(error, error_size, runtime.error(), "");
    handle->runtime = runtime.release_value();
    if (handle->image.config.schedule_hz != config::kDefaultScheduleHz)
        V3_INFO("v3vee: VM %s: <schedule_hz> %u has no effect: cores yield to the host "
                "scheduler before every guest entry\n",
                name, handle->image.config.schedule_hz);
    V3_INFO("v3vee: VM %s created: %llu MB, %u core(s), %zu device(s)\n", name,
            (unsigned long long)(handle->vm->memory().ram_bytes() >> 20), handle->vm->num_cores(),
            handle->vm->devices().count());
    *vm_out = owner.leak();
    return 0;
}

extern "C" int v3_launch_vm(v3_vm* vm) {
    auto r = vm->runtime->launch();
    if (r.is_error())
        return r.error().negative_errno();
    V3_INFO("v3vee: VM %s launched\n", vm->vm->name_cstr());
    return 0;
}

extern "C" int v3_pause_vm(v3_vm* vm) {
    auto r = vm->runtime->pause();
    return r.is_error() ? r.error().negative_errno() : 0;
}

extern "C" int v3_continue_vm(v3_vm* vm) {
    auto r = vm->runtime->resume();
    return r.is_error() ? r.error().negative_errno() : 0;
}

extern "C" int v3_stop_vm(v3_vm* vm) {
    VmState state = vm->vm->state();
    if (state == VmState::Created)
        return -int(Errno::Inval);
    vm->runtime->stop();
    return 0;
}

extern "C" void v3_free_vm(v3_vm* vm) {
    if (!vm)
        return;
    V3_INFO("v3vee: VM %s freed\n", vm->vm ? vm->vm->name_cstr() : "?");
    destroy(vm);
}

extern "C" int v3_get_vm_status(v3_vm* vm, v3_vm_status* out) {
    if (!vm || !out)
        return -int(Errno::Inval);
    static_assert(V3_EXIT_REASONS == unsigned(ExitReason::Count));
    Vm& v = *vm->vm;
    out->state = unsigned(v.state());
    out->exit_code = v.exit_code();
    out->num_cores = v.num_cores();
    out->reserved = 0;
    out->memory_bytes = v.memory().ram_bytes();
    u64 started = vm->runtime->started_ns();
    out->uptime_ns = started ? host().monotonic_ns() - started : 0;
    ExitStats stats = vm->runtime->total_stats();
    out->exits_total = stats.total;
    for (unsigned i = 0; i < V3_EXIT_REASONS; ++i)
        out->exits[i] = stats.counts[i];
    format(out->reason, sizeof out->reason, "%s", v.stop_reason());
    return 0;
}
