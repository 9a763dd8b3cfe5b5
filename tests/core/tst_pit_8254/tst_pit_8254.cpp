// The 8254 PIT driven as a guest drives it: control words, counts and reads
// on ports 0x40-0x43, GATE 2 and OUT 2 through port 0x61, guest time moving
// through the VM clock, and IRQ 0 as the recording controller and a real
// 8259A pair see it. Tick positions are exact: the tests move the clock to
// chosen input-clock ticks (1,193,182 Hz) and compare with the datasheet's
// timing.
#include "vm_harness.h"

#include <chkpt/snapshot.h>
#include <devices/pic_8259a.h>
#include <devices/pit_8254.h>

#include <QtTest>

using namespace v3;
using devices::Pit8254;

namespace {

constexpr u16 kCounter0 = 0x40, kCounter2 = 0x42, kControl = 0x43, kPortB = 0x61;
constexpr u64 kHz = 1193182;
constexpr u64 kNsPerSecond = 1000000000;

std::unique_ptr<testvm::TestVm>
make_pit_vm(const QByteArray& xml = R"(<device class="8254_PIT" id="pit"/>)") {
    auto t = testvm::make_vm(xml);
    if (!t->ok())
        qFatal("cannot build the test VM: %s", qPrintable(t->error));
    return t;
}

Pit8254& pit_of(testvm::TestVm& t) {
    return *static_cast<Pit8254*>(t.vm->devices().find("pit"));
}

u64 now_tick(testvm::TestVm& t) {
    return pit_of(t).ticks();
}

// Moves guest time until exactly `tick` input clocks have passed: first the
// whole nanoseconds that cannot overshoot, then single nanoseconds (the PIT
// carries a fraction of a clock the test cannot see).
void to_tick(testvm::TestVm& t, u64 tick) {
    QVERIFY(tick >= now_tick(t));
    u64 delta = tick - now_tick(t);
    u64 ns = delta / kHz * kNsPerSecond + delta % kHz * kNsPerSecond / kHz;
    if (ns > 0)
        QVERIFY(!t.vm->clock().advance(ns).is_error());
    while (now_tick(t) < tick)
        QVERIFY(!t.vm->clock().advance(1).is_error());
    QCOMPARE(now_tick(t), tick);
}

// The same in steps of at most `step` clocks, as the run loop hands in time
// between guest exits (one advance folds several IRQ 0 edges into one).
void run_to_tick(testvm::TestVm& t, u64 tick, u64 step) {
    while (now_tick(t) + step < tick)
        to_tick(t, now_tick(t) + step);
    to_tick(t, tick);
}

void write_count16(testvm::TestVm& t, u16 port, u16 count) {
    QVERIFY(t.out(port, count & 0xff));
    QVERIFY(t.out(port, count >> 8));
}

u32 read_count16(testvm::TestVm& t, u16 port) {
    u32 lsb = t.in(port);
    return lsb | t.in(port) << 8;
}

// Counter latch command, then LSB and MSB (Linux's and SeaBIOS's way).
u32 latched_count(testvm::TestVm& t, unsigned counter) {
    t.out(kControl, counter << 6);
    return read_count16(t, u16(kCounter0 + counter));
}

u32 read_back_status(testvm::TestVm& t, unsigned counter) {
    t.out(kControl, 0xe0 | (2u << counter)); // status only
    return t.in(u16(kCounter0 + counter));
}

bool out2(testvm::TestVm& t) {
    return t.in(kPortB)&0x20;
}

// Every IRQ 0 edge must be a raise immediately followed by a lower.
bool irq0_changes_are_pulses(const testvm::RecordingIrqController& irqs) {
    bool raised = false;
    for (const auto& c : irqs.changes) {
        if (c.line != 0)
            continue;
        if (c.raised == raised)
            return false;
        raised = c.raised;
    }
    return !raised;
}

// Channel 0 in mode 2 as Linux's PIT clockevent and SeaBIOS program it.
void start_rate_generator(testvm::TestVm& t, u16 count) {
    QVERIFY(t.out(kControl, 0x34));
    write_count16(t, kCounter0, count);
}

std::unique_ptr<testvm::TestVm> make_pic_pit_vm() {
    auto t = make_pit_vm(R"(<device class="8259A" id="pic"/><device class="8254_PIT" id="pit"/>)");
    t->irqs.accepting = false; // the recorder only watches: the 8259A's mask decides
    // Linux's init_8259A with IRQ 0 unmasked.
    for (auto [port, value] : {std::pair{0x21, 0xff},
                               {0xa1, 0xff},
                               {0x20, 0x11},
                               {0x21, 0x30},
                               {0x21, 0x04},
                               {0x21, 0x01},
                               {0xa0, 0x11},
                               {0xa1, 0x38},
                               {0xa1, 0x02},
                               {0xa1, 0x01},
                               {0x21, 0xfe},
                               {0xa1, 0xff}})
        if (!t->out(u16(port), u32(value)))
            qFatal("PIC init write failed");
    return t;
}

// The guest's timer handler for every interrupt it can take now: INTA, then
// EOI. Returns how many it took.
int take_timer_interrupts(testvm::TestVm& t) {
    int taken = 0;
    while (t.vm->irqs().interrupt_pending()) {
        auto vector = t.vm->irqs().acknowledge();
        if (vector.is_error() || vector.value() != 0x30)
            qFatal("unexpected vector");
        ++taken;
        t.out(0x20, 0x20);
        if (taken > 100000)
            qFatal("interrupt storm");
    }
    return taken;
}

void advance_ms(testvm::TestVm& t, u64 ms) {
    if (t.vm->clock().advance(ms * 1000000).is_error())
        qFatal("advance failed");
}

} // namespace

