// The host-facing VM API (v3_create_vm and the lifecycle calls), over
// config::load_guest_image, Vm, boot/guest_boot and VmRuntime. The lifecycle
// rules are uapi/v3vee_lifecycle.h's.
#include <v3/vmm.h>

#include "arch/cpu_backend.h"
#include "boot/guest_boot.h"
#include "config/guest_image.h"
#include "lib/format.h"
#include "lib/host.h"
#include "lib/log.h"
#include "vm/host_console_provider.h"
#include "vm/host_stream_provider.h"
#include "vm/vm.h"
#include "vm/vm_runtime.h"
#include "vmm_handle.h"

namespace v3 {

namespace {

int fail(char* error, unsigned long size, const Error& e, const char* detail) {
    if (error && size)
        format(error, size, "%s", detail && detail[0] ? detail : e.message);
    return e.negative_errno();
}

// The lifecycle's answer for `op` on this VM (uapi/v3vee_lifecycle.h): 0
// when its state allows it; -EBUSY for launching a VM that is running or
// paused; -EINVAL for anything else.
int refusal(const Vm& vm, u32 op) {
    const VmState state = vm.state();
    if (allows(state, op))
        return 0;
    V3_DEBUG("v3vee: VM %s: %s refused while %s\n", vm.name_cstr(), v3_vm_op_name(op),
             describe(state));
    if (op == V3_VM_OP_LAUNCH && allows(state, V3_VM_OP_STOP))
        return -int(Errno::Busy);
    return -int(Errno::Inval);
}

// Relaunching a stopped VM boots it again as on its first launch: the core
// threads (parked since it stopped) are joined, the devices, guest time and
// RAM go back to how v3_create_vm left them, the boot files are loaded again
// and a fresh runtime (with a fresh CPU backend: its nested page tables map
// the same memory) brings the cores up in their reset state. The old runtime
// goes only once the new one exists, so a failure leaves one in place.
Result<void> reset_for_relaunch(v3_vm& handle, config::Diagnostic& diag) {
    handle.runtime->stop();
    TRY(boot::reset_and_reload(*handle.vm, handle.image, diag));
    auto backend = TRY(create_cpu_backend(*handle.vm));
    handle.runtime = TRY(VmRuntime::try_create(*handle.vm, move(backend)));
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
    if (handle) {
        handle->image_bytes = static_cast<const u8*>(image);
        handle->image_size = size;
    }
    if (!handle)
        return fail(error, error_size, make_error(Errno::NoMem, "out of memory for a VM"), "");
    OwnPtr<v3_vm> owner(handle);
    handle->streams = OwnPtr<HostServiceStreams>(new (alloc) HostServiceStreams(host_vm));
    if (!handle->streams)
        return fail(error, error_size, make_error(Errno::NoMem, "out of memory for a VM"), "");

    handle->consoles = OwnPtr<HostServiceConsoles>(new (alloc) HostServiceConsoles(host_vm));
    if (!handle->consoles)
        return fail(error, error_size, make_error(Errno::NoMem, "out of memory for a VM"), "");

    VmEnvironment environment;
    environment.streams = handle->streams.get();
    environment.consoles = handle->consoles.get();
    auto vm = Vm::try_create(name, handle->image.config, environment, diag);
    if (vm.is_error())
        return fail(error, error_size, vm.error(), diag.message);
    handle->vm = vm.release_value();
    handle->streams->set_input_waker(Vm::wake_cores_callback, handle->vm.get());
    auto loaded = boot::load_boot_files(*handle->vm, handle->image, diag);
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
    if (int refused = refusal(*vm->vm, V3_VM_OP_LAUNCH))
        return refused;
    const bool relaunch = v3_vm_op_resets(u32(vm->vm->state()), V3_VM_OP_LAUNCH);
    if (relaunch) {
        config::Diagnostic diag;
        auto reset = reset_for_relaunch(*vm, diag);
        if (reset.is_error()) {
            // Half reset, the VM cannot run: fail-stop, so only free remains.
            vm->vm->fail("cannot reset the VM to launch it again: %s",
                         diag.message[0] ? diag.message : reset.error().message);
            return reset.error().negative_errno();
        }
    }
    auto r = vm->runtime->launch();
    if (r.is_error())
        return r.error().negative_errno();
    V3_INFO("v3vee: VM %s %s\n", vm->vm->name_cstr(),
            relaunch ? "reset and launched again" : "launched");
    return 0;
}

extern "C" int v3_pause_vm(v3_vm* vm) {
    if (int refused = refusal(*vm->vm, V3_VM_OP_PAUSE))
        return refused;
    auto r = vm->runtime->pause();
    return r.is_error() ? r.error().negative_errno() : 0;
}

extern "C" int v3_continue_vm(v3_vm* vm) {
    if (int refused = refusal(*vm->vm, V3_VM_OP_CONTINUE))
        return refused;
    auto r = vm->runtime->resume();
    return r.is_error() ? r.error().negative_errno() : 0;
}

extern "C" int v3_stop_vm(v3_vm* vm) {
    if (int refused = refusal(*vm->vm, V3_VM_OP_STOP))
        return refused;
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
    out->state = u32(v.state());
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
