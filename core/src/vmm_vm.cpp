// The host-facing VM API (v3_create_vm and the lifecycle calls), over
// config::load_guest_image, Vm and VmRuntime.
#include <v3/vmm.h>

#include "config/boot_check.h"
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

// config::check_bootable has accepted the image: the BIOS ends at 1 MB, as
// on a PC.
Result<void> load_bios(Vm& vm, const config::ImageView& image, config::Diagnostic& diag) {
    const config::ImageBlob* bios = image.find("bios");
    if (!bios || bios->size > vm.memory().ram_bytes()) {
        format(diag.message, sizeof diag.message,
               "the 'bios' file does not fit in the guest's %llu bytes of RAM",
               (unsigned long long)vm.memory().ram_bytes());
        return make_error(Errno::Inval, "BIOS does not fit");
    }
    return vm.memory().write(config::kBiosTop - bios->size, bios->data, bios->size);
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
    auto bios = load_bios(*handle->vm, handle->image.image, diag);
    if (bios.is_error())
        return fail(error, error_size, bios.error(), diag.message);
    auto runtime = VmRuntime::try_create(*handle->vm);
    if (runtime.is_error())
        return fail(error, error_size, runtime.error(), "");
    handle->runtime = runtime.release_value();
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