class TestPit8254 : public QObject {
    Q_OBJECT

private slots:
    void mode2At100HzGivesOneIrqPerPeriod();
    void mode2EndToEndThroughThe8259A();
    void mode0OneShotRaisesIrq0Once();
    void mode0RewriteRestartsAndFirstByteStopsCounting();
    void mode4SoftwareStrobeLikeLinuxOneshot();
    void mode3SquareWaveOnChannel2ThroughPortB();
    void mode3OddCountTiming();
    void gateStopsAndReloadsModes2And3();
    void gateSuspendsMode0LikeLinuxTscCalibration();
    void mode1AndMode5AreTriggeredByGate();
    void newCountInMode2WaitsForThePeriodEnd();
    void newCountInMode3WaitsForTheHalfPeriod();
    void counterLatchHoldsTheValue();
    void readBackLatchesStatusAndCount();
    void nullCountUntilTheCountIsLoaded();
    void accessModesAndFlipFlops();
    void bcdCounting();
    void controlWordSetsOutAndCanRaiseIrq0();
    void longPauseCoalescesToOneIrq();
    void ticksTheGuestCouldNotTakeAreReinjected();
    void atMostOneSecondOfTicksIsOwed();
    void aMaskedIrq0OwesNothing();
    void reprogrammingDropsWhatIsOwed();
    void owedTicksSurviveSaveAndLoad();
    void timeConversionIsExactOverLongRuns();
    void portBBitsAndRefreshToggle();
    void controlPortReadsOpenBus();
    void saveAndLoadMidCount();
    void loadRejectsBadSnapshots();
    void mode3CountOfOneSavesALoadableSnapshot();
    void secondPitCannotClaimThePorts();
};

void TestPit8254::mode2At100HzGivesOneIrqPerPeriod() {
    auto t = make_pit_vm();
    start_rate_generator(*t, 11932); // written at tick 0, loaded at tick 1
    QCOMPARE(t->irqs.raises(0), 0);
    // OUT rises at the end of each period: ticks 1 + 11932k. 11932 clocks
    // is 99.998 Hz, so a second that starts just before an edge holds 100.
    to_tick(*t, 11932);
    QCOMPARE(t->irqs.raises(0), 0);
    u64 start_ns = t->vm->clock().now_ns();
    for (int ms = 1; ms <= 1000; ++ms) {
        QVERIFY(!t->vm->clock()
                     .advance(start_ns + u64(ms) * 1000000 - t->vm->clock().now_ns())
                     .is_error());
        u64 ticks = now_tick(*t);
        QCOMPARE(u64(t->irqs.raises(0)), (ticks - 1) / 11932);
    }
    QCOMPARE(t->irqs.raises(0), 100);
    QVERIFY(irq0_changes_are_pulses(t->irqs));
    QCOMPARE(pit_of(*t).coalesced_irqs(), 0u);
    // Exactly at the tick before an edge nothing is raised, at the edge one.
    u64 next_edge = 1 + 11932 * 101;
    to_tick(*t, next_edge - 1);
    QCOMPARE(t->irqs.raises(0), 100);
    to_tick(*t, next_edge);
    QCOMPARE(t->irqs.raises(0), 101);
}

void TestPit8254::mode2EndToEndThroughThe8259A() {
    auto t = make_pic_pit_vm();
    start_rate_generator(*t, 11932);
    to_tick(*t, 11932);
    int vectors = 0;
    u64 start_ns = t->vm->clock().now_ns();
    for (int ms = 1; ms <= 1000; ++ms) {
        QVERIFY(!t->vm->clock()
                     .advance(start_ns + u64(ms) * 1000000 - t->vm->clock().now_ns())
                     .is_error());
        // The guest's timer handler: INTA, then EOI.
        while (t->vm->irqs().interrupt_pending()) {
            auto vector = t->vm->irqs().acknowledge();
            QVERIFY(!vector.is_error());
            QCOMPARE(vector.value(), u8(0x30));
            ++vectors;
            QVERIFY(t->out(0x20, 0x20));
        }
    }
    QCOMPARE(vectors, 100);
}

void TestPit8254::mode0OneShotRaisesIrq0Once() {
    auto t = make_pit_vm();
    QVERIFY(t->out(kControl, 0x30));              // counter 0, LSB/MSB, mode 0
    QCOMPARE(read_back_status(*t, 0) & 0x80, 0u); // OUT low after the control word
    write_count16(*t, kCounter0, 1000);
    // OUT goes high N + 1 clocks after the count is written.
    to_tick(*t, 1000);
    QCOMPARE(t->irqs.raises(0), 0);
    QCOMPARE(latched_count(*t, 0), 1u);
    to_tick(*t, 1001);
    QCOMPARE(t->irqs.raises(0), 1);
    QCOMPARE(read_back_status(*t, 0) & 0x80, 0x80u);
    // Then the counter wraps and keeps counting, with OUT staying high.
    to_tick(*t, 1003);
    QCOMPARE(latched_count(*t, 0), 0xfffeu);
    to_tick(*t, 1001 + 3 * 65536);
    QCOMPARE(t->irqs.raises(0), 1);
    QVERIFY(irq0_changes_are_pulses(t->irqs));
}

