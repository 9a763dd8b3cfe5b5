// The hosted waiters, timers and kicks (host services version 3): a waiter
// is a mutex and condition variable; a timer is a thread that sleeps until
// its deadline and then calls the core's function; a kick only counts (a
// process has no guest mode to interrupt). Counters let tests see what the
// core armed and kicked.
#pragma once

#include <v3/host.h>

#include <atomic>
#include <condition_variable>
#include <mutex>

namespace v3::hosted {

struct HostedWaiter {
    std::mutex mutex;
    std::condition_variable changed;
};

// Wakes every thread blocked on `waiter`.
void wake_waiter(HostedWaiter& waiter);

// Fills the waiter, timer and kick members of a host services table.
void add_timer_services(v3_host_services& h);

// hosted_host.cpp: the calling core thread's "blocked on" slot (null on a
// thread the table did not start) and whether thread_stop was called for it.
std::atomic<HostedWaiter*>* current_thread_waiting_slot();
bool current_thread_stop_requested();

// What the core did with the services, since the process started.
struct TimerCounters {
    long arms = 0;            // timer_arm calls
    long fired = 0;           // timer callbacks run
    long kicks = 0;           // kick_cpu calls
    v3_u64 last_deadline = 0; // the deadline of the last timer_arm
    long waits = 0;           // waiter_wait calls
    long woken_by_flag = 0;   // of those, how many returned with the flag set
};
TimerCounters timer_counters();

} // namespace v3::hosted
