// The NVRAM device (MC146818 RTC + CMOS RAM) driven as a guest drives it:
// index/data port accesses, guest time from the VM clock, IRQ 8 as the
// interrupt controllers see it, and checkpoints through the device manager.
#include "vm_harness.h"

#include <chkpt/snapshot.h>
#include <devices/cmos_layout.h>
#include <devices/nvram_mc146818.h>
#include <devices/rtc_calendar.h>

#include <QtTest>

namespace {

constexpr v3::u64 kMs = 1000000;
constexpr v3::u64 kUs = 1000;
constexpr v3::u64 kSecond = 1000000000;

constexpr v3::u8 kA = 0x0A, kB = 0x0B, kC = 0x0C, kD = 0x0D;

std::unique_ptr<testvm::TestVm> makeNvram(const QByteArray& attributes = {}) {
    return testvm::make_vm("<device class=\"NVRAM\" id=\"nvram\" " + attributes + "/>");
}

std::unique_ptr<testvm::TestVm> makeNvramVm(int memory_mb, int cores = 1) {
    return testvm::make_vm("<vm class=\"PC\"><memory>" + QByteArray::number(memory_mb) +
                           "</memory><cores count=\"" + QByteArray::number(cores) +
                           "\"/><devices><device class=\"NVRAM\" id=\"nvram\"/></devices></vm>");
}

v3::u8 reg(testvm::TestVm& t, v3::u8 index) {
    t.out(0x70, index);
    return v3::u8(t.in(0x71));
}

void setReg(testvm::TestVm& t, v3::u8 index, v3::u8 value) {
    t.out(0x70, index);
    t.out(0x71, value);
}

void advance(testvm::TestVm& t, v3::u64 ns) {
    QVERIFY(!t->clock().advance(ns).is_error());
}

// The date and time as a guest reads it in BCD, 24-hour mode.
QString bcdDateTime(testvm::TestVm& t) {
    auto two = [&](v3::u8 index) {
        return QString::number(reg(t, index), 16).rightJustified(2, '0');
    };
    return two(0x32) + two(0x09) + "-" + two(0x08) + "-" + two(0x07) + " " + two(0x04) + ":" +
           two(0x02) + ":" + two(0x00);
}

int irq8Raises(const testvm::TestVm& t) {
    return t.irqs.raises(8);
}
int irq8Lowers(const testvm::TestVm& t) {
    int n = 0;
    for (const auto& c : t.irqs.changes)
        n += !c.raised && c.line == 8;
    return n;
}

} // namespace

class TestNvram : public QObject {
    Q_OBJECT

private slots:
    void powerOnRegisters() {
        auto t = makeNvram();
        QVERIFY2(t->ok(), qPrintable(t->error));
        QCOMPARE(reg(*t, kA), v3::u8(0x26)); // 32.768 kHz divider running, 1024 Hz rate
        QCOMPARE(reg(*t, kB), v3::u8(0x02)); // BCD, 24-hour, no interrupts
        QCOMPARE(reg(*t, kC), v3::u8(0x00));
        QCOMPARE(reg(*t, kD), v3::u8(0x80)); // valid RAM and time
        QCOMPARE(bcdDateTime(*t), QString("2000-01-01 00:00:00"));
        QCOMPARE(reg(*t, 0x06), v3::u8(7)); // 2000-01-01 was a Saturday
        QCOMPARE(irq8Raises(*t), 0);
    }

    void startAttributeSetsTheClock() {
        auto t = makeNvram("start=\"2024-02-29T13:45:56\"");
        QVERIFY2(t->ok(), qPrintable(t->error));
        QCOMPARE(bcdDateTime(*t), QString("2024-02-29 13:45:56"));
        QCOMPARE(reg(*t, 0x06), v3::u8(5)); // Thursday
        auto sunday = makeNvram("start=\"1999-12-26T00:00:00\"");
        QCOMPARE(reg(*sunday, 0x06), v3::u8(1));
    }

    void binaryAndBcdEncodings() {
        auto t = makeNvram("start=\"2087-11-23T19:58:37\"");
        QCOMPARE(reg(*t, 0x00), v3::u8(0x37));
        QCOMPARE(reg(*t, 0x09), v3::u8(0x87));
        setReg(*t, kB, 0x06); // binary, 24-hour
        QCOMPARE(reg(*t, 0x00), v3::u8(37));
        QCOMPARE(reg(*t, 0x02), v3::u8(58));
        QCOMPARE(reg(*t, 0x04), v3::u8(19));
        QCOMPARE(reg(*t, 0x07), v3::u8(23));
        QCOMPARE(reg(*t, 0x08), v3::u8(11));
        QCOMPARE(reg(*t, 0x09), v3::u8(87));
        QCOMPARE(reg(*t, 0x32), v3::u8(20));
        // Writes are read in the current format.
        setReg(*t, 0x02, 41);
        setReg(*t, kB, 0x02);
        QCOMPARE(reg(*t, 0x02), v3::u8(0x41));
        setReg(*t, 0x09, 0x05);
        setReg(*t, 0x32, 0x21);
        QCOMPARE(bcdDateTime(*t), QString("2105-11-23 19:41:37"));
    }

