#include "hosted_host.h"

#include <cerrno>
#include <cpuid.h>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <atomic>
#include <mutex>
#include "hosted_timers.h"

#include <new>
#include <pthread.h>
#include <sched.h>
#include <ctime>
#include <unistd.h>
#include <vector>

namespace v3::hosted {

namespace {

std::mutex g_log_mutex;
std::string g_log;
std::atomic<long> g_outstanding_pages{0};
thread_local unsigned t_current_cpu = 0;

struct PassthroughGrant {
    v3_paddr_t start;
    v3_u64 size;
};
std::mutex g_grants_mutex;
std::vector<PassthroughGrant> g_grants;

struct HostedThread {
    pthread_t handle{};
    int (*fn)(void*) = nullptr;
    void* arg = nullptr;
    std::atomic<bool> stop{false};
    int result = 0;
    // The waiter this thread blocks on, so thread_stop can wake it.
    std::atomic<HostedWaiter*> waiting{nullptr};
};

thread_local HostedThread* t_self = nullptr;

} // namespace

std::atomic<HostedWaiter*>* current_thread_waiting_slot() {
    return t_self ? &t_self->waiting : nullptr;
}
bool current_thread_stop_requested() {
    return t_self && t_self->stop.load();
}

namespace {

void hosted_vprint(v3_log_level, const char* fmt, v3_va_list args) {
    char line[1024];
    std::vsnprintf(line, sizeof line, fmt, args);
    std::lock_guard lock(g_log_mutex);
    g_log += line;
}

v3_paddr_t hosted_allocate_pages(unsigned long num_pages, unsigned long alignment) {
    if (alignment < 4096 || (alignment & (alignment - 1)) || num_pages == 0)
        return 0;
    void* p = std::aligned_alloc(alignment, num_pages * 4096);
    if (!p)
        return 0;
    std::memset(p, 0, num_pages * 4096);
    g_outstanding_pages += long(num_pages);
    return reinterpret_cast<v3_paddr_t>(p);
}

void hosted_free_pages(v3_paddr_t paddr, unsigned long num_pages) {
    if (!paddr)
        return;
    g_outstanding_pages -= long(num_pages);
    std::free(reinterpret_cast<void*>(paddr));
}

v3_paddr_t hosted_allocate_guest_memory(unsigned long num_pages) {
    return hosted_allocate_pages(num_pages, num_pages == 512 ? 2 * 1024 * 1024 : 4096);
}

void hosted_free_guest_memory(v3_paddr_t paddr, unsigned long num_pages) {
    hosted_free_pages(paddr, num_pages);
}

// Processes use in-memory StreamProviders (tests/support/vm_harness.h); the
// host-service streams are only for VMs a real host runs.
void* hosted_stream_open(void*, const char*) {
    return nullptr;
}
unsigned long hosted_stream_write(void*, const unsigned char*, unsigned long size) {
    return size;
}
unsigned long hosted_stream_read(void*, unsigned char*, unsigned long) {
    return 0;
}
void hosted_stream_close(void*) {}
void hosted_stream_set_input_notify(void*, void (*)(void*), void*) {}

void* hosted_malloc(unsigned long size) {
    return std::malloc(size);
}
void hosted_free(void* ptr) {
    std::free(ptr);
}
void* hosted_paddr_to_vaddr(v3_paddr_t paddr) {
    return reinterpret_cast<void*>(paddr);
}
v3_paddr_t hosted_vaddr_to_paddr(const void* vaddr) {
    return reinterpret_cast<v3_paddr_t>(vaddr);
}

void* hosted_mutex_alloc() {
    return new (std::nothrow) std::mutex;
}
void hosted_mutex_free(void* m) {
    delete static_cast<std::mutex*>(m);
}
void hosted_mutex_lock(void* m) {
    static_cast<std::mutex*>(m)->lock();
}
void hosted_mutex_unlock(void* m) {
    static_cast<std::mutex*>(m)->unlock();
}

void* thread_entry(void* raw) {
    auto* t = static_cast<HostedThread*>(raw);
    t_self = t;
    t->result = t->fn(t->arg);
    return nullptr;
}

void* hosted_thread_start(int (*fn)(void*), void* arg, const char* name, int cpu) {
    auto* t = new (std::nothrow) HostedThread;
    if (!t)
        return nullptr;
    t->fn = fn;
    t->arg = arg;
    if (pthread_create(&t->handle, nullptr, thread_entry, t) != 0) {
        delete t;
        return nullptr;
    }
    // Linux limits thread names to 15 characters.
    char short_name[16] = {};
    std::strncpy(short_name, name ? name : "v3", sizeof short_name - 1);
    pthread_setname_np(t->handle, short_name);
    if (cpu >= 0) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(cpu, &set);
        pthread_setaffinity_np(t->handle, sizeof set, &set);
    }
    return t;
}

int hosted_thread_should_stop() {
    return t_self && t_self->stop.load();
}

int hosted_thread_stop(void* raw) {
    auto* t = static_cast<HostedThread*>(raw);
    t->stop = true;
    // A thread that checked `stop` before it was set is asleep on its
    // waiter (or will see `stop` when it checks under the waiter's lock).
    if (HostedWaiter* w = t->waiting.load())
        wake_waiter(*w);
    pthread_join(t->handle, nullptr);
    int result = t->result;
    delete t;
    return result;
}

unsigned hosted_cpu_count() {
    long n = sysconf(_SC_NPROCESSORS_CONF);
    return n > 0 ? unsigned(n) : 1;
}
int hosted_cpu_online(unsigned cpu) {
    return cpu < hosted_cpu_count();
}
unsigned hosted_current_cpu() {
    return t_current_cpu;
}

int hosted_call_on_cpu(unsigned cpu, void (*fn)(void*), void* arg) {
    if (cpu >= hosted_cpu_count())
        return -ENXIO;
    unsigned saved = t_current_cpu;
    t_current_cpu = cpu;
    fn(arg);
    t_current_cpu = saved;
    return 0;
}

unsigned hosted_cpu_khz() {
    return 1000000;
}

void hosted_cpuid(unsigned leaf, unsigned subleaf, unsigned regs[4]) {
    __cpuid_count(leaf, subleaf, regs[0], regs[1], regs[2], regs[3]);
}
int hosted_read_msr(unsigned, v3_u64*) {
    return -EIO;
}
int hosted_write_msr(unsigned, v3_u64) {
    return -EIO;
}

// A process has no host tasks whose FPU state the guest could clobber.
void hosted_fpu_begin() {}
void hosted_fpu_end() {}

v3_u64 hosted_monotonic_ns() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return v3_u64(ts.tv_sec) * 1000000000u + v3_u64(ts.tv_nsec);
}

