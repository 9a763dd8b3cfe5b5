// Time and waking (issue 10 item 3) with the in-process host: timer devices
// report their next interrupt as a deadline (PIT, RTC), the run loop arms
// the host timer for it, a halted core blocks until something needs it (no
// polling) and is woken at once by an interrupt raised for the VM, pause()
// and a paused core wait without polling, and a pause stops guest time.
#include "hosted_timers.h"
#include "vm_harness.h"

#include <vm/host_stream_provider.h>
#include <vm/vcore.h>
#include <vm/vm_runtime.h>

#include <QtTest>

#include <atomic>
#include <chrono>
#include <thread>

namespace {

using namespace std::chrono_literals;

constexpr v3::u64 kPitHz = 1193182;

// An interrupt controller with one request the test raises; the core takes
// it in prepare_interrupts, as the 8259A's INTA would.
class OneRequestController : public v3::InterruptController {
public:
    void raise_irq(v3::u8) override { pending = true; }
    void lower_irq(v3::u8) override {}
    bool interrupt_pending() const override { return pending; }
    v3::Result<v3::u8> acknowledge() override {
        pending = false;
        return v3::u8(0x20);
    }
    std::atomic<bool> pending{false};
};

// A core that halts (as after HLT with IF set) and wakes when the VM has an
// interrupt for it, counting the run loop's passes.
struct Script {
    v3::Vm* vm = nullptr;
    std::atomic<bool> halted{true};
    std::atomic<int> passes{0};
    std::atomic<int> injected{0};
    std::atomic<v3::u64> woke_ns{0};
    std::atomic<v3::u64> exits{0};
};

class HaltingVcore final : public v3::Vcore {
public:
    HaltingVcore(Script& script, v3::u32 id) : script_(script), id_(id) {}
    v3::u32 id() const override { return id_; }
    bool halted() const override { return script_.halted; }
    void reset() override {}
    void start_linux_protected_mode(v3::u64, v3::u64, v3::u64) override {}
    void prepare_interrupts() override {
        ++script_.passes;
        if (script_.vm->irqs().interrupt_pending()) {
            (void)script_.vm->irqs().acknowledge();
            ++script_.injected;
            if (script_.halted.exchange(false))
                script_.woke_ns = v3::host().monotonic_ns();
        }
    }
    bool enter(const volatile v3::u32*) override {
        // The guest runs a little, then halts again.
        std::this_thread::sleep_for(100us);
        script_.halted = true;
        return true;
    }
    v3::Result<void> handle_exit() override {
        ++script_.exits;
        return {};
    }
    void describe_failure(const v3::Error& e, char* out, v3::usize size) const override {
        snprintf(out, size, "%s", e.message);
    }
    void log_recent_exits() const override {}
    void pause_guest_time() override {}
    void resume_guest_time() override {}
    void load_registers(v3::x86::Registers&) const override {}
    void store_registers(const v3::x86::Registers&) override {}
    const v3::ExitStats& stats() const override { return stats_; }

private:
    Script& script_;
    v3::u32 id_;
    v3::ExitStats stats_;
};

class HaltingBackend final : public v3::VcoreBackend {
public:
    explicit HaltingBackend(Script& script) : script_(script) {}
    v3::Result<v3::OwnPtr<v3::Vcore>> create_vcore(v3::u32 id) override {
        return v3::OwnPtr<v3::Vcore>(new (v3::alloc) HaltingVcore(script_, id));
    }

private:
    Script& script_;
};

v3::OwnPtr<v3::VmRuntime> makeRuntime(v3::Vm& vm, Script& script) {
    script.vm = &vm;
    auto runtime = v3::VmRuntime::try_create(
        vm, v3::OwnPtr<v3::VcoreBackend>(new (v3::alloc) HaltingBackend(script)));
    return runtime.is_error() ? v3::OwnPtr<v3::VmRuntime>() : runtime.release_value();
}

// The host's side of one stream through the host services table, as the
// kernel glue does it: input queued by a "user" thread, which then calls the
// notification the core registered.
struct FakeHostStream {
    std::mutex mutex;
    QByteArray input;
    void (*notify)(void*) = nullptr;
    void* notify_arg = nullptr;
    std::atomic<int> reads_with_data{0};
};
FakeHostStream* g_fake_stream = nullptr;

void* fakeStreamOpen(void*, const char*) {
    return g_fake_stream;
}
unsigned long fakeStreamWrite(void*, const unsigned char*, unsigned long size) {
    return size;
}
unsigned long fakeStreamRead(void* raw, unsigned char* data, unsigned long size) {
    auto* s = static_cast<FakeHostStream*>(raw);
    std::lock_guard lock(s->mutex);
    unsigned long n = std::min<unsigned long>(size, unsigned(s->input.size()));
    memcpy(data, s->input.constData(), n);
    s->input.remove(0, qsizetype(n));
    if (n)
        ++s->reads_with_data;
    return n;
}
void fakeStreamClose(void* raw) {
    auto* s = static_cast<FakeHostStream*>(raw);
    std::lock_guard lock(s->mutex);
    s->notify = nullptr;
}
void fakeStreamSetNotify(void* raw, void (*fn)(void*), void* arg) {
    auto* s = static_cast<FakeHostStream*>(raw);
    std::lock_guard lock(s->mutex);
    s->notify = fn;
    s->notify_arg = arg;
}

// make_vm with another stream provider (make_vm installs the standard host
// table, which this test replaces).
std::unique_ptr<testvm::TestVm> makeVmWithStreams(const QByteArray& xml,
                                                  v3::StreamProvider& streams) {
    auto t = std::make_unique<testvm::TestVm>();
    t->text = xml;
    v3::config::Diagnostic diag;
    auto parsed = v3::config::parse_vm_config(
        v3::StringView(t->text.constData(), v3::usize(t->text.size())),
        v3::devices::known_class_names(), v3::devices::validate_device_config, diag,
        v3::devices::test_class_names());
    if (parsed.is_error()) {
        t->error = QString::fromUtf8(diag.message);
        return t;
    }
    t->config = std::make_unique<v3::config::VmConfig>(parsed.release_value());
    v3::VmEnvironment env;
    env.streams = &streams;
    auto vm = v3::Vm::try_create("test", *t->config, env, diag);
    if (vm.is_error()) {
        t->error = QString::fromUtf8(diag.message[0] ? diag.message : vm.error().message);
        return t;
    }
    t->vm = vm.release_value();
    return t;
}

// Channel 0, mode 2, lobyte/hibyte, `count`.
void programPit(testvm::TestVm& t, v3::u16 count) {
    QVERIFY(t.out(0x43, 0x34));
    QVERIFY(t.out(0x40, count & 0xff));
    QVERIFY(t.out(0x40, count >> 8));
}

} // namespace