    void twelveHourMode() {
        struct Case {
            const char* start;
            v3::u8 bcd;
            v3::u8 binary;
        };
        const Case cases[] = {
            {"2000-01-01T00:10:00", 0x12, 12},       {"2000-01-01T01:00:00", 0x01, 1},
            {"2000-01-01T11:00:00", 0x11, 11},       {"2000-01-01T12:00:00", 0x92, 0x80 | 12},
            {"2000-01-01T13:00:00", 0x81, 0x80 | 1}, {"2000-01-01T23:00:00", 0x91, 0x80 | 11}};
        for (const Case& c : cases) {
            auto t = makeNvram(QByteArray("start=\"") + c.start + "\"");
            setReg(*t, kB, 0x00); // BCD, 12-hour
            QCOMPARE(reg(*t, 0x04), c.bcd);
            setReg(*t, kB, 0x04); // binary, 12-hour
            QCOMPARE(reg(*t, 0x04), c.binary);
        }
        // A 12-hour write with the PM bit is 13:00 in 24-hour mode.
        auto t = makeNvram();
        setReg(*t, kB, 0x80); // SET, BCD, 12-hour
        setReg(*t, 0x04, 0x81);
        setReg(*t, kB, 0x02);
        QCOMPARE(reg(*t, 0x04), v3::u8(0x13));
        setReg(*t, kB, 0x80);
        setReg(*t, 0x04, 0x12); // 12 AM
        setReg(*t, kB, 0x02);
        QCOMPARE(reg(*t, 0x04), v3::u8(0x00));
        // Crossing noon in 12-hour mode sets the PM bit.
        auto noon = makeNvram("start=\"2000-01-01T11:59:59\"");
        setReg(*noon, kB, 0x00);
        advance(*noon, kSecond);
        QCOMPARE(reg(*noon, 0x04), v3::u8(0x92));
    }

    void timeAdvancesAcrossBoundaries_data() {
        QTest::addColumn<QString>("start");
        QTest::addColumn<qulonglong>("seconds");
        QTest::addColumn<QString>("expected");
        QTest::addColumn<int>("weekday");
        QTest::newRow("second") << "2000-01-01T00:00:00" << 1ull << "2000-01-01 00:00:01" << 7;
        QTest::newRow("minute") << "2000-01-01T00:00:59" << 1ull << "2000-01-01 00:01:00" << 7;
        QTest::newRow("hour") << "2000-01-01T00:59:59" << 1ull << "2000-01-01 01:00:00" << 7;
        QTest::newRow("day") << "2000-01-01T23:59:59" << 1ull << "2000-01-02 00:00:00" << 1;
        QTest::newRow("30-day month")
            << "2021-04-30T23:59:59" << 1ull << "2021-05-01 00:00:00" << 7;
        QTest::newRow("31-day month")
            << "2021-01-31T23:59:59" << 1ull << "2021-02-01 00:00:00" << 2;
        QTest::newRow("year and century")
            << "1999-12-31T23:59:59" << 1ull << "2000-01-01 00:00:00" << 7;
        QTest::newRow("leap day") << "2024-02-28T23:59:59" << 1ull << "2024-02-29 00:00:00" << 5;
        QTest::newRow("after leap day")
            << "2024-02-29T23:59:59" << 1ull << "2024-03-01 00:00:00" << 6;
        QTest::newRow("no leap day") << "2023-02-28T23:59:59" << 1ull << "2023-03-01 00:00:00" << 4;
        QTest::newRow("2000 is leap")
            << "2000-02-28T12:00:00" << 86400ull << "2000-02-29 12:00:00" << 3;
        QTest::newRow("2100 is not")
            << "2100-02-28T12:00:00" << 86400ull << "2100-03-01 12:00:00" << 2;
        QTest::newRow("a leap year in one step")
            << "2024-01-01T00:00:00" << 366ull * 86400 << "2025-01-01 00:00:00" << 4;
        QTest::newRow("ten years in one step")
            << "2020-06-15T08:30:00" << 3652ull * 86400 + 61 << "2030-06-15 08:31:01" << 7;
    }

    void timeAdvancesAcrossBoundaries() {
        QFETCH(QString, start);
        QFETCH(qulonglong, seconds);
        QFETCH(QString, expected);
        QFETCH(int, weekday);
        auto t = makeNvram("start=\"" + start.toUtf8() + "\"");
        QVERIFY2(t->ok(), qPrintable(t->error));
        advance(*t, seconds * kSecond);
        QCOMPARE(bcdDateTime(*t), expected);
        QCOMPARE(int(reg(*t, 0x06)), weekday);
    }

