#include "hosted_timers.h"

#include <chrono>
#include <new>
#include <thread>

namespace v3::hosted {

namespace {

std::mutex g_counters_mutex;
TimerCounters g_counters;

template <typename F> void count(F&& update) {
    std::lock_guard lock(g_counters_mutex);
    update(g_counters);
}

// monotonic_ns() is CLOCK_MONOTONIC, which is what steady_clock reads.
std::chrono::steady_clock::time_point at(v3_u64 deadline_ns) {
    return std::chrono::steady_clock::time_point(std::chrono::nanoseconds(deadline_ns));
}

void* waiter_alloc() {
    return new (std::nothrow) HostedWaiter;
}

void waiter_free(void* w) {
    delete static_cast<HostedWaiter*>(w);
}

int waiter_wait(void* raw, const volatile unsigned* flag, v3_u64 deadline_ns) {
    auto& w = *static_cast<HostedWaiter*>(raw);
    std::atomic<HostedWaiter*>* slot = current_thread_waiting_slot();
    if (slot)
        slot->store(&w); // before the check: thread_stop then wakes this waiter
    auto done = [&] {
        return __atomic_load_n(flag, __ATOMIC_SEQ_CST) != 0 || current_thread_stop_requested();
    };
    {
        std::unique_lock lock(w.mutex);
        if (deadline_ns == 0)
            w.changed.wait(lock, done);
        else
            w.changed.wait_until(lock, at(deadline_ns), done);
    }
    if (slot)
        slot->store(nullptr);
    bool flagged = __atomic_load_n(flag, __ATOMIC_SEQ_CST) != 0;
    count([&](TimerCounters& c) {
        ++c.waits;
        c.woken_by_flag += flagged;
    });
    return flagged;
}

void waiter_wake(void* raw) {
    wake_waiter(*static_cast<HostedWaiter*>(raw));
}

// One thread per timer: sleeps until the deadline, then runs the callback
// outside the lock (so arming from the callback works, as in the kernel).
struct HostedTimer {
    void (*fn)(void*) = nullptr;
    void* arg = nullptr;
    std::mutex mutex;
    std::condition_variable changed;
    v3_u64 deadline = 0; // 0: not armed
    bool running = false;
    bool quit = false;
    std::thread thread;

    void run() {
        std::unique_lock lock(mutex);
        while (!quit) {
            if (deadline == 0) {
                changed.wait(lock);
                continue;
            }
            if (std::chrono::steady_clock::now() < at(deadline)) {
                changed.wait_until(lock, at(deadline));
                continue;
            }
            deadline = 0;
            running = true;
            lock.unlock();
            fn(arg);
            count([](TimerCounters& c) { ++c.fired; });
            lock.lock();
            running = false;
            changed.notify_all();
        }
    }
};

void* timer_alloc(void (*fn)(void*), void* arg) {
    if (!fn)
        return nullptr;
    auto* t = new (std::nothrow) HostedTimer;
    if (!t)
        return nullptr;
    t->fn = fn;
    t->arg = arg;
    t->thread = std::thread([t] { t->run(); });
    return t;
}

void timer_cancel(void* raw) {
    auto& t = *static_cast<HostedTimer*>(raw);
    std::unique_lock lock(t.mutex);
    t.deadline = 0;
    t.changed.notify_all();
    t.changed.wait(lock, [&] { return !t.running; });
}

void timer_free(void* raw) {
    auto* t = static_cast<HostedTimer*>(raw);
    if (!t)
        return;
    {
        std::lock_guard lock(t->mutex);
        t->quit = true;
        t->changed.notify_all();
    }
    t->thread.join();
    delete t;
}

void timer_arm(void* raw, v3_u64 deadline_ns) {
    auto& t = *static_cast<HostedTimer*>(raw);
    {
        std::lock_guard lock(t.mutex);
        t.deadline = deadline_ns ? deadline_ns : 1;
        t.changed.notify_all();
    }
    count([&](TimerCounters& c) {
        ++c.arms;
        c.last_deadline = deadline_ns;
    });
}

// A kick handle needs no state in a process.
int g_kick_handle;

void* kick_alloc() {
    return &g_kick_handle;
}
void kick_free(void*) {}
void kick_cpu(void*, unsigned) {
    count([](TimerCounters& c) { ++c.kicks; });
}

} // namespace

void wake_waiter(HostedWaiter& waiter) {
    // Taking the lock orders this wake after a waiter's flag check, so the
    // wake cannot fall between its check and its sleep.
    { std::lock_guard lock(waiter.mutex); }
    waiter.changed.notify_all();
}

void add_timer_services(v3_host_services& h) {
    h.waiter_alloc = waiter_alloc;
    h.waiter_free = waiter_free;
    h.waiter_wait = waiter_wait;
    h.waiter_wake = waiter_wake;
    h.timer_alloc = timer_alloc;
    h.timer_free = timer_free;
    h.timer_arm = timer_arm;
    h.timer_cancel = timer_cancel;
    h.kick_alloc = kick_alloc;
    h.kick_free = kick_free;
    h.kick_cpu = kick_cpu;
}

TimerCounters timer_counters() {
    std::lock_guard lock(g_counters_mutex);
    return g_counters;
}

} // namespace v3::hosted
