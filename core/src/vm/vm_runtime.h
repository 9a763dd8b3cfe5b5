// Running a VM: the CPU backend (vm/vcore.h), one Vcore and one host thread
// ("NAME-CORE") per virtual core with the run loop, and the synchronous
// lifecycle operations the host calls (launch, pause, continue, stop). All
// device work happens on core threads under the VM's device lock, so a
// device never sees two callers at once.
#pragma once

#include "lib/vector.h"
#include "vm/exit_stats.h"
#include "vm/vcore.h"
#include "vm/vcore_signal.h"

namespace v3 {

class Vm;

class VmRuntime {
public:
    // Creates one core per configured virtual core from `backend`, which
    // the runtime then owns.
    static Result<OwnPtr<VmRuntime>> try_create(Vm& vm, OwnPtr<VcoreBackend> backend);
    ~VmRuntime(); // stops the threads if still running, frees everything

    // Lets the cores' threads (started, bound and waiting since creation)
    // run the guest. The VM must be in the created state (a stopped VM is
    // reset and given a fresh runtime first).
    Result<void> launch();
    // Returns once every core thread is parked outside the guest.
    Result<void> pause();
    Result<void> resume();
    // Stops and joins every core thread; the VM ends stopped (unless it had
    // already failed or stopped itself). Also what joins the parked threads
    // of a VM that stopped or failed on its own.
    void stop();

    ExitStats total_stats() const;
    // The cores, for checkpoints while none runs (vmm_chkpt.cpp).
    u32 core_count() const { return u32(cores_.size()); }
    Vcore& core(u32 index) { return *cores_[index]; }
    u64 started_ns() const { return started_ns_; }
    bool threads_running() const { return launched_ && !threads_.is_empty(); }

private:
    explicit VmRuntime(Vm& vm) : vm_(vm) {}
    struct CoreThread {
        VmRuntime* runtime;
        Vcore* core;
        void* thread;
    };
    // One thread per core, bound to a host CPU, waiting for launch().
    Result<void> start_threads();
    static int core_thread_main(void* arg);
    void run_core(Vcore& core);
    // Parks the core until the pause ends (the guest's TSC stopped).
    void park(Vcore& core, VcoreSignal& signal);
    // Tells a waiting pause() that a core parked or stopped.
    void settle_pause();
    // Moves guest time to host now (device lock held).
    Result<void> advance_clock();
    // The host instant of the next timer event, 0 for none (lock held).
    u64 timer_deadline_ns() const;

    Vm& vm_;
    OwnPtr<VcoreBackend> backend_; // before the cores: they use what it owns
    Vector<OwnPtr<Vcore>> cores_;
    Vector<CoreThread*> threads_;
    u64 started_ns_ = 0;
    // The host instant guest time was last brought to (device lock).
    u64 clock_host_ns_ = 0;
    bool launched_ = false; // launch() let the threads run (atomic access)
    volatile bool stop_requested_ = false;
    volatile bool pause_requested_ = false;
    volatile u32 parked_ = 0;
    volatile u32 pause_settled_ = 0; // raised for a waiting pause()
    void* pause_waiter_ = nullptr;   // host waiter pause() blocks on
};

} // namespace v3