    void updatesFollowTheSecondBoundaryExactly() {
        auto t = makeNvram();
        advance(*t, kSecond - 1);
        QCOMPARE(reg(*t, 0x00), v3::u8(0x00));
        advance(*t, 1);
        QCOMPARE(reg(*t, 0x00), v3::u8(0x01));
        // Many small steps add up exactly (no drift from rounding).
        for (int i = 0; i < 3000; ++i)
            advance(*t, 333333);
        advance(*t, 1000); // 3000 * 333333 + 1000 = 1 s
        QCOMPARE(reg(*t, 0x00), v3::u8(0x02));
    }

    void updateInProgressBit() {
        auto t = makeNvram();
        advance(*t, kSecond - 300 * kUs);
        QCOMPARE(reg(*t, kA) & 0x80, 0); // more than 244 us before the update
        advance(*t, 200 * kUs);
        QCOMPARE(reg(*t, kA), v3::u8(0xA6)); // within the last 244 us
        QCOMPARE(reg(*t, 0x00), v3::u8(0x00));
        advance(*t, 100 * kUs);
        QCOMPARE(reg(*t, kA), v3::u8(0x26)); // the update happened
        QCOMPARE(reg(*t, 0x00), v3::u8(0x01));
        // Writing A cannot set UIP; SET keeps it clear.
        setReg(*t, kA, 0xA6);
        QCOMPARE(reg(*t, kA), v3::u8(0x26));
        advance(*t, kSecond - 100 * kUs);
        QCOMPARE(reg(*t, kA) & 0x80, 0x80);
        setReg(*t, kB, 0x82);
        QCOMPARE(reg(*t, kA) & 0x80, 0);
    }

    void periodicInterruptAt1024Hz() {
        auto t = makeNvram();
        setReg(*t, kB, 0x42); // PIE
        int interrupts = 0;
        for (int step = 0; step < 10000; ++step) { // 1 s in 100 us steps
            advance(*t, 100 * kUs);
            if (t->vm->irqs().is_raised(8)) {
                QCOMPARE(reg(*t, kC) & 0xC0, 0xC0); // IRQF and PF
                QVERIFY(!t->vm->irqs().is_raised(8));
                ++interrupts;
            }
        }
        QCOMPARE(interrupts, 1024);
        QCOMPARE(irq8Raises(*t), 1024);
        QCOMPARE(irq8Lowers(*t), 1024);
    }

    void periodicRates_data() {
        QTest::addColumn<int>("rate");
        QTest::addColumn<int>("perSecond");
        QTest::newRow("rate 0 is off") << 0 << 0;
        QTest::newRow("rate 1 = 256 Hz") << 1 << 256;
        QTest::newRow("rate 2 = 128 Hz") << 2 << 128;
        QTest::newRow("rate 3 = 8192 Hz") << 3 << 8192;
        QTest::newRow("rate 10 = 64 Hz") << 10 << 64;
        QTest::newRow("rate 15 = 2 Hz") << 15 << 2;
    }

    void periodicRates() {
        QFETCH(int, rate);
        QFETCH(int, perSecond);
        auto t = makeNvram();
        setReg(*t, kA, v3::u8(0x20 | rate));
        setReg(*t, kB, 0x42);
        int interrupts = 0;
        for (int step = 0; step < 20000; ++step) { // 1 s in 50 us steps
            advance(*t, 50 * kUs);
            if (t->vm->irqs().is_raised(8)) {
                reg(*t, kC);
                ++interrupts;
            }
        }
        QCOMPARE(interrupts, perSecond);
    }

    void periodicFlagWithoutEnableRaisesNothing() {
        auto t = makeNvram();
        advance(*t, 2 * kMs);
        QCOMPARE(irq8Raises(*t), 0);
        QCOMPARE(reg(*t, kC), v3::u8(0x40)); // PF without IRQF
        // Enabling PIE while PF is pending requests the interrupt at once.
        advance(*t, 2 * kMs);
        setReg(*t, kB, 0x42);
        QCOMPARE(irq8Raises(*t), 1);
        // Clearing PIE withdraws it.
        setReg(*t, kB, 0x02);
        QVERIFY(!t->vm->irqs().is_raised(8));
        QCOMPARE(reg(*t, kC), v3::u8(0x40));
    }