void TestPit8254::mode0RewriteRestartsAndFirstByteStopsCounting() {
    auto t = make_pit_vm();
    QVERIFY(t->out(kControl, 0x30));
    write_count16(*t, kCounter0, 500); // loaded at tick 1
    to_tick(*t, 201);
    QCOMPARE(latched_count(*t, 0), 300u);
    // The first byte of a new count stops the counter.
    QVERIFY(t->out(kCounter0, 0x20));
    to_tick(*t, 400);
    QCOMPARE(latched_count(*t, 0), 300u);
    QVERIFY(t->out(kCounter0, 0x03)); // 0x320 = 800, loaded at tick 401
    to_tick(*t, 401 + 799);
    QCOMPARE(t->irqs.raises(0), 0);
    to_tick(*t, 401 + 800);
    QCOMPARE(t->irqs.raises(0), 1);
    // Rewriting after the terminal count sets OUT low again and restarts.
    write_count16(*t, kCounter0, 10);
    QCOMPARE(read_back_status(*t, 0) & 0x80, 0u);
    to_tick(*t, now_tick(*t) + 11);
    QCOMPARE(t->irqs.raises(0), 2);
}

void TestPit8254::mode4SoftwareStrobeLikeLinuxOneshot() {
    auto t = make_pit_vm();
    to_tick(*t, 50);
    QVERIFY(t->out(kControl, 0x38)); // Linux's pit_set_oneshot
    QCOMPARE(read_back_status(*t, 0) & 0x80, 0x80u);
    write_count16(*t, kCounter0, 100); // loaded at 51, terminal count at 151
    to_tick(*t, 150);
    QVERIFY(read_back_status(*t, 0) & 0x80);
    to_tick(*t, 151);
    QCOMPARE(read_back_status(*t, 0) & 0x80, 0u); // the one-clock strobe
    QCOMPARE(t->irqs.raises(0), 0);
    to_tick(*t, 152);
    QCOMPARE(t->irqs.raises(0), 1); // OUT rising again is the IRQ 0 edge
    to_tick(*t, 152 + 2 * 65536);
    QCOMPARE(t->irqs.raises(0), 1); // no repeat
    // A new count restarts the strobe.
    write_count16(*t, kCounter0, 5);
    to_tick(*t, now_tick(*t) + 7);
    QCOMPARE(t->irqs.raises(0), 2);
}

void TestPit8254::mode3SquareWaveOnChannel2ThroughPortB() {
    auto t = make_pit_vm();
    QVERIFY(t->out(kPortB, 0x03));   // GATE 2 on, speaker data enabled
    QVERIFY(t->out(kControl, 0xb6)); // counter 2, LSB/MSB, mode 3 (as for a beep)
    QVERIFY(out2(*t));
    write_count16(*t, kCounter2, 1000); // loaded at tick 1
    to_tick(*t, 1 + 499);
    QVERIFY(out2(*t));
    to_tick(*t, 1 + 500);
    QVERIFY(!out2(*t));
    QCOMPARE(latched_count(*t, 2), 1000u); // reloaded, counting down by two
    to_tick(*t, 1 + 510);
    QCOMPARE(latched_count(*t, 2), 980u);
    to_tick(*t, 1 + 999);
    QVERIFY(!out2(*t));
    to_tick(*t, 1 + 1000);
    QVERIFY(out2(*t));
    // Far later, the phase is still exact.
    to_tick(*t, 1 + 1000 * 12345 + 250);
    QVERIFY(out2(*t));
    to_tick(*t, 1 + 1000 * 12345 + 750);
    QVERIFY(!out2(*t));
    QCOMPARE(t->irqs.raises(0), 0); // counter 2 is not wired to IRQ 0
}

void TestPit8254::mode3OddCountTiming() {
    auto t = make_pit_vm();
    QVERIFY(t->out(kPortB, 0x01));
    QVERIFY(t->out(kControl, 0xb6));
    write_count16(*t, kCounter2, 5); // high 3 clocks, low 2
    const bool expected_out[] = {true, true, true, false, false, true, true, true, false, false};
    const u32 expected_count[] = {5, 4, 2, 5, 2, 5, 4, 2, 5, 2};
    for (int i = 0; i < 10; ++i) {
        to_tick(*t, 1 + u64(i));
        QCOMPARE(out2(*t), expected_out[i]);
        QCOMPARE(latched_count(*t, 2), expected_count[i]);
    }
}

void TestPit8254::gateStopsAndReloadsModes2And3() {
    auto t = make_pit_vm();
    QVERIFY(t->out(kPortB, 0x01));
    QVERIFY(t->out(kControl, 0xb6));
    write_count16(*t, kCounter2, 100);
    to_tick(*t, 1 + 70); // low half
    QVERIFY(!out2(*t));
    u32 before = latched_count(*t, 2);
    // GATE low: OUT high at once, counting stops.
    QVERIFY(t->out(kPortB, 0x00));
    QVERIFY(out2(*t));
    to_tick(*t, 500);
    QCOMPARE(latched_count(*t, 2), before);
    QVERIFY(out2(*t));
    // GATE high: the full count is reloaded on the next clock.
    QVERIFY(t->out(kPortB, 0x01));
    to_tick(*t, 501);
    QCOMPARE(latched_count(*t, 2), 100u);
    to_tick(*t, 501 + 50);
    QVERIFY(!out2(*t));
    // Mode 2 the same way: OUT low for the one clock at count 1.
    QVERIFY(t->out(kControl, 0xb4));
    write_count16(*t, kCounter2, 10);
    u64 load = now_tick(*t) + 1;
    to_tick(*t, load + 8);
    QVERIFY(out2(*t));
    to_tick(*t, load + 9);
    QVERIFY(!out2(*t));
    QVERIFY(t->out(kPortB, 0x00)); // forced high
    QVERIFY(out2(*t));
    QVERIFY(t->out(kPortB, 0x01));
    load = now_tick(*t) + 1;
    to_tick(*t, load + 3);
    QCOMPARE(latched_count(*t, 2), 7u);
}