class TestVmTiming : public QObject {
    Q_OBJECT

private slots:
    void pitDeadlineIsExactlyItsInterrupt() {
        auto t = testvm::make_vm("<device class=\"8254_PIT\" id=\"pit\"/>");
        QVERIFY2(t->ok(), qPrintable(t->error));
        v3::GuestClock& clock = t->vm->clock();
        QCOMPARE(clock.next_event_ns(), v3::kNoTimeEvent); // not programmed
        programPit(*t, 1193);
        v3::u64 previous = 0;
        for (int tick = 1; tick <= 5; ++tick) {
            v3::u64 deadline = clock.next_event_ns();
            QVERIFY(deadline != v3::kNoTimeEvent);
            QVERIFY(deadline > clock.now_ns());
            // One nanosecond short of the deadline: no interrupt yet.
            QVERIFY(!clock.advance(deadline - 1 - clock.now_ns()).is_error());
            QCOMPARE(t->irqs.raises(0), tick - 1);
            QVERIFY(!clock.advance(1).is_error());
            QCOMPARE(t->irqs.raises(0), tick);
            if (previous) {
                // 1193 input clocks apart, give or take the rounding to ns.
                v3::u64 period = deadline - previous;
                QVERIFY2(period >= 1193 * 1000000000ull / kPitHz - 1 &&
                             period <= 1193 * 1000000000ull / kPitHz + 1,
                         qPrintable(QString::number(period)));
            }
            previous = deadline;
        }
    }

    void pitDeadlineFollowsReprogramming() {
        auto t = testvm::make_vm("<device class=\"8254_PIT\" id=\"pit\"/>");
        QVERIFY2(t->ok(), qPrintable(t->error));
        programPit(*t, 11932); // 100 Hz
        v3::u64 slow = t->vm->clock().next_event_ns();
        QVERIFY(slow > 9000000 && slow < 11000000);
        programPit(*t, 1193); // 1 kHz: the next edge comes sooner
        v3::u64 fast = t->vm->clock().next_event_ns();
        QVERIFY2(fast < 2000000, qPrintable(QString::number(fast)));
        QVERIFY(t->out(0x43, 0x30)); // mode 0, waiting for a count: no edge
        QCOMPARE(t->vm->clock().next_event_ns(), v3::kNoTimeEvent);
    }

