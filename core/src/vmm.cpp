// v3_init / v3_shutdown: bring the VMM up on every online CPU and take it down.
#include <v3/vmm.h>

#include "arch/svm/svm_cpu.h"
#include "lib/alloc.h"
#include "lib/host.h"
#include "lib/log.h"

namespace v3 {

namespace {

constexpr unsigned long kPageSize = 4096;

struct CpuSlot {
    u64 host_save_area = 0; // host physical address, 0 when none
    svm::EnableStatus status = svm::EnableStatus::NotAttempted;
};

struct VmmState {
    svm::Capabilities caps;
    unsigned cpu_count = 0;
    CpuSlot* cpus = nullptr; // cpu_count entries
};

VmmState* g_vmm = nullptr;

// Names the first required member the host left null, or nullptr.
const char* missing_host_service(const v3_host_services& h) {
#define V3_REQUIRE(member)                                                                         \
    if (!h.member)                                                                                 \
        return #member;
    V3_REQUIRE(vprint)
    V3_REQUIRE(allocate_pages)
    V3_REQUIRE(free_pages)
    V3_REQUIRE(allocate_guest_memory)
    V3_REQUIRE(free_guest_memory)
    V3_REQUIRE(stream_open)
    V3_REQUIRE(stream_write)
    V3_REQUIRE(stream_read)
    V3_REQUIRE(stream_close)
    V3_REQUIRE(malloc)
    V3_REQUIRE(free)
    V3_REQUIRE(paddr_to_vaddr)
    V3_REQUIRE(vaddr_to_paddr)
    V3_REQUIRE(mutex_alloc)
    V3_REQUIRE(mutex_free)
    V3_REQUIRE(mutex_lock)
    V3_REQUIRE(mutex_unlock)
    V3_REQUIRE(thread_start)
    V3_REQUIRE(thread_should_stop)
    V3_REQUIRE(thread_stop)
    V3_REQUIRE(cpu_count)
    V3_REQUIRE(cpu_online)
    V3_REQUIRE(current_cpu)
    V3_REQUIRE(call_on_cpu)
    V3_REQUIRE(cpu_khz)
    V3_REQUIRE(cpuid)
    V3_REQUIRE(read_msr)
    V3_REQUIRE(write_msr)
    V3_REQUIRE(fpu_begin)
    V3_REQUIRE(fpu_end)
    V3_REQUIRE(monotonic_ns)
    V3_REQUIRE(yield_cpu)
    V3_REQUIRE(sleep_us)
    V3_REQUIRE(passthrough_allowed)
    V3_REQUIRE(waiter_alloc)
    V3_REQUIRE(waiter_free)
    V3_REQUIRE(waiter_wait)
    V3_REQUIRE(waiter_wake)
    V3_REQUIRE(timer_alloc)
    V3_REQUIRE(timer_free)
    V3_REQUIRE(timer_arm)
    V3_REQUIRE(timer_cancel)
    V3_REQUIRE(kick_alloc)
    V3_REQUIRE(kick_free)
    V3_REQUIRE(kick_cpu)
    V3_REQUIRE(stream_set_input_notify)
#undef V3_REQUIRE
    return nullptr;
}

void enable_trampoline(void* arg) {
    auto* slot = static_cast<CpuSlot*>(arg);
    slot->status = svm::enable_on_this_cpu(slot->host_save_area);
}

void disable_trampoline(void* arg) {
    auto* ok = static_cast<bool*>(arg);
    *ok = !svm::disable_on_this_cpu().is_error();
}

// Disables SVM where it was enabled and frees every host save area.
void release_cpus(VmmState& vmm, bool log_each) {
    for (unsigned cpu = 0; cpu < vmm.cpu_count; ++cpu) {
        CpuSlot& slot = vmm.cpus[cpu];
        if (slot.status == svm::EnableStatus::Enabled) {
            bool ok = false;
            int rc = host().call_on_cpu(cpu, disable_trampoline, &ok);
            if (rc != 0 || !ok)
                V3_WARN("v3vee: cpu %u: could not disable SVM (%s)\n", cpu,
                        rc != 0 ? "the CPU did not run the call" : "an MSR write faulted");
            else if (log_each)
                V3_INFO("v3vee: cpu %u: SVM disabled\n", cpu);
        }
        slot.status = svm::EnableStatus::NotAttempted;
        if (slot.host_save_area) {
            host().free_pages(slot.host_save_area, 1);
            slot.host_save_area = 0;
        }
    }
}

void free_state(VmmState* vmm) {
    if (!vmm)
        return;
    deallocate(vmm->cpus);
    destroy(vmm);
}

int init(const v3_host_services* services) {
    if (g_vmm)
        return -static_cast<int>(Errno::Already);
    if (!services || services->version != V3_HOST_SERVICES_VERSION)
        return -static_cast<int>(Errno::Inval);
    if (const char* missing = missing_host_service(*services)) {
        if (services->vprint) {
            set_host(services);
            V3_ERROR("v3vee: host services table has no '%s'\n", missing);
            set_host(nullptr);
        }
        return -static_cast<int>(Errno::Inval);
    }
    set_host(services);

    auto caps = svm::probe();
    if (caps.is_error()) {
        V3_ERROR("v3vee: cannot load: %s\n", caps.error().message);
        set_host(nullptr);
        return caps.error().negative_errno();
    }

    auto* vmm = new (alloc) VmmState;
    unsigned count = host().cpu_count();
    CpuSlot* slots = vmm ? static_cast<CpuSlot*>(allocate(sizeof(CpuSlot) * count)) : nullptr;
    if (!vmm || !slots) {
        V3_ERROR("v3vee: out of memory for per-CPU state\n");
        destroy(vmm);
        set_host(nullptr);
        return -static_cast<int>(Errno::NoMem);
    }
    for (unsigned cpu = 0; cpu < count; ++cpu)
        new (&slots[cpu]) CpuSlot;
    vmm->caps = caps.value();
    vmm->cpu_count = count;
    vmm->cpus = slots;

    int result = 0;
    unsigned enabled = 0;
    for (unsigned cpu = 0; cpu < count && result == 0; ++cpu) {
        if (!host().cpu_online(cpu))
            continue;
        CpuSlot& slot = slots[cpu];
        slot.host_save_area = host().allocate_pages(1, kPageSize);
        if (!slot.host_save_area) {
            V3_ERROR("v3vee: cpu %u: out of memory for the host save area\n", cpu);
            result = -static_cast<int>(Errno::NoMem);
            break;
        }
        if (host().call_on_cpu(cpu, enable_trampoline, &slot) != 0)
            slot.status = svm::EnableStatus::NotAttempted;
        if (slot.status != svm::EnableStatus::Enabled) {
            V3_ERROR("v3vee: cpu %u: cannot enable SVM: %s\n", cpu, svm::describe(slot.status));
            result = slot.status == svm::EnableStatus::AlreadyEnabled
                         ? -static_cast<int>(Errno::Busy)
                         : -static_cast<int>(Errno::NoDev);
            break;
        }
        ++enabled;
    }
    if (result == 0 && enabled == 0) {
        V3_ERROR("v3vee: no online CPU to enable SVM on\n");
        result = -static_cast<int>(Errno::NoDev);
    }
    if (result != 0) {
        release_cpus(*vmm, false);
        free_state(vmm);
        set_host(nullptr);
        return result;
    }

    const svm::Capabilities& c = vmm->caps;
    for (unsigned cpu = 0; cpu < count; ++cpu) {
        if (slots[cpu].status != svm::EnableStatus::Enabled)
            continue;
        V3_INFO("v3vee: cpu %u: SVM enabled (revision %u, %u ASIDs, nested paging %s, "
                "nrip-save %s), host save area at 0x%llx\n",
                cpu, c.revision, c.num_asids, c.nested_paging ? "yes" : "no",
                c.nrip_save ? "yes" : "no", (unsigned long long)slots[cpu].host_save_area);
    }
    g_vmm = vmm;
    return 0;
}

void shutdown() {
    if (!g_vmm)
        return;
    release_cpus(*g_vmm, true);
    free_state(g_vmm);
    g_vmm = nullptr;
    set_host(nullptr);
}

} // namespace

} // namespace v3

