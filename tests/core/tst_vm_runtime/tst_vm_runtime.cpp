// The run loop (vm/vm_runtime.cpp) over a scripted CPU backend: the
// arch-neutral vcore interface (vm/vcore.h) lets the hosted build drive the
// real loop, threads and lifecycle calls without VMRUN. Checks the one
// fail-stop path (an exit handler's error fails the VM with the core's
// reason), stops requested by the guest, pausing guest time, the Linux
// entry, and backend failures.
#include "vm_harness.h"

#include <vm/vcore.h>
#include <vm/vm_runtime.h>

#include <QtTest>

#include <atomic>
#include <functional>
#include <unistd.h>

namespace {

// What the scripted cores share with the test thread. Counters are atomic:
// the core threads write them while the test reads.
struct Script {
    // Called on every exit with the core id and the exit's number (from 1);
    // its result is what handle_exit returns.
    std::function<v3::Result<void>(v3::u32 core, v3::u64 exit)> on_exit;
    int fail_create_at = -1; // core id whose creation fails, -1: none
    std::atomic<int> created{0};
    std::atomic<int> destroyed{0};
    std::atomic<int> recent_exit_logs{0};
    std::atomic<int> paused{0};
    std::atomic<int> resumed{0};
    std::atomic<v3::u64> exits{0};
    std::atomic<v3::u64> linux_entry{0};
    std::atomic<v3::u64> linux_boot_params{0};
    std::atomic<bool> backend_alive{false};
};

class ScriptedVcore final : public v3::Vcore {
public:
    ScriptedVcore(Script& script, v3::u32 id) : script_(script), id_(id) { ++script_.created; }
    ~ScriptedVcore() override {
        // The backend must outlive its cores (they use what it owns).
        QVERIFY(script_.backend_alive);
        ++script_.destroyed;
    }

    v3::u32 id() const override { return id_; }
    bool halted() const override { return false; }
    void reset() override {}
    void start_linux_protected_mode(v3::u64 entry, v3::u64 boot_params, v3::u64) override {
        script_.linux_entry = entry;
        script_.linux_boot_params = boot_params;
    }
    void prepare_interrupts() override {}
    bool enter(const volatile v3::u32*) override {
        usleep(100); // the "guest" runs a little
        return true;
    }
    v3::Result<void> handle_exit() override {
        stats_.count(v3::ExitReason::Other);
        v3::u64 number = ++exits_;
        ++script_.exits;
        return script_.on_exit ? script_.on_exit(id_, number) : v3::Result<void>();
    }
    void describe_failure(const v3::Error& error, char* out, v3::usize size) const override {
        snprintf(out, size, "%s (exit FAKE; exit number %llu)", error.message,
                 (unsigned long long)exits_);
    }
    void log_recent_exits() const override { ++script_.recent_exit_logs; }
    void pause_guest_time() override { ++script_.paused; }
    void resume_guest_time() override { ++script_.resumed; }
    void load_registers(v3::x86::Registers&) const override {}
    void store_registers(const v3::x86::Registers&) override {}
    const v3::ExitStats& stats() const override { return stats_; }

private:
    Script& script_;
    v3::u32 id_;
    v3::u64 exits_ = 0;
    v3::ExitStats stats_;
};

class ScriptedBackend final : public v3::VcoreBackend {
public:
    explicit ScriptedBackend(Script& script) : script_(script) { script_.backend_alive = true; }
    ~ScriptedBackend() override { script_.backend_alive = false; }
    v3::Result<v3::OwnPtr<v3::Vcore>> create_vcore(v3::u32 core_id) override {
        if (int(core_id) == script_.fail_create_at)
            return v3::make_error(v3::Errno::NoMem, "scripted: no memory for this core");
        return v3::OwnPtr<v3::Vcore>(new (v3::alloc) ScriptedVcore(script_, core_id));
    }

private:
    Script& script_;
};

std::unique_ptr<testvm::TestVm> makeVm(int cores = 1) {
    return testvm::make_vm("<vm class=\"PC\"><memory>4</memory><cores count=\"" +
                           QByteArray::number(cores) + "\"/></vm>");
}

v3::OwnPtr<v3::VmRuntime> makeRuntime(v3::Vm& vm, Script& script) {
    auto runtime = v3::VmRuntime::try_create(
        vm, v3::OwnPtr<v3::VcoreBackend>(new (v3::alloc) ScriptedBackend(script)));
    if (runtime.is_error())
        return {};
    return runtime.release_value();
}

} // namespace