    void rtcPeriodicDeadlineIsItsInterrupt() {
        auto t = testvm::make_vm("<device class=\"NVRAM\" id=\"nvram\"/>");
        QVERIFY2(t->ok(), qPrintable(t->error));
        v3::GuestClock& clock = t->vm->clock();
        QVERIFY(t->out(0x70, 0x0a));
        QVERIFY(t->out(0x71, 0x26));                       // divider on, rate 6: 1024 Hz
        QCOMPARE(clock.next_event_ns(), v3::kNoTimeEvent); // PIE off
        QVERIFY(t->out(0x70, 0x0b));
        QVERIFY(t->out(0x71, 0x42)); // PIE, 24-hour
        v3::u64 deadline = clock.next_event_ns();
        QVERIFY(deadline != v3::kNoTimeEvent && deadline <= 1000000000ull / 1024 + 1);
        QVERIFY(!clock.advance(deadline - 1).is_error());
        QCOMPARE(t->irqs.raises(8), 0);
        QVERIFY(!clock.advance(1).is_error());
        QCOMPARE(t->irqs.raises(8), 1);
        // Until the guest reads register C, more periods change nothing.
        QCOMPARE(clock.next_event_ns(), v3::kNoTimeEvent);
    }

    void haltedCoreBlocksUntilAnInterruptWakesIt() {
        auto t = testvm::make_vm("<vm class=\"PC\"><memory>4</memory><cores count=\"1\"/></vm>");
        QVERIFY2(t->ok(), qPrintable(t->error));
        OneRequestController controller;
        QVERIFY(!t->vm->irqs().add_controller(controller).is_error());
        Script script;
        auto runtime = makeRuntime(**t, script);
        QVERIFY(runtime);
        QVERIFY(!runtime->launch().is_error());
        QTRY_VERIFY(script.passes.load() >= 1);
        // Nothing is due: the halted core sleeps instead of polling (a
        // 500 us poll would have made some 200 passes here).
        std::this_thread::sleep_for(100ms);
        QVERIFY2(script.passes.load() <= 2, qPrintable(QString::number(script.passes.load())));
        QCOMPARE(script.exits.load(), v3::u64(0));
        // A device raises a line from another thread (a key, host input).
        v3::u64 raised_ns = v3::host().monotonic_ns();
        t->vm->lock_devices();
        t->vm->irqs().raise(1);
        t->vm->unlock_devices();
        QTRY_COMPARE(script.injected.load(), 1);
        QVERIFY(script.woke_ns.load() >= raised_ns);
        QTRY_VERIFY(script.exits.load() >= 1); // it ran the guest again
        runtime->stop();
        t->vm->irqs().remove_controller(controller);
    }

    void pitDeadlineArmsTheTimerAndWakesTheHaltedCore() {
        auto t = testvm::make_vm("<vm class=\"PC\"><memory>4</memory><cores count=\"1\"/>"
                                 "<devices><device class=\"8254_PIT\" id=\"pit\"/></devices></vm>");
        QVERIFY2(t->ok(), qPrintable(t->error));
        OneRequestController controller;
        QVERIFY(!t->vm->irqs().add_controller(controller).is_error());
        t->vm->lock_devices();
        programPit(*t, 11932); // 100 Hz
        t->vm->unlock_devices();
        Script script;
        auto runtime = makeRuntime(**t, script);
        QVERIFY(runtime);
        const long arms_before = v3::hosted::timer_counters().arms;
        const long fired_before = v3::hosted::timer_counters().fired;
        v3::u64 launched = v3::host().monotonic_ns();
        QVERIFY(!runtime->launch().is_error());
        // Each IRQ 0 comes from the timer the loop armed for the PIT's
        // deadline: the core does nothing but wait in between.
        QTRY_VERIFY(script.injected.load() >= 5);
        auto counters = v3::hosted::timer_counters();
        QVERIFY(counters.arms - arms_before >= 5);
        QVERIFY(counters.fired - fired_before >= 4);
        v3::u64 elapsed = v3::host().monotonic_ns() - launched;
        // Five 10 ms periods cannot be over before 40 ms of host time.
        QVERIFY2(elapsed >= 40000000, qPrintable(QString::number(elapsed)));
        // The guest clock follows the host's: the fifth tick at >= 50 ms.
        QVERIFY(t->vm->clock().now_ns() >= 5 * 11932 * 1000000000ull / kPitHz);
        runtime->stop();
        t->vm->irqs().remove_controller(controller);
    }