    void updateEndedInterruptOncePerSecond() {
        auto t = makeNvram();
        setReg(*t, kA, 0x20); // no periodic flag noise
        setReg(*t, kB, 0x12); // UIE
        int interrupts = 0;
        for (int step = 0; step < 5000; ++step) { // 5 s in 1 ms steps
            advance(*t, kMs);
            if (t->vm->irqs().is_raised(8)) {
                QCOMPARE(reg(*t, kC), v3::u8(0x90)); // IRQF | UF
                ++interrupts;
            }
        }
        QCOMPARE(interrupts, 5);
        QCOMPARE(bcdDateTime(*t), QString("2000-01-01 00:00:05"));
    }

    void alarmInterrupt() {
        auto t = makeNvram("start=\"2000-01-01T10:20:30\"");
        setReg(*t, kA, 0x20);
        setReg(*t, 0x01, 0x33); // 10:20:33 in BCD
        setReg(*t, 0x03, 0x20);
        setReg(*t, 0x05, 0x10);
        setReg(*t, kB, 0x22); // AIE
        advance(*t, 2 * kSecond + 900 * kMs);
        QCOMPARE(irq8Raises(*t), 0);
        QCOMPARE(reg(*t, kC) & 0x20, 0);
        advance(*t, 100 * kMs);
        QCOMPARE(irq8Raises(*t), 1);
        QCOMPARE(reg(*t, kC), v3::u8(0xB0)); // IRQF | AF | UF
        QVERIFY(!t->vm->irqs().is_raised(8));
        advance(*t, kSecond);
        QCOMPARE(irq8Raises(*t), 1); // no match at 10:20:34
        QCOMPARE(reg(*t, kC), v3::u8(0x10));
    }

    void alarmMatchesInTwelveHourBinaryMode() {
        auto t = makeNvram("start=\"2000-01-01T14:00:00\"");
        setReg(*t, kB, 0x24); // AIE, binary, 12-hour
        setReg(*t, 0x01, 1);
        setReg(*t, 0x03, 0);
        setReg(*t, 0x05, 0x80 | 2); // 2 PM
        advance(*t, kSecond);
        QCOMPARE(irq8Raises(*t), 1);
        QCOMPARE(reg(*t, kC) & 0x20, 0x20);
    }

    void alarmDontCareBytes() {
        auto t = makeNvram("start=\"2000-01-01T10:20:30\"");
        setReg(*t, kA, 0x20);
        setReg(*t, 0x01, 0xC0);
        setReg(*t, 0x03, 0xFF);
        setReg(*t, 0x05, 0xC5);
        setReg(*t, kB, 0x22);
        for (int second = 1; second <= 3; ++second) {
            advance(*t, kSecond);
            QCOMPARE(irq8Raises(*t), second); // every second
            QCOMPARE(reg(*t, kC) & 0x20, 0x20);
        }
        // Once an hour: minutes and seconds fixed, hours don't care.
        auto hourly = makeNvram("start=\"2000-01-01T10:20:30\"");
        setReg(*hourly, kA, 0x20);
        setReg(*hourly, 0x01, 0x00);
        setReg(*hourly, 0x03, 0x00);
        setReg(*hourly, 0x05, 0xC0);
        setReg(*hourly, kB, 0x22);
        int interrupts = 0;
        for (int second = 0; second < 3 * 3600; ++second) {
            advance(*hourly, kSecond);
            if (hourly->vm->irqs().is_raised(8)) {
                reg(*hourly, kC);
                ++interrupts;
            }
        }
        QCOMPARE(interrupts, 3); // 11:00:00, 12:00:00, 13:00:00
    }

    void alarmIsSeenAcrossALongGap() {
        auto t = makeNvram("start=\"2000-01-01T10:20:30\"");
        setReg(*t, 0x01, 0x00);
        setReg(*t, 0x03, 0x00);
        setReg(*t, 0x05, 0x03); // 03:00:00, passed during the jump
        setReg(*t, kB, 0x22);
        advance(*t, 5ull * 86400 * kSecond + 7 * kSecond);
        QCOMPARE(irq8Raises(*t), 1);
        QCOMPARE(reg(*t, kC) & 0x30, 0x30);
        QCOMPARE(bcdDateTime(*t), QString("2000-01-06 10:20:37"));
    }

    void setBitHaltsUpdates() {
        auto t = makeNvram("start=\"2000-01-01T10:20:30\"");
        setReg(*t, kA, 0x20);
        setReg(*t, kB, 0x12); // UIE
        setReg(*t, kB, 0x92); // SET: UIE is cleared with it
        QCOMPARE(reg(*t, kB), v3::u8(0x82));
        advance(*t, 3 * kSecond);
        QCOMPARE(bcdDateTime(*t), QString("2000-01-01 10:20:30"));
        QCOMPARE(irq8Raises(*t), 0);
        QCOMPARE(reg(*t, kC) & 0x10, 0); // no update cycle ran
        setReg(*t, 0x00, 0x45);
        setReg(*t, kB, 0x02);
        advance(*t, kSecond);
        QCOMPARE(bcdDateTime(*t), QString("2000-01-01 10:20:46"));
    }

