#include "vm/vm.h"
#include "lib/format.h"
#include "lib/host.h"
#include "lib/log.h"

namespace v3 {

Result<OwnPtr<Vm>> Vm::try_create(StringView name, const config::VmConfig& config,
                                  const VmEnvironment& environment, config::Diagnostic& diag) {
    OwnPtr<Vm> vm(new (alloc) Vm);
    if (!vm)
        return make_error(Errno::NoMem, "out of memory for a VM");
    vm->name_ = TRY(String::try_create(name));
    vm->device_lock_ = host().mutex_alloc();
    if (!vm->device_lock_)
        return make_error(Errno::NoMem, "out of memory for the VM's device lock");
    vm->num_cores_ = config.num_cores;
    vm->environment_ = environment;
    if (!vm->core_signals_.try_reserve(config.num_cores))
        return make_error(Errno::NoMem, "out of memory for the cores' wakeup signals");
    for (u32 i = 0; i < config.num_cores; ++i)
        (void)vm->core_signals_.try_append(TRY(VcoreSignal::try_create()));
    vm->irqs_.set_raise_notify(wake_cores_callback, vm.get());

    auto memory = GuestMemory::try_create(config.memory_bytes);
    if (memory.is_error()) {
        format(diag.message, sizeof diag.message, "cannot allocate %llu MB of guest memory: %s",
               (unsigned long long)(config.memory_bytes >> 20), memory.error().message);
        return memory.error();
    }
    vm->memory_ = memory.release_value();
    for (const config::MemoryRegionConfig& region : config.memmap) {
        auto added =
            vm->memory_->add_passthrough(region.start, region.end - region.start, region.host_addr);
        if (added.is_error()) {
            format(diag.message, sizeof diag.message,
                   "/vm/memmap: region 0x%llx-0x%llx (host 0x%llx): %s",
                   (unsigned long long)region.start, (unsigned long long)region.end,
                   (unsigned long long)region.host_addr, added.error().message);
            return added.error();
        }
    }
    TRY(vm->devices_.create_all(*vm, config, diag));
    chkpt::Writer created_state(vm->created_device_state_);
    auto saved = vm->devices_.save(created_state);
    if (saved.is_error()) {
        format(diag.message, sizeof diag.message, "cannot record the devices' initial state: %s",
               saved.error().message);
        return saved.error();
    }
    vm->created_irq_levels_ = vm->irqs_.levels();
    return vm;
}

Result<void> Vm::reset_to_created() {
    // Guest time first: devices restore times relative to the clock's now.
    clock_.reset();
    chkpt::Reader created_state(created_device_state_.begin(), created_device_state_.size());
    TRY(devices_.load(created_state));
    irqs_.restore_levels(created_irq_levels_);
    memory_->clear_ram();
    linux_entry_ = LinuxEntry{};
    stop_reason_[0] = 0;
    exit_code_ = 0;
    unknown_msrs_logged_.clear();
    state_ = VmState::Created;
    return {};
}

Vm::~Vm() {
    devices_.destroy_all();
    if (device_lock_)
        host().mutex_free(device_lock_);
}

void Vm::wake_cores() {
    for (OwnPtr<VcoreSignal>& signal : core_signals_)
        signal->notify();
}

void Vm::lock_devices() {
    host().mutex_lock(device_lock_);
}
void Vm::unlock_devices() {
    host().mutex_unlock(device_lock_);
}

bool Vm::first_unknown_msr_access(u32 msr) {
    constexpr usize kMaxRemembered = 256; // past that, stay quiet
    for (u32 seen : unknown_msrs_logged_)
        if (seen == msr)
            return false;
    if (unknown_msrs_logged_.size() >= kMaxRemembered)
        return false;
    return unknown_msrs_logged_.try_append(msr);
}

void Vm::fail(const char* fmt, ...) {
    __builtin_va_list args;
    __builtin_va_start(args, fmt);
    vformat(stop_reason_, sizeof stop_reason_, fmt, args);
    __builtin_va_end(args);
    state_ = VmState::Error;
    wake_cores(); // a halted core ends its loop now
    V3_ERROR("v3vee: VM %s stopped on an error: %s\n", name_.c_str(), stop_reason_);
}

void Vm::request_stop(u32 exit_code, const char* reason) {
    exit_code_ = exit_code;
    format(stop_reason_, sizeof stop_reason_, "%s", reason);
    state_ = VmState::Stopped;
    wake_cores();
    V3_INFO("v3vee: VM %s stopped: %s (status %u)\n", name_.c_str(), reason, exit_code);
}

} // namespace v3