    void streamInputWakesTheHaltedCore() {
        testvm::install_host();
        static v3_host_services services = [] {
            v3_host_services h = v3::hosted::make_host_services();
            h.stream_open = fakeStreamOpen;
            h.stream_write = fakeStreamWrite;
            h.stream_read = fakeStreamRead;
            h.stream_close = fakeStreamClose;
            h.stream_set_input_notify = fakeStreamSetNotify;
            return h;
        }();
        const v3_host_services* saved = &v3::host();
        v3::set_host(&services);
        FakeHostStream fake;
        g_fake_stream = &fake;
        {
            v3::HostServiceStreams streams(nullptr);
            auto t = makeVmWithStreams(
                testvm::wrap_devices("<device class=\"SERIAL\" id=\"serial\"/>"
                                     "<device class=\"CHAR_STREAM\" id=\"s\" name=\"com1\">"
                                     "<frontend tag=\"serial\" com_port=\"1\"/></device>"),
                streams);
            QVERIFY2(t->ok(), qPrintable(t->error));
            streams.set_input_waker(v3::Vm::wake_cores_callback, t->vm.get());
            QVERIFY(fake.notify != nullptr);
            Script script;
            auto runtime = makeRuntime(**t, script);
            QVERIFY(runtime);
            QVERIFY(!runtime->launch().is_error());
            QTRY_VERIFY(script.passes.load() >= 1);
            std::this_thread::sleep_for(50ms);
            int passes = script.passes.load();
            QVERIFY2(passes <= 2, qPrintable(QString::number(passes))); // asleep
            {
                // A keystroke written to /dev/v3-vmN's com1 stream.
                std::lock_guard lock(fake.mutex);
                fake.input = "k";
                fake.notify(fake.notify_arg);
            }
            // The halted core passes at once and takes the byte.
            QTRY_VERIFY(fake.reads_with_data.load() == 1);
            QVERIFY(script.passes.load() > passes);
            runtime->stop();
        }
        QVERIFY(fake.notify == nullptr); // the stream closed with the device
        g_fake_stream = nullptr;
        v3::set_host(saved);
    }

    void pauseOfAHaltedVmWaitsWithoutPolling() {
        auto t = testvm::make_vm("<vm class=\"PC\"><memory>4</memory><cores count=\"2\"/></vm>");
        QVERIFY2(t->ok(), qPrintable(t->error));
        Script script;
        auto runtime = makeRuntime(**t, script);
        QVERIFY(runtime);
        QVERIFY(!runtime->launch().is_error());
        QTRY_VERIFY(script.passes.load() >= 2);
        const long waits_before = v3::hosted::timer_counters().waits;
        QVERIFY(!runtime->pause().is_error());
        QCOMPARE(t->vm->state(), v3::VmState::Paused);
        // Parked cores sleep: over 100 ms they wait a few times, not the
        // hundred times a 1 ms poll would.
        std::this_thread::sleep_for(100ms);
        long waits = v3::hosted::timer_counters().waits - waits_before;
        QVERIFY2(waits <= 8, qPrintable(QString::number(waits)));
        QVERIFY(!runtime->resume().is_error());
        QCOMPARE(t->vm->state(), v3::VmState::Running);
        runtime->stop();
    }

    void pauseStopsGuestTime() {
        auto t = testvm::make_vm("<vm class=\"PC\"><memory>4</memory><cores count=\"1\"/>"
                                 "<devices><device class=\"8254_PIT\" id=\"pit\"/></devices></vm>");
        QVERIFY2(t->ok(), qPrintable(t->error));
        OneRequestController controller;
        QVERIFY(!t->vm->irqs().add_controller(controller).is_error());
        t->vm->lock_devices();
        programPit(*t, 1193); // 1 kHz keeps the core passing
        t->vm->unlock_devices();
        Script script;
        auto runtime = makeRuntime(**t, script);
        QVERIFY(runtime);
        QVERIFY(!runtime->launch().is_error());
        QTRY_VERIFY(script.injected.load() >= 3);
        QVERIFY(!runtime->pause().is_error());
        t->vm->lock_devices();
        v3::u64 paused_at = t->vm->clock().now_ns();
        t->vm->unlock_devices();
        std::this_thread::sleep_for(200ms);
        v3::u64 resumed_host = v3::host().monotonic_ns();
        QVERIFY(!runtime->resume().is_error());
        int ticks = script.injected.load();
        QTRY_VERIFY(script.injected.load() >= ticks + 2);
        runtime->stop();
        v3::u64 running_since = v3::host().monotonic_ns() - resumed_host;
        v3::u64 gained = t->vm->clock().now_ns() - paused_at;
        // Guest time after the pause is at most the host time since the
        // continue (plus the moment before the cores parked): not the 200 ms
        // the VM spent paused.
        QVERIFY2(gained <= running_since + 20000000,
                 qPrintable(QString("%1 %2").arg(gained).arg(running_since)));
        t->vm->irqs().remove_controller(controller);
    }
};

QTEST_GUILESS_MAIN(TestVmTiming)
#include "tst_vm_timing.moc"