class TestVmRuntime : public QObject {
    Q_OBJECT

private slots:
    void handlerErrorFailsTheVmWithTheCoresReason() {
        auto t = makeVm();
        QVERIFY2(t->ok(), qPrintable(t->error));
        Script script;
        script.on_exit = [](v3::u32, v3::u64 exit) -> v3::Result<void> {
            if (exit == 3)
                return v3::make_error(v3::Errno::Fault, "triple fault: the guest shut down");
            return {};
        };
        auto runtime = makeRuntime(**t, script);
        QVERIFY(runtime);
        QVERIFY(!runtime->launch().is_error());
        QTRY_COMPARE(t->vm->state(), v3::VmState::Error);
        QCOMPARE(QString(t->vm->stop_reason()),
                 QString("core 0: triple fault: the guest shut down (exit FAKE; exit number 3)"));
        QTRY_COMPARE(script.recent_exit_logs.load(), 1);
        // The core's loop ended at the failing exit: it never enters again.
        QCOMPARE(script.exits.load(), v3::u64(3));
        QCOMPARE(runtime->total_stats().total, v3::u64(3));
        runtime->stop(); // joins; a failed VM keeps its state and reason
        QCOMPARE(t->vm->state(), v3::VmState::Error);
        QCOMPARE(QString(t->vm->stop_reason()).left(7), QString("core 0:"));
    }

    void failureNamesTheCoreThatFailed() {
        auto t = makeVm(2);
        QVERIFY2(t->ok(), qPrintable(t->error));
        Script script;
        script.on_exit = [](v3::u32 core, v3::u64 exit) -> v3::Result<void> {
            if (core == 1 && exit == 5)
                return v3::make_error(v3::Errno::NoSys, "unhandled VM exit");
            return {};
        };
        auto runtime = makeRuntime(**t, script);
        QVERIFY(runtime);
        QCOMPARE(script.created.load(), 2);
        QVERIFY(!runtime->launch().is_error());
        QTRY_COMPARE(t->vm->state(), v3::VmState::Error);
        QVERIFY2(QString(t->vm->stop_reason()).startsWith("core 1: unhandled VM exit (exit FAKE"),
                 t->vm->stop_reason());
        runtime->stop();
        QCOMPARE(t->vm->state(), v3::VmState::Error);
    }

    void guestStopIsNotAFailure() {
        auto t = makeVm();
        QVERIFY2(t->ok(), qPrintable(t->error));
        Script script;
        v3::Vm* vm = t->vm.get();
        script.on_exit = [vm](v3::u32, v3::u64 exit) -> v3::Result<void> {
            if (exit == 2)
                vm->request_stop(7, "the guest asked to stop");
            return {};
        };
        auto runtime = makeRuntime(**t, script);
        QVERIFY(runtime);
        QVERIFY(!runtime->launch().is_error());
        QTRY_COMPARE(t->vm->state(), v3::VmState::Stopped);
        QCOMPARE(QString(t->vm->stop_reason()), QString("the guest asked to stop"));
        QCOMPARE(t->vm->exit_code(), v3::u32(7));
        runtime->stop();
        QCOMPARE(script.recent_exit_logs.load(), 0);
        QCOMPARE(t->vm->state(), v3::VmState::Stopped);
        QCOMPARE(QString(t->vm->stop_reason()), QString("the guest asked to stop"));
    }