    void dividerResetHoldsTheClock() {
        auto t = makeNvram();
        setReg(*t, kA, 0x66); // divider in reset
        advance(*t, 5 * kSecond);
        QCOMPARE(bcdDateTime(*t), QString("2000-01-01 00:00:00"));
        QCOMPARE(reg(*t, kC), v3::u8(0x00)); // no periodic flag either
        setReg(*t, kA, 0x26);
        advance(*t, 499 * kMs);
        QCOMPARE(reg(*t, 0x00), v3::u8(0x00));
        advance(*t, kMs); // first update half a second after leaving reset
        QCOMPARE(reg(*t, 0x00), v3::u8(0x01));
        advance(*t, kSecond);
        QCOMPARE(reg(*t, 0x00), v3::u8(0x02));
    }

    void registerCClearOnReadLowersIrq8() {
        auto t = makeNvram();
        setReg(*t, kB, 0x12);
        advance(*t, kSecond);
        QVERIFY(t->vm->irqs().is_raised(8));
        QCOMPARE(irq8Raises(*t), 1);
        // Further updates keep the line up without new edges until C is read.
        advance(*t, kSecond);
        QCOMPARE(irq8Raises(*t), 1);
        QCOMPARE(reg(*t, kC), v3::u8(0xD0)); // IRQF | PF | UF
        QVERIFY(!t->vm->irqs().is_raised(8));
        QCOMPARE(irq8Lowers(*t), 1);
        QCOMPARE(reg(*t, kC), v3::u8(0x00));
        QCOMPARE(irq8Lowers(*t), 1);
    }

    void readOnlyRegisters() {
        auto t = makeNvram();
        setReg(*t, kD, 0x00);
        QCOMPARE(reg(*t, kD), v3::u8(0x80));
        advance(*t, 2 * kMs);
        setReg(*t, kC, 0x00);
        QCOMPARE(reg(*t, kC), v3::u8(0x40)); // writes to C change nothing
    }

    void indexPortAndNmiBit() {
        auto t = makeNvram();
        auto* nvram = static_cast<v3::devices::Mc146818Nvram*>(t->vm->devices().find("nvram"));
        QVERIFY(nvram);
        QVERIFY(!nvram->nmi_disabled());
        t->out(0x70, 0x8D); // NMI off, register D
        QVERIFY(nvram->nmi_disabled());
        QCOMPARE(t->in(0x71), 0x80u);
        t->out(0x70, 0x0D);
        QVERIFY(!nvram->nmi_disabled());
        QCOMPARE(t->in(0x70), 0xFFu); // the index port is write-only
        // CMOS RAM is plain storage.
        setReg(*t, 0x40, 0x5A);
        setReg(*t, 0x7F, 0xA5);
        QCOMPARE(reg(*t, 0x40), v3::u8(0x5A));
        QCOMPARE(reg(*t, 0x7F), v3::u8(0xA5));
        // A word write selects and writes in one access; a word read at
        // 0x70 returns open bus then the data byte.
        QVERIFY(t->out(0x70, 0x3341, 2));
        QCOMPARE(reg(*t, 0x41), v3::u8(0x33));
        QCOMPARE(t->in(0x70, 2), 0x33FFu);
    }

    void memoryFieldsFor16MB() {
        auto t = makeNvramVm(16);
        QVERIFY2(t->ok(), qPrintable(t->error));
        QCOMPARE(reg(*t, 0x15) | reg(*t, 0x16) << 8, 640);
        QCOMPARE(reg(*t, 0x17) | reg(*t, 0x18) << 8, 15 * 1024);
        QCOMPARE(reg(*t, 0x30) | reg(*t, 0x31) << 8, 15 * 1024);
        QCOMPARE(reg(*t, 0x34) | reg(*t, 0x35) << 8, 0);
        QCOMPARE(reg(*t, 0x5B) | reg(*t, 0x5C) << 8 | reg(*t, 0x5D) << 16, 0);
        QCOMPARE(reg(*t, 0x5F), v3::u8(0));
    }

    void memoryFieldsFor512MBAndFourCores() {
        auto t = makeNvramVm(512, 4);
        QVERIFY2(t->ok(), qPrintable(t->error));
        QCOMPARE(reg(*t, 0x15) | reg(*t, 0x16) << 8, 640);
        QCOMPARE(reg(*t, 0x17) | reg(*t, 0x18) << 8, 0xFFFF); // capped
        QCOMPARE(reg(*t, 0x30) | reg(*t, 0x31) << 8, 0xFFFF);
        QCOMPARE(reg(*t, 0x34) | reg(*t, 0x35) << 8, (512 - 16) * 16);
        QCOMPARE(reg(*t, 0x5B) | reg(*t, 0x5C) << 8 | reg(*t, 0x5D) << 16, 0);
        QCOMPARE(reg(*t, 0x5F), v3::u8(3)); // SeaBIOS: CPUs - 1
    }