void TestPit8254::gateSuspendsMode0LikeLinuxTscCalibration() {
    auto t = make_pit_vm();
    // Linux's pit_calibrate_tsc(): gate high, speaker off, counter 2 mode 0,
    // a 50 ms count, then spin until port 0x61 bit 5 (OUT 2) goes high.
    QVERIFY(t->out(kPortB, (t->in(kPortB) & ~0x02u) | 0x01));
    QVERIFY(t->out(kControl, 0xb0));
    const u16 latch = u16(kHz / 20); // 59659
    write_count16(*t, kCounter2, latch);
    QVERIFY(!out2(*t));
    to_tick(*t, latch);
    QVERIFY(!out2(*t));
    to_tick(*t, u64(latch) + 1);
    QVERIFY(out2(*t));
    // GATE low suspends mode 0; high resumes where it stopped.
    QVERIFY(t->out(kControl, 0xb0));
    write_count16(*t, kCounter2, 100);
    u64 load = now_tick(*t) + 1;
    to_tick(*t, load + 40);
    QVERIFY(t->out(kPortB, 0x00));
    to_tick(*t, load + 1000);
    QCOMPARE(latched_count(*t, 2), 60u);
    QVERIFY(!out2(*t));
    QVERIFY(t->out(kPortB, 0x01));
    u64 resumed = now_tick(*t);
    to_tick(*t, resumed + 59);
    QVERIFY(!out2(*t));
    to_tick(*t, resumed + 60);
    QVERIFY(out2(*t));
}

void TestPit8254::mode1AndMode5AreTriggeredByGate() {
    auto t = make_pit_vm();
    // Mode 1: hardware retriggerable one-shot.
    QVERIFY(t->out(kControl, 0xb2));
    write_count16(*t, kCounter2, 20);
    QVERIFY(out2(*t));
    to_tick(*t, 100);
    QVERIFY(out2(*t));             // nothing until GATE rises
    QVERIFY(t->out(kPortB, 0x01)); // trigger at 100: load and OUT low at 101
    QVERIFY(out2(*t));
    to_tick(*t, 101);
    QVERIFY(!out2(*t));
    QCOMPARE(latched_count(*t, 2), 20u);
    to_tick(*t, 111);
    // Retrigger: the one-shot starts over from the full count.
    QVERIFY(t->out(kPortB, 0x00));
    QVERIFY(t->out(kPortB, 0x01));
    to_tick(*t, 112 + 19);
    QVERIFY(!out2(*t));
    to_tick(*t, 112 + 20);
    QVERIFY(out2(*t));
    // GATE low does not stop mode 1's counter.
    QVERIFY(t->out(kPortB, 0x00));
    u32 a = latched_count(*t, 2);
    to_tick(*t, 200);
    QVERIFY(latched_count(*t, 2) != a);

    // Mode 5: hardware triggered strobe.
    QVERIFY(t->out(kControl, 0xba));
    write_count16(*t, kCounter2, 10);
    to_tick(*t, 300);
    QVERIFY(out2(*t));
    QVERIFY(t->out(kPortB, 0x01)); // trigger at 300, loaded at 301
    to_tick(*t, 301 + 9);
    QVERIFY(out2(*t));
    to_tick(*t, 301 + 10);
    QVERIFY(!out2(*t));
    to_tick(*t, 301 + 11);
    QVERIFY(out2(*t));
    to_tick(*t, 301 + 11 + 65536);
    QVERIFY(out2(*t)); // once per trigger
}

void TestPit8254::newCountInMode2WaitsForThePeriodEnd() {
    auto t = make_pit_vm();
    start_rate_generator(*t, 1000); // edges at 1001, 2001, ...
    to_tick(*t, 1500);
    write_count16(*t, kCounter0, 100);
    QCOMPARE(read_back_status(*t, 0) & 0x40, 0x40u); // null count: not loaded yet
    to_tick(*t, 2000);
    QCOMPARE(t->irqs.raises(0), 1);
    QCOMPARE(latched_count(*t, 0), 1u); // still the old period
    to_tick(*t, 2001);
    QCOMPARE(t->irqs.raises(0), 2);
    QCOMPARE(latched_count(*t, 0), 100u);
    QCOMPARE(read_back_status(*t, 0) & 0x40, 0u);
    // New period from then on: edges at 2101, 2201, ...
    to_tick(*t, 2100);
    QCOMPARE(t->irqs.raises(0), 2);
    to_tick(*t, 2101);
    QCOMPARE(t->irqs.raises(0), 3);
    run_to_tick(*t, 3001, 50);
    QCOMPARE(t->irqs.raises(0), 12);
}

void TestPit8254::newCountInMode3WaitsForTheHalfPeriod() {
    auto t = make_pit_vm();
    QVERIFY(t->out(kPortB, 0x01));
    QVERIFY(t->out(kControl, 0xb6));
    write_count16(*t, kCounter2, 1000); // high 1..500, low 501..1000
    to_tick(*t, 100);
    write_count16(*t, kCounter2, 200);
    // The current high half ends as before, then the new count takes over
    // starting with a low half of 100 clocks.
    to_tick(*t, 500);
    QVERIFY(out2(*t));
    to_tick(*t, 501);
    QVERIFY(!out2(*t));
    QCOMPARE(latched_count(*t, 2), 200u);
    to_tick(*t, 600);
    QVERIFY(!out2(*t));
    to_tick(*t, 601);
    QVERIFY(out2(*t));
    to_tick(*t, 701);
    QVERIFY(!out2(*t));
}