    void errorAfterAGuestStopKeepsTheStop() {
        auto t = makeVm();
        QVERIFY2(t->ok(), qPrintable(t->error));
        Script script;
        v3::Vm* vm = t->vm.get();
        script.on_exit = [vm](v3::u32, v3::u64) -> v3::Result<void> {
            vm->request_stop(0, "the guest asked to stop");
            return v3::make_error(v3::Errno::Io, "a device failed after the stop");
        };
        auto runtime = makeRuntime(**t, script);
        QVERIFY(runtime);
        QVERIFY(!runtime->launch().is_error());
        QTRY_COMPARE(script.recent_exit_logs.load(), 1); // still logged
        runtime->stop();
        QCOMPARE(t->vm->state(), v3::VmState::Stopped);
        QCOMPARE(QString(t->vm->stop_reason()), QString("the guest asked to stop"));
    }

    void pausedCoresStopGuestTime() {
        auto t = makeVm(2);
        QVERIFY2(t->ok(), qPrintable(t->error));
        Script script;
        auto runtime = makeRuntime(**t, script);
        QVERIFY(runtime);
        QVERIFY(!runtime->launch().is_error());
        QVERIFY(!runtime->pause().is_error());
        QCOMPARE(t->vm->state(), v3::VmState::Paused);
        // pause() returns once every core is parked, each having stopped its
        // guest time first.
        QCOMPARE(script.paused.load(), 2);
        v3::u64 exits = script.exits.load();
        usleep(20000);
        QCOMPARE(script.exits.load(), exits); // parked cores do not enter
        QCOMPARE(script.resumed.load(), 0);
        QVERIFY(!runtime->resume().is_error());
        QTRY_COMPARE(script.resumed.load(), 2);
        QTRY_VERIFY(script.exits.load() > exits);
        runtime->stop();
        QCOMPARE(t->vm->state(), v3::VmState::Stopped);
        QCOMPARE(QString(t->vm->stop_reason()), QString("stopped by the host"));
    }

    void linuxEntryStartsCoreZero() {
        auto t = makeVm(2);
        QVERIFY2(t->ok(), qPrintable(t->error));
        t->vm->set_linux_entry(v3::LinuxEntry{0x100000, 0x7000});
        Script script;
        auto runtime = makeRuntime(**t, script);
        QVERIFY(runtime);
        QCOMPARE(script.linux_entry.load(), v3::u64(0x100000));
        QCOMPARE(script.linux_boot_params.load(), v3::u64(0x7000));
    }

    void coreCreationFailureFailsTheRuntime() {
        auto t = makeVm(3);
        QVERIFY2(t->ok(), qPrintable(t->error));
        Script script;
        script.fail_create_at = 1;
        auto runtime = v3::VmRuntime::try_create(
            **t, v3::OwnPtr<v3::VcoreBackend>(new (v3::alloc) ScriptedBackend(script)));
        QVERIFY(runtime.is_error());
        QCOMPARE(runtime.error().code, v3::Errno::NoMem);
        QCOMPARE(QString(runtime.error().message), QString("scripted: no memory for this core"));
        // The core made before the failure is freed, before its backend.
        QCOMPARE(script.created.load(), 1);
        QCOMPARE(script.destroyed.load(), 1);
        QVERIFY(!script.backend_alive);
    }

    void runtimeNeedsABackend() {
        auto t = makeVm();
        QVERIFY2(t->ok(), qPrintable(t->error));
        auto runtime = v3::VmRuntime::try_create(**t, v3::OwnPtr<v3::VcoreBackend>());
        QVERIFY(runtime.is_error());
        QCOMPARE(runtime.error().code, v3::Errno::Inval);
    }

    void coresDieBeforeTheirBackend() {
        auto t = makeVm(2);
        QVERIFY2(t->ok(), qPrintable(t->error));
        Script script;
        {
            auto runtime = makeRuntime(**t, script);
            QVERIFY(runtime);
            QVERIFY(!runtime->launch().is_error());
            QTRY_VERIFY(script.exits.load() > 0);
        } // the destructor stops the threads, frees the cores, then the backend
        QCOMPARE(script.destroyed.load(), 2);
        QVERIFY(!script.backend_alive);
        QCOMPARE(t->vm->state(), v3::VmState::Stopped);
    }
};

QTEST_GUILESS_MAIN(TestVmRuntime)
#include "tst_vm_runtime.moc"