    void memoryFieldEncoding_data() {
        QTest::addColumn<qulonglong>("ramBytes");
        QTest::addColumn<int>("base");
        QTest::addColumn<int>("extended");
        QTest::addColumn<int>("above16M");
        QTest::addColumn<int>("above4G");
        const qulonglong MB = 1024 * 1024;
        QTest::newRow("512 KB") << 512 * 1024ull << 512 << 0 << 0 << 0;
        QTest::newRow("4 MB") << 4 * MB << 640 << 3 * 1024 << 0 << 0;
        QTest::newRow("64 MB") << 64 * MB << 640 << 63 * 1024 << 48 * 16 << 0;
        QTest::newRow("3 GB") << 3072 * MB << 640 << 0xFFFF << (3072 - 16) * 16 << 0;
        // RAM between 3.5 GB and 4 GB sits behind the PCI/APIC/BIOS hole.
        QTest::newRow("4 GB") << 4096 * MB << 640 << 0xFFFF << 0xDF00 << 0;
        QTest::newRow("5 GB") << 5120 * MB << 640 << 0xFFFF << 0xDF00 << 1024 * 16;
        QTest::newRow("64 GB") << 65536 * MB << 640 << 0xFFFF << 0xDF00 << 61440 * 16;
    }

    void memoryFieldEncoding() {
        QFETCH(qulonglong, ramBytes);
        QFETCH(int, base);
        QFETCH(int, extended);
        QFETCH(int, above16M);
        QFETCH(int, above4G);
        v3::u8 cmos[128] = {};
        v3::devices::cmos::write_memory_size(cmos, ramBytes);
        QCOMPARE(cmos[0x15] | cmos[0x16] << 8, base);
        QCOMPARE(cmos[0x17] | cmos[0x18] << 8, extended);
        QCOMPARE(cmos[0x30] | cmos[0x31] << 8, extended);
        QCOMPARE(cmos[0x34] | cmos[0x35] << 8, above16M);
        QCOMPARE(cmos[0x5B] | cmos[0x5C] << 8 | cmos[0x5D] << 16, above4G);
        // What SeaBIOS computes from these bytes is RAM it may really use.
        qulonglong seabiosLow = above16M ? 16ull * 1024 * 1024 + qulonglong(above16M) * 65536
                                         : 1024ull * 1024 + qulonglong(extended) * 1024;
        if (ramBytes > 16ull * 1024 * 1024)
            QVERIFY(seabiosLow <= ramBytes && seabiosLow <= 0xE0000000ull);
    }

    void checksumAndEquipmentDefaults() {
        auto t = makeNvram();
        unsigned sum = 0;
        for (v3::u8 i = 0x10; i <= 0x2D; ++i)
            sum += reg(*t, i);
        QCOMPARE(unsigned(reg(*t, 0x2E) << 8 | reg(*t, 0x2F)), sum & 0xFFFF);
        QVERIFY(sum != 0);
        QCOMPARE(reg(*t, 0x10), v3::u8(0x00)); // no floppy drives
        QCOMPARE(reg(*t, 0x12), v3::u8(0x00)); // no AT hard-disk types
        QCOMPARE(reg(*t, 0x14), v3::u8(0x02)); // math coprocessor, VGA, no floppies
        QCOMPARE(reg(*t, 0x3D), v3::u8(0x23)); // default boot: cd, hd
        QCOMPARE(reg(*t, 0x38), v3::u8(0x00));
        QCOMPARE(reg(*t, 0x0F), v3::u8(0x00)); // shutdown status: normal POST
    }

    void displayAndBootOrderFromConfig() {
        auto t = makeNvram("display=\"mono\" bootseq=\"net, hd ,fd\"");
        QVERIFY2(t->ok(), qPrintable(t->error));
        QCOMPARE(reg(*t, 0x14), v3::u8(0x32));
        QCOMPARE(reg(*t, 0x3D), v3::u8(0x24)); // first net (4), second hd (2)
        QCOMPARE(reg(*t, 0x38), v3::u8(0x10)); // third floppy (1)
        unsigned sum = 0;
        for (v3::u8 i = 0x10; i <= 0x2D; ++i)
            sum += reg(*t, i);
        QCOMPARE(unsigned(reg(*t, 0x2E) << 8 | reg(*t, 0x2F)), sum & 0xFFFF);

        auto child =
            testvm::make_vm("<device class=\"NVRAM\" id=\"nvram\"><bootseq>hd</bootseq>"
                            "<display>cga80</display><start>2010-10-10T10:10:10</start></device>");
        QVERIFY2(child->ok(), qPrintable(child->error));
        QCOMPARE(reg(*child, 0x3D), v3::u8(0x02));
        QCOMPARE(reg(*child, 0x38), v3::u8(0x00));
        QCOMPARE(reg(*child, 0x14), v3::u8(0x22));
        QCOMPARE(bcdDateTime(*child), QString("2010-10-10 10:10:10"));
    }