void hosted_yield() {
    sched_yield();
}
void hosted_sleep_us(unsigned long usec) {
    usleep(usec);
}

// A process has no kernel memory to protect, but the core must still be
// refused anything outside the grants, exactly as in the kernel.
int hosted_passthrough_allowed(v3_paddr_t start, v3_u64 size) {
    std::lock_guard lock(g_grants_mutex);
    for (const PassthroughGrant& g : g_grants)
        if (start >= g.start && size <= g.size && start - g.start <= g.size - size)
            return 0;
    return -EPERM;
}

} // namespace

v3_host_services make_host_services() {
    v3_host_services h{};
    h.version = V3_HOST_SERVICES_VERSION;
    h.vprint = hosted_vprint;
    h.allocate_pages = hosted_allocate_pages;
    h.free_pages = hosted_free_pages;
    h.allocate_guest_memory = hosted_allocate_guest_memory;
    h.free_guest_memory = hosted_free_guest_memory;
    h.stream_open = hosted_stream_open;
    h.stream_write = hosted_stream_write;
    h.stream_read = hosted_stream_read;
    h.stream_close = hosted_stream_close;
    h.malloc = hosted_malloc;
    h.free = hosted_free;
    h.paddr_to_vaddr = hosted_paddr_to_vaddr;
    h.vaddr_to_paddr = hosted_vaddr_to_paddr;
    h.mutex_alloc = hosted_mutex_alloc;
    h.mutex_free = hosted_mutex_free;
    h.mutex_lock = hosted_mutex_lock;
    h.mutex_unlock = hosted_mutex_unlock;
    h.thread_start = hosted_thread_start;
    h.thread_should_stop = hosted_thread_should_stop;
    h.thread_stop = hosted_thread_stop;
    h.cpu_count = hosted_cpu_count;
    h.cpu_online = hosted_cpu_online;
    h.current_cpu = hosted_current_cpu;
    h.call_on_cpu = hosted_call_on_cpu;
    h.cpu_khz = hosted_cpu_khz;
    h.cpuid = hosted_cpuid;
    h.read_msr = hosted_read_msr;
    h.write_msr = hosted_write_msr;
    h.fpu_begin = hosted_fpu_begin;
    h.fpu_end = hosted_fpu_end;
    h.monotonic_ns = hosted_monotonic_ns;
    h.yield_cpu = hosted_yield;
    h.sleep_us = hosted_sleep_us;
    h.passthrough_allowed = hosted_passthrough_allowed;
    add_timer_services(h);
    h.stream_set_input_notify = hosted_stream_set_input_notify;
    return h;
}

std::string captured_log() {
    std::lock_guard lock(g_log_mutex);
    return g_log;
}

void clear_captured_log() {
    std::lock_guard lock(g_log_mutex);
    g_log.clear();
}

long outstanding_pages() {
    return g_outstanding_pages.load();
}

void grant_passthrough(v3_paddr_t start, v3_u64 size) {
    std::lock_guard lock(g_grants_mutex);
    g_grants.push_back(PassthroughGrant{start, size});
}

void revoke_passthrough_grants() {
    std::lock_guard lock(g_grants_mutex);
    g_grants.clear();
}

} // namespace v3::hosted