void TestPit8254::counterLatchHoldsTheValue() {
    auto t = make_pit_vm();
    start_rate_generator(*t, 11932);
    to_tick(*t, 1000);
    QVERIFY(t->out(kControl, 0x00)); // latch counter 0
    to_tick(*t, 5000);
    // A second latch before reading is ignored.
    QVERIFY(t->out(kControl, 0x00));
    QCOMPARE(read_count16(*t, kCounter0), 11932u - 999u);
    // Once read, reads follow the counter again.
    QCOMPARE(read_count16(*t, kCounter0), 11932u - 4999u);
    QCOMPARE(latched_count(*t, 0), 11932u - 4999u);
    to_tick(*t, 1 + 11932 + 7);
    QCOMPARE(latched_count(*t, 0), 11932u - 7u);
}

void TestPit8254::readBackLatchesStatusAndCount() {
    auto t = make_pit_vm();
    start_rate_generator(*t, 11932);
    QVERIFY(t->out(kPortB, 0x01));
    QVERIFY(t->out(kControl, 0xb1)); // counter 2: LSB/MSB, mode 0, BCD
    write_count16(*t, kCounter2, 0x0500);
    to_tick(*t, 101);
    // Read-back of count and status for counters 0 and 2: status first.
    QVERIFY(t->out(kControl, 0xc0 | 0x08 | 0x02));
    QCOMPARE(t->in(kCounter0), 0xb4u); // OUT high, loaded, LSB/MSB, mode 2, binary
    QCOMPARE(read_count16(*t, kCounter0), 11932u - 100u);
    QCOMPARE(t->in(kCounter2), 0x31u); // OUT low, loaded, LSB/MSB, mode 0, BCD
    QCOMPARE(read_count16(*t, kCounter2), 0x0400u);
    // Count only (D5 clear, D4 set): no status byte in front.
    QVERIFY(t->out(kControl, 0xd2));
    to_tick(*t, 300);
    QCOMPARE(read_count16(*t, kCounter0), 11932u - 100u);
    // Status only keeps a count latch that is still unread.
    QVERIFY(t->out(kControl, 0xd2));
    QVERIFY(t->out(kControl, 0xe2));
    QCOMPARE(t->in(kCounter0), 0xb4u);
    QCOMPARE(read_count16(*t, kCounter0), 11932u - 299u);
    // Mode bits read back as written, including the X bit of mode 2 (110).
    QVERIFY(t->out(kControl, 0x7c));          // counter 1, LSB/MSB, mode "6", binary
    QCOMPARE(read_back_status(*t, 1), 0xfcu); // OUT high, null count, 0x3c
}

void TestPit8254::nullCountUntilTheCountIsLoaded() {
    auto t = make_pit_vm();
    QVERIFY(t->out(kControl, 0x30));
    QCOMPARE(read_back_status(*t, 0), 0x70u); // OUT low, null count, LSB/MSB, mode 0
    QVERIFY(t->out(kCounter0, 0x10));
    QCOMPARE(read_back_status(*t, 0) & 0x40, 0x40u);
    QVERIFY(t->out(kCounter0, 0x00));
    QCOMPARE(read_back_status(*t, 0) & 0x40, 0x40u); // loads on the next clock
    to_tick(*t, 1);
    QCOMPARE(read_back_status(*t, 0) & 0x40, 0u);
    // Mode 1 keeps null count until a trigger loads the count.
    QVERIFY(t->out(kControl, 0xb2));
    write_count16(*t, kCounter2, 10);
    to_tick(*t, 5);
    QCOMPARE(read_back_status(*t, 2) & 0x40, 0x40u);
    QVERIFY(t->out(kPortB, 0x01));
    to_tick(*t, 6);
    QCOMPARE(read_back_status(*t, 2) & 0x40, 0u);
}

void TestPit8254::accessModesAndFlipFlops() {
    auto t = make_pit_vm();
    // LSB only: MSB is zero.
    QVERIFY(t->out(kControl, 0x10));
    QVERIFY(t->out(kCounter0, 0x80));
    to_tick(*t, 1 + 0x10);
    QCOMPARE(t->in(kCounter0), 0x70u);
    QCOMPARE(t->in(kCounter0), 0x70u); // every read is the LSB
    // MSB only: LSB is zero.
    QVERIFY(t->out(kControl, 0x20));
    QVERIFY(t->out(kCounter0, 0x02)); // 0x200
    u64 load = now_tick(*t) + 1;
    to_tick(*t, load + 0x100);
    QCOMPARE(t->in(kCounter0), 0x01u);
    // LSB then MSB: the read flip-flop alternates and survives a latch.
    QVERIFY(t->out(kControl, 0x30));
    write_count16(*t, kCounter0, 0x1234);
    load = now_tick(*t) + 1;
    to_tick(*t, load + 0x34);
    QCOMPARE(t->in(kCounter0), 0x00u); // LSB of 0x1200
    to_tick(*t, load + 0x35);
    QCOMPARE(t->in(kCounter0), 0x11u); // MSB of 0x11ff, read later
    QCOMPARE(t->in(kCounter0), 0xffu); // LSB again
    QCOMPARE(t->in(kCounter0), 0x11u);
    // A latched count is held over time until both bytes were read.
    QVERIFY(t->out(kControl, 0x00));
    to_tick(*t, load + 0x40);
    QCOMPARE(t->in(kCounter0), 0xffu);
    to_tick(*t, load + 0x50);
    QCOMPARE(t->in(kCounter0), 0x11u);
    QCOMPARE(read_count16(*t, kCounter0), 0x1234u - 0x50u); // live again
    // A control word resets the write flip-flop half way through a count.
    QVERIFY(t->out(kControl, 0x34));
    QVERIFY(t->out(kCounter0, 0x99));
    QVERIFY(t->out(kControl, 0x34));
    write_count16(*t, kCounter0, 0x0102);
    to_tick(*t, now_tick(*t) + 1);
    QCOMPARE(latched_count(*t, 0), 0x0102u);
}