    void configRejections_data() {
        QTest::addColumn<QByteArray>("attributes");
        QTest::addColumn<QString>("message");
        QTest::newRow("start format") << QByteArray("start=\"2000-01-01 00:00:00\"")
                                      << "start '2000-01-01 00:00:00' is not a date and time of "
                                         "the form YYYY-MM-DDTHH:MM:SS";
        QTest::newRow("start letters")
            << QByteArray("start=\"20x0-01-01T00:00:00\"") << "is not a date and time";
        QTest::newRow("February 30") << QByteArray("start=\"2024-02-30T00:00:00\"")
                                     << "start '2024-02-30T00:00:00' has a day that this month "
                                        "does not have";
        QTest::newRow("February 29, 2023") << QByteArray("start=\"2023-02-29T00:00:00\"")
                                           << "has a day that this month does not have";
        QTest::newRow("month 13") << QByteArray("start=\"2023-13-01T00:00:00\"")
                                  << "has a month outside 01-12";
        QTest::newRow("hour 24") << QByteArray("start=\"2023-01-01T24:00:00\"")
                                 << "has an hour outside 00-23";
        QTest::newRow("second 60")
            << QByteArray("start=\"2023-01-01T00:00:60\"") << "has a second outside 00-59";
        QTest::newRow("year 1800")
            << QByteArray("start=\"1800-01-01T00:00:00\"") << "has a year outside 1900-9999";
        QTest::newRow("unknown boot device")
            << QByteArray("bootseq=\"cd,zip\"")
            << "bootseq 'cd,zip' names an unknown boot device (known: fd, hd, cd, net)";
        QTest::newRow("boot device twice")
            << QByteArray("bootseq=\"cd,hd,cd\"") << "names a boot device twice";
        QTest::newRow("four boot devices")
            << QByteArray("bootseq=\"cd,hd,fd,net\"") << "names more than 3 boot devices";
        QTest::newRow("empty boot entry")
            << QByteArray("bootseq=\"cd,,hd\"") << "has an empty entry";
        QTest::newRow("display") << QByteArray("display=\"ega\"")
                                 << "display 'ega' is not one of vga, cga40, cga80, mono";
    }

    void configRejections() {
        QFETCH(QByteArray, attributes);
        QFETCH(QString, message);
        auto t = makeNvram(attributes);
        QVERIFY(!t->ok());
        QVERIFY2(t->error.contains(message), qPrintable(t->error));
        QVERIFY2(t->error.contains("/vm/devices/device"), qPrintable(t->error));
    }

    void portsAlreadyTaken() {
        auto t =
            testvm::make_vm("<device class=\"NVRAM\" id=\"a\"/><device class=\"NVRAM\" id=\"b\"/>");
        QVERIFY(!t->ok());
        QVERIFY2(t->error.contains("cannot claim I/O ports 0x70-0x71"), qPrintable(t->error));
    }

    void saveAndLoadRoundTrip() {
        auto t = makeNvram("start=\"2031-07-04T21:15:09\"");
        setReg(*t, 0x01, 0x11);
        setReg(*t, 0x03, 0x22);
        setReg(*t, 0x05, 0xC3);
        setReg(*t, 0x50, 0x99);
        setReg(*t, kA, 0x2A);
        setReg(*t, kB, 0x5A); // PIE, UIE, SQWE, BCD, 24-hour
        advance(*t, 1500 * kMs);
        QVERIFY(t->vm->irqs().is_raised(8));
        t->out(0x70, 0x80 | 0x09); // NMI off, year selected

        v3::Vector<v3::u8> snapshot;
        v3::chkpt::Writer writer(snapshot);
        QVERIFY(!t->vm->devices().save(writer).is_error());

        auto copy = makeNvram();
        QVERIFY(!copy->vm->irqs().is_raised(8));
        v3::chkpt::Reader reader(snapshot.begin(), snapshot.size());
        auto loaded = copy->vm->devices().load(reader);
        QVERIFY2(!loaded.is_error(), loaded.error().message);
        QVERIFY(copy->vm->irqs().is_raised(8)); // the pending interrupt came along
        auto* nvram = static_cast<v3::devices::Mc146818Nvram*>(copy->vm->devices().find("nvram"));
        QVERIFY(nvram->nmi_disabled());
        QCOMPARE(copy->in(0x71), 0x31u); // the selected register survived
        QCOMPARE(bcdDateTime(*copy), QString("2031-07-04 21:15:10"));
        QCOMPARE(reg(*copy, 0x01), v3::u8(0x11));
        QCOMPARE(reg(*copy, 0x03), v3::u8(0x22));
        QCOMPARE(reg(*copy, 0x05), v3::u8(0xC3));
        QCOMPARE(reg(*copy, 0x50), v3::u8(0x99));
        QCOMPARE(reg(*copy, kA), v3::u8(0x2A));
        QCOMPARE(reg(*copy, kB), v3::u8(0x5A));
        QCOMPARE(reg(*copy, kC), v3::u8(0xD0)); // IRQF | PF | UF, as in the original
        QVERIFY(!copy->vm->irqs().is_raised(8));
        // The divider phase came along: the next update is half a second away.
        advance(*copy, 499 * kMs);
        QCOMPARE(reg(*copy, 0x00), v3::u8(0x10));
        advance(*copy, kMs);
        QCOMPARE(reg(*copy, 0x00), v3::u8(0x11));
    }