extern "C" int v3_init(const v3_host_services* host) {
    return v3::init(host);
}

extern "C" void v3_shutdown(void) {
    v3::shutdown();
}

extern "C" int v3_get_hw_info(v3_hw_info* info) {
    if (!v3::g_vmm || !info)
        return -static_cast<int>(v3::Errno::Inval);
    const v3::svm::Capabilities& c = v3::g_vmm->caps;
    unsigned features = V3_HW_SVM;
    if (c.nested_paging)
        features |= V3_HW_NESTED_PAGING;
    if (c.nrip_save)
        features |= V3_HW_NRIP_SAVE;
    if (c.vmcb_clean)
        features |= V3_HW_VMCB_CLEAN;
    if (c.decode_assists)
        features |= V3_HW_DECODE_ASSISTS;
    info->features = features;
    info->svm_revision = c.revision;
    info->num_asids = c.num_asids;
    info->cpus_possible = v3::g_vmm->cpu_count;
    unsigned enabled = 0;
    for (unsigned cpu = 0; cpu < v3::g_vmm->cpu_count; ++cpu)
        enabled += v3::g_vmm->cpus[cpu].status == v3::svm::EnableStatus::Enabled;
    info->cpus_enabled = enabled;
    return 0;
}

extern "C" int v3_cpu_enabled(unsigned int cpu) {
    if (!v3::g_vmm || cpu >= v3::g_vmm->cpu_count)
        return 0;
    return v3::g_vmm->cpus[cpu].status == v3::svm::EnableStatus::Enabled;
}