void TestPit8254::bcdCounting() {
    auto t = make_pit_vm();
    QVERIFY(t->out(kPortB, 0x01));
    QVERIFY(t->out(kControl, 0xb1)); // counter 2, mode 0, BCD
    write_count16(*t, kCounter2, 0x1234);
    to_tick(*t, 1 + 35);
    QCOMPARE(latched_count(*t, 2), 0x1199u);
    to_tick(*t, 1 + 1234);
    QVERIFY(out2(*t));
    QCOMPARE(latched_count(*t, 2), 0x0000u);
    to_tick(*t, 1 + 1235);
    QCOMPARE(latched_count(*t, 2), 0x9999u); // BCD wraps at 10000
    // A count of 0 is 10000 clocks in BCD.
    QVERIFY(t->out(kControl, 0xb1));
    write_count16(*t, kCounter2, 0);
    u64 load = now_tick(*t) + 1;
    to_tick(*t, load + 1);
    QCOMPARE(latched_count(*t, 2), 0x9999u);
    to_tick(*t, load + 9999);
    QVERIFY(!out2(*t));
    to_tick(*t, load + 10000);
    QVERIFY(out2(*t));
    // Mode 2 in BCD on counter 0: 100 clocks per IRQ.
    QVERIFY(t->out(kControl, 0x35));
    write_count16(*t, kCounter0, 0x0100);
    load = now_tick(*t) + 1;
    run_to_tick(*t, load + 1000, 10);
    QCOMPARE(t->irqs.raises(0), 10);
    QCOMPARE(latched_count(*t, 0), 0x0100u);
}

void TestPit8254::controlWordSetsOutAndCanRaiseIrq0() {
    auto t = make_pit_vm();
    QVERIFY(t->out(kControl, 0x30)); // mode 0: OUT low
    QCOMPARE(t->irqs.raises(0), 0);
    QVERIFY(t->out(kControl, 0x34)); // mode 2: OUT high, a rising edge
    QCOMPARE(t->irqs.raises(0), 1);
    // Not counting until a count is written.
    to_tick(*t, 100000);
    QCOMPARE(t->irqs.raises(0), 1);
    QVERIFY(irq0_changes_are_pulses(t->irqs));
}

void TestPit8254::longPauseCoalescesToOneIrq() {
    auto t = make_pit_vm();
    start_rate_generator(*t, 11932);
    to_tick(*t, 11932);
    // Ten seconds of guest time in one step (the host did not run the VM
    // for that long): one edge, and at most one second of ticks owed (99
    // whole periods of 11932 clocks), the rest dropped.
    QVERIFY(!t->vm->clock().advance(10 * kNsPerSecond).is_error());
    QCOMPARE(t->irqs.raises(0), 1);
    u64 periods = (now_tick(*t) - 1) / 11932;
    QCOMPARE(pit_of(*t).owed_irqs(), 99u);
    QCOMPARE(pit_of(*t).coalesced_irqs(), periods - 1 - 99);
    // Then the rhythm goes on, on the original phase.
    u64 next_edge = 1 + (periods + 1) * 11932;
    to_tick(*t, next_edge - 1);
    QCOMPARE(t->irqs.raises(0), 1);
    to_tick(*t, next_edge);
    QCOMPARE(t->irqs.raises(0), 2);
    QCOMPARE(latched_count(*t, 0), 11932u);
}

void TestPit8254::ticksTheGuestCouldNotTakeAreReinjected() {
    auto t = make_pic_pit_vm();
    start_rate_generator(*t, 11932); // 100 Hz
    int taken = 0;
    // 200 ms with interrupts taken as they come: 20 ticks.
    for (int ms = 0; ms < 200; ++ms) {
        advance_ms(*t, 1);
        taken += take_timer_interrupts(*t);
    }
    QCOMPARE(taken, 19); // edges at ticks 1 + 11932k: the 20th is at 200.01 ms
    // 300 ms in which the guest takes none (interrupts disabled, or its core
    // not scheduled by the host), then it takes what is pending: every tick
    // of those 300 ms arrives, one after each EOI.
    for (int ms = 0; ms < 300; ++ms)
        advance_ms(*t, 1);
    QCOMPARE(pit_of(*t).owed_irqs(), 29u);
    taken += take_timer_interrupts(*t);
    QCOMPARE(taken, 49);
    QCOMPARE(pit_of(*t).owed_irqs(), 0u);
    QCOMPARE(pit_of(*t).reinjected_irqs(), 29u);
    // Then on to one second in steps of 30 ms (three periods per step):
    // still one interrupt per period, none dropped.
    for (int step = 0; step < 500 / 30; ++step) {
        advance_ms(*t, 30);
        taken += take_timer_interrupts(*t);
    }
    advance_ms(*t, 1000 - 500 - 500 / 30 * 30);
    taken += take_timer_interrupts(*t);
    QCOMPARE(u64(taken), (now_tick(*t) - 1) / 11932);
    QCOMPARE(taken, 99);
    QCOMPARE(pit_of(*t).coalesced_irqs(), 0u);
}

void TestPit8254::atMostOneSecondOfTicksIsOwed() {
    auto t = make_pic_pit_vm();
    start_rate_generator(*t, 1193); // 1000.15 Hz
    advance_ms(*t, 3000);           // one stretch of three seconds
    u64 periods = (now_tick(*t) - 1) / 1193;
    QCOMPARE(take_timer_interrupts(*t), 1 + 1000); // the edge and a second owed
    QCOMPARE(pit_of(*t).coalesced_irqs(), periods - 1001);
}