    void loadRejectsBadSnapshots() {
        auto t = makeNvram();
        v3::Vector<v3::u8> snapshot;
        v3::chkpt::Writer writer(snapshot);
        QVERIFY(!t->vm->devices().save(writer).is_error());
        auto tryLoad = [&](const v3::Vector<v3::u8>& bytes, v3::usize size) {
            auto copy = makeNvram();
            v3::chkpt::Reader reader(bytes.begin(), size);
            return copy->vm->devices().load(reader).is_error();
        };
        QVERIFY(!tryLoad(snapshot, snapshot.size()));
        QVERIFY(tryLoad(snapshot, snapshot.size() - 1)); // truncated
        // Find the payload: the section holds the version byte first.
        v3::usize payload = snapshot.size() - (1 + 1 + 1 + 128 + 2 + 6 + 4 + 4);
        auto corrupt = [&](v3::usize offset, v3::u8 value) {
            v3::Vector<v3::u8> bad;
            for (v3::u8 b : snapshot)
                (void)bad.try_append(b);
            bad[payload + offset] = value;
            return tryLoad(bad, bad.size());
        };
        QCOMPARE(snapshot[payload], v3::u8(1));
        QVERIFY(corrupt(0, 9));                  // unknown version
        QVERIFY(corrupt(1, 0x80));               // index above 0x7f
        QVERIFY(corrupt(3 + 0x0A, 0xA6));        // UIP stored in A
        QVERIFY(corrupt(3 + 0x0C, 0x01));        // reserved bits of C
        QVERIFY(corrupt(3 + 0x0D, 0x00));        // D without VRT
        QVERIFY(corrupt(3 + 128 + 1, 0xFF));     // year 0xFFxx > 9999
        QVERIFY(corrupt(3 + 128 + 8 + 1, 0x80)); // divider position >= 32768
        QVERIFY(!corrupt(3 + 0x40, 0x12));       // CMOS RAM may hold anything
    }

    void calendarHelpers() {
        using namespace v3::devices::rtc;
        QVERIFY(is_leap_year(2000));
        QVERIFY(!is_leap_year(1900));
        QVERIFY(is_leap_year(2024));
        QVERIFY(!is_leap_year(2023));
        QCOMPARE(int(days_in_month(2023, 2)), 28);
        QCOMPARE(int(days_in_month(2024, 2)), 29);
        QCOMPARE(int(days_in_month(2024, 9)), 30);
        QCOMPARE(int(day_of_week(1970, 1, 1)), 5);  // Thursday
        QCOMPARE(int(day_of_week(2038, 1, 19)), 3); // Tuesday
        // Garbage a guest stored still rolls over sensibly.
        CalendarTime garbage;
        garbage.second = 75;
        garbage.minute = 59;
        garbage.hour = 23;
        garbage.day = 31;
        garbage.month = 12;
        garbage.year = 9999;
        advance_one_second(garbage);
        QCOMPARE(int(garbage.second), 0);
        QCOMPARE(int(garbage.year), 0);
        QCOMPARE(int(garbage.month), 1);
        QCOMPARE(int(garbage.day), 1);
        // A 400-year jump keeps the date and weekday.
        CalendarTime t;
        v3::devices::rtc::parse_iso_datetime("2001-03-04T05:06:07", t);
        v3::u8 weekday = t.day_of_week;
        advance_seconds(t, 146097ull * 86400 * 3);
        QCOMPARE(int(t.year), 3201);
        QCOMPARE(int(t.month), 3);
        QCOMPARE(int(t.day), 4);
        QCOMPARE(t.day_of_week, weekday);
    }
};

QTEST_APPLESS_MAIN(TestNvram)
#include "tst_nvram.moc"