void TestPit8254::aMaskedIrq0OwesNothing() {
    auto t = make_pic_pit_vm();
    start_rate_generator(*t, 11932);
    QVERIFY(t->out(0x21, 0xff)); // IRQ 0 masked
    advance_ms(*t, 500);
    QCOMPARE(take_timer_interrupts(*t), 0);
    QCOMPARE(pit_of(*t).owed_irqs(), 0u);
    QVERIFY(t->out(0x21, 0xfe));
    // The request the 8259A latched meanwhile, and nothing after it.
    QCOMPARE(take_timer_interrupts(*t), 1);
    QCOMPARE(pit_of(*t).reinjected_irqs(), 0u);
}

void TestPit8254::reprogrammingDropsWhatIsOwed() {
    auto t = make_pic_pit_vm();
    start_rate_generator(*t, 11932);
    advance_ms(*t, 300);
    QCOMPARE(pit_of(*t).owed_irqs(), 28u);
    start_rate_generator(*t, 1193); // a new rate: nothing owed at the old one
    QCOMPARE(pit_of(*t).owed_irqs(), 0u);
    QCOMPARE(take_timer_interrupts(*t), 1);
}

void TestPit8254::owedTicksSurviveSaveAndLoad() {
    auto t = make_pic_pit_vm();
    start_rate_generator(*t, 11932);
    advance_ms(*t, 300);
    Vector<u8> bytes;
    chkpt::Writer w(bytes);
    QVERIFY(!pit_of(*t).save(w).is_error());
    auto copy = make_pic_pit_vm();
    chkpt::Reader r(bytes.begin(), bytes.size());
    QVERIFY(!pit_of(*copy).load(r).is_error());
    QCOMPARE(pit_of(*copy).owed_irqs(), 28u);
}

void TestPit8254::timeConversionIsExactOverLongRuns() {
    auto t = make_pit_vm();
    // 3 ns steps lose nothing: the remainder carries over.
    for (int i = 0; i < 1000; ++i)
        QVERIFY(!t->vm->clock().advance(3).is_error());
    QCOMPARE(now_tick(*t), 3000 * kHz / kNsPerSecond);
    // A month in one step neither overflows nor drifts.
    const u64 month = 31ull * 24 * 3600 * kNsPerSecond;
    QVERIFY(!t->vm->clock().advance(month).is_error());
    QCOMPARE(now_tick(*t), 31ull * 24 * 3600 * kHz + 3);
    // And a full period count from then on is still exact.
    start_rate_generator(*t, 0); // 65536 clocks
    u64 load = now_tick(*t) + 1;
    run_to_tick(*t, load + 65536 * 3, 1000);
    QCOMPARE(t->irqs.raises(0), 3);
}

void TestPit8254::portBBitsAndRefreshToggle() {
    auto t = make_pit_vm();
    QVERIFY(t->out(kPortB, 0xff));
    QCOMPARE(t->in(kPortB)&0xcf, 0x0fu); // bits 0-3 writable, 6-7 read 0
    QVERIFY(t->out(kPortB, 0x0a));
    QCOMPARE(t->in(kPortB)&0x0f, 0x0au);
    // Bit 4 toggles every 18 input clocks (15 us refresh requests).
    to_tick(*t, 0);
    u32 first = t->in(kPortB)&0x10;
    to_tick(*t, 18);
    QCOMPARE(t->in(kPortB)&0x10, first ^ 0x10);
    to_tick(*t, 36);
    QCOMPARE(t->in(kPortB)&0x10, first);
    // Bit 5 is OUT 2: high at power-on (mode 3, no count).
    QCOMPARE(t->in(kPortB)&0x20, 0x20u);
}

void TestPit8254::controlPortReadsOpenBus() {
    auto t = make_pit_vm();
    QCOMPARE(t->in(kControl), 0xffu);
    // A 16-bit access is two byte accesses: counter 0 LSB then counter 1.
    QVERIFY(t->out(kControl, 0x10));
    QVERIFY(t->out(kControl, 0x50));
    QVERIFY(t->out(kCounter0, 0x1234, 2)); // 0x34 to counter 0, 0x12 to counter 1
    to_tick(*t, 1);
    QCOMPARE(t->in(kCounter0, 2), 0x1234u);
}

void TestPit8254::saveAndLoadMidCount() {
    auto a = make_pit_vm();
    start_rate_generator(*a, 11932);
    QVERIFY(a->out(kPortB, 0x03));
    QVERIFY(a->out(kControl, 0xb6));
    write_count16(*a, kCounter2, 1001);
    to_tick(*a, 30000);
    write_count16(*a, kCounter0, 5000);               // pending until the period ends
    QVERIFY(a->out(kControl, 0x74));                  // counter 1, mode 2 ...
    QVERIFY(a->out(0x41, 0x77));                      // ... half of a count written
    QVERIFY(a->out(kControl, 0x40));                  // and its count latched, unread
    QVERIFY(!a->vm->clock().advance(123).is_error()); // a partial tick
    int raises_a = a->irqs.raises(0);

    Vector<u8> bytes;
    chkpt::Writer writer(bytes);
    QVERIFY(!a->vm->devices().save(writer).is_error());
    auto b = make_pit_vm();
    chkpt::Reader reader(bytes.begin(), bytes.size());
    QVERIFY(!b->vm->devices().load(reader).is_error());
    QCOMPARE(pit_of(*b).ticks(), pit_of(*a).ticks());

    QVector<u32> seen[2];
    int raises[2] = {};
    int index = 0;
    for (auto* t : {a.get(), b.get()}) {
        int base = t == a.get() ? raises_a : 0;
        QVector<u32>& s = seen[index];
        s << (t->in(kPortB)&0x2f);
        s << latched_count(*t, 2);
        s << read_back_status(*t, 0);
        for (int step = 0; step < 40; ++step) {
            QVERIFY(!t->vm->clock().advance(997 * 1000).is_error());
            s << latched_count(*t, 0) << (t->in(kPortB)&0x20) << latched_count(*t, 2);
        }
        QVERIFY(t->out(0x41, 0x01)); // completes counter 1's count: 0x0177
        to_tick(*t, now_tick(*t) + 1);
        s << read_count16(*t, 0x41); // the latch taken before the snapshot
        s << latched_count(*t, 1);   // the new count, loaded
        raises[index] = t->irqs.raises(0) - base;
        ++index;
    }
    QCOMPARE(seen[1], seen[0]);
    QCOMPARE(raises[1], raises[0]);
    QVERIFY(raises[0] > 0);
}

void TestPit8254::loadRejectsBadSnapshots() {
    auto a = make_pit_vm();
    start_rate_generator(*a, 1000);
    to_tick(*a, 1500);
    write_count16(*a, kCounter0, 300); // a pending boundary on counter 0
    Vector<u8> good;
    chkpt::Writer writer(good);
    QVERIFY(!pit_of(*a).save(writer).is_error());

    auto b = make_pit_vm();
    QVERIFY(b->out(kPortB, 0x05));
    // Layout: version, ticks (8), remainder (8), port B, then per counter:
    // version, control, CR (2), LSB, wff, rff, have, pending, null-until (8),
    // latched, count (2), status latched, status, gate, counting, epoch (8),
    // value (4), remaining (4), epoch OUT, offset (4), held (4), held OUT,
    // boundary pending, starts low, boundary (8).
    constexpr usize kPortBAt = 17, kCounter0At = 18;
    constexpr usize kChannelSize = 1 + 1 + 2 + 1 + 1 + 1 + 1 + 1 + 8 + 1 + 2 + 1 + 1 + 1 + 1 + 8 +
                                   4 + 4 + 1 + 4 + 4 + 1 + 1 + 1 + 8;
    struct Corruption {
        usize offset;
        u8 value;
        const char* what;
    };
    const Corruption corruptions[] = {
        {0, 9, "unknown version"},
        {9 + 7, 0xff, "remainder above a second"},
        {kPortBAt, 0x10, "port B read-only bit"},
        {kPortBAt, 0x01, "GATE 2 disagrees with port B"},
        {kCounter0At + 0, 7, "unknown counter version"},
        {kCounter0At + 1, 0x84, "control bits past the mode field"},
        {kCounter0At + 1, 0x04, "access mode 00"},
        {kCounter0At + 22, 0x00, "counter 0 GATE low"},
        {kCounter0At + 31, 0x01, "epoch in the future"},
        {kCounter0At + 35, 0x01, "period above the modulus"},
        {kCounter0At + 42, 0x10, "phase offset past the period"},
        {kCounter0At + 53, 0x00, "a pending reload in the past"},
        {kCounter0At + 9 + 7, 0x01, "null count until the future"},
        {kCounter0At + kChannelSize + 47, 0x02, "held value above the modulus"},
    };
    for (const Corruption& c : corruptions) {
        Vector<u8> bad;
        for (u8 byte : good)
            QVERIFY(bad.try_append(u8(byte)));
        bad[c.offset] = c.value;
        chkpt::Reader reader(bad.begin(), bad.size());
        QVERIFY2(pit_of(*b).load(reader).is_error(), c.what);
        QCOMPARE(b->in(kPortB)&0x0f, 0x05u); // nothing was changed
    }
    chkpt::Reader truncated(good.begin(), good.size() - 1);
    QVERIFY(pit_of(*b).load(truncated).is_error());
    chkpt::Reader reader(good.begin(), good.size());
    QVERIFY(!pit_of(*b).load(reader).is_error());
    QVERIFY(reader.at_end());
    QCOMPARE(b->in(kPortB)&0x0f, 0x00u);
    to_tick(*b, 2001);
    QCOMPARE(latched_count(*b, 0), 300u);
}

// Found by fuzz_devices: mode 3 taking a new count of 1 at a half-period end
// saved a phase its own load() refused. The snapshot loads, and both PITs go
// on alike.
void TestPit8254::mode3CountOfOneSavesALoadableSnapshot() {
    auto a = make_pit_vm();
    QVERIFY(a->out(kPortB, 0x01));
    QVERIFY(a->out(kControl, 0xb6));
    write_count16(*a, kCounter2, 5); // high 3 clocks, low 2
    to_tick(*a, 2);
    write_count16(*a, kCounter2, 1); // taken at the end of the high half
    to_tick(*a, 10);

    Vector<u8> bytes;
    chkpt::Writer writer(bytes);
    QVERIFY(!a->vm->devices().save(writer).is_error());
    auto b = make_pit_vm();
    chkpt::Reader reader(bytes.begin(), bytes.size());
    auto loaded = b->vm->devices().load(reader);
    QVERIFY2(!loaded.is_error(), loaded.is_error() ? loaded.error().message : "");
    for (u64 tick = 11; tick < 20; ++tick) {
        to_tick(*a, tick);
        to_tick(*b, tick);
        QCOMPARE(out2(*b), out2(*a));
        QCOMPARE(latched_count(*b, 2), latched_count(*a, 2));
    }
}

void TestPit8254::secondPitCannotClaimThePorts() {
    auto t = testvm::make_vm(
        R"(<device class="8254_PIT" id="pit"/><device class="8254_PIT" id="pit2"/>)");
    QVERIFY(!t->ok());
    QVERIFY2(t->error.contains("0x40") && t->error.contains("already"), qPrintable(t->error));
    QVERIFY2(t->error.contains("pit2"), qPrintable(t->error));
}

QTEST_APPLESS_MAIN(TestPit8254)
#include "tst_pit_8254.moc"
