// The guest-to-host debug devices: BOCHS_DEBUG (0x402, 0x403, 0xE9) and
// OS_DEBUG (0xC0C0) turning guest bytes into host log lines, and the test
// device TEST_EXIT stopping the VM with the status the guest wrote (only in
// a config whose <devices test_devices="yes"> allows test devices).
#include "vm_harness.h"

#include <chkpt/snapshot.h>

#include <QtTest>

namespace {

QString hostLog() {
    return QString::fromStdString(v3::hosted::captured_log());
}

void write(testvm::TestVm& t, v3::u16 port, const QByteArray& bytes) {
    for (char c : bytes)
        QVERIFY(t.out(port, v3::u8(c)));
}

// A VM whose <devices> (the fragment) may name the test registry's classes.
std::unique_ptr<testvm::TestVm> makeTestDeviceVm(const QByteArray& devices) {
    return testvm::make_vm("<vm class=\"PC\"><memory>4</memory><cores count=\"1\"/>"
                           "<devices test_devices=\"yes\">" +
                           devices + "</devices></vm>");
}

std::unique_ptr<testvm::TestVm> makeDebugVm() {
    return testvm::make_vm("<device class=\"BOCHS_DEBUG\" id=\"bochs\"/>"
                           "<device class=\"OS_DEBUG\" id=\"osdebug\"/>");
}

} // namespace

class TestDebugPorts : public QObject {
    Q_OBJECT

private slots:
    void init() { v3::hosted::clear_captured_log(); }

    void bochsPortsWriteWholeLines() {
        auto t = makeDebugVm();
        QVERIFY2(t->ok(), qPrintable(t->error));
        v3::hosted::clear_captured_log();
        write(*t, 0xE9, "Hello from ");
        QCOMPARE(hostLog(), QString()); // nothing until the line ends
        write(*t, 0xE9, "E9\n");
        QCOMPARE(hostLog(), QString("v3vee: VM test bochs: Hello from E9\n"));
        write(*t, 0x402, "info line\r\n");
        write(*t, 0x403, "debug line\n");
        QCOMPARE(hostLog(), QString("v3vee: VM test bochs: Hello from E9\n"
                                    "v3vee: VM test bochs: info line\n"
                                    "v3vee: VM test bochs: debug line\n"));
    }

    void eachPortHasItsOwnLine() {
        auto t = makeDebugVm();
        v3::hosted::clear_captured_log();
        write(*t, 0x402, "in");
        write(*t, 0x403, "de");
        write(*t, 0xE9, "co");
        write(*t, 0x402, "fo\n");
        write(*t, 0x403, "bug\n");
        write(*t, 0xE9, "nsole\n");
        QCOMPARE(hostLog(), QString("v3vee: VM test bochs: info\n"
                                    "v3vee: VM test bochs: debug\n"
                                    "v3vee: VM test bochs: console\n"));
    }

    void wideWritesSplitAcrossPorts() {
        auto t = makeDebugVm();
        v3::hosted::clear_captured_log();
        // A word at 0x402: the low byte goes to 0x402, the high one to 0x403.
        QVERIFY(t->out(0x402, 0x4241, 2));
        QCOMPARE(hostLog(), QString());
        QVERIFY(t->out(0x402, 0x0A0A, 2));
        QCOMPARE(hostLog(), QString("v3vee: VM test bochs: A\nv3vee: VM test bochs: B\n"));
        v3::hosted::clear_captured_log();
        // A dword at 0xE9: only the byte at 0xE9 is the console's.
        QVERIFY(t->out(0xE9, 0x4443425A, 4));
        QVERIFY(t->out(0xE9, '\n'));
        QCOMPARE(hostLog(), QString("v3vee: VM test bochs: Z\n"));
    }

    void readsIdentifyTheConsole() {
        auto t = makeDebugVm();
        QCOMPARE(t->in(0xE9), 0xE9u);
        QCOMPARE(t->in(0xE9, 2), 0xFFE9u); // 0xEA is not the console
        QCOMPARE(t->in(0x402), 0xFFu);
        QCOMPARE(t->in(0x403), 0xFFu);
        QCOMPARE(t->in(0xC0C0), 0xFFu);
        QCOMPARE(t->in(0xC0C0, 2), 0xFFFFu);
    }

    void nonPrintableBytesAreEscaped() {
        auto t = makeDebugVm();
        v3::hosted::clear_captured_log();
        write(*t, 0xE9, QByteArray("a\tb\x1b[31mc\\d\x7f\xff", 13) + "\n");
        QCOMPARE(hostLog(), QString("v3vee: VM test bochs: a\\x09b\\x1b[31mc\\\\d\\x7f\\xff\n"));
        QVERIFY(!hostLog().contains('\x1b'));
    }

    void longLinesAreFlushedAt256Characters() {
        auto t = makeDebugVm();
        v3::hosted::clear_captured_log();
        write(*t, 0xE9, QByteArray(600, 'x'));
        QString expected = "v3vee: VM test bochs: " + QString(256, 'x') + "\n";
        QCOMPARE(hostLog(), expected + expected);
        write(*t, 0xE9, "\n");
        QCOMPARE(hostLog(),
                 expected + expected + "v3vee: VM test bochs: " + QString(88, 'x') + "\n");
        // An escape sequence is never cut in two: 254 characters, then an
        // escape that does not fit goes to the next line.
        v3::hosted::clear_captured_log();
        write(*t, 0xE9, QByteArray(254, 'y') + "\x01" + "\n");
        QCOMPARE(hostLog(),
                 "v3vee: VM test bochs: " + QString(254, 'y') + "\nv3vee: VM test bochs: \\x01\n");
    }

    void osDebugLines() {
        auto t = makeDebugVm();
        v3::hosted::clear_captured_log();
        write(*t, 0xC0C0, "kernel says hi");
        QCOMPARE(hostLog(), QString());
        write(*t, 0xC0C0, "\n\x02\n");
        QCOMPARE(hostLog(), QString("v3vee: VM test guest: kernel says hi\n"
                                    "v3vee: VM test guest: \\x02\n"));
        v3::hosted::clear_captured_log();
        QVERIFY(t->out(0xC0C0, 0x0A00 | 'Q', 2)); // only the byte at 0xC0C0 counts
        write(*t, 0xC0C0, QByteArray(300, 'z'));
        QCOMPARE(hostLog(), "v3vee: VM test guest: Q" + QString(255, 'z') + "\n");
    }

    void pendingTextIsWrittenWhenTheVmGoesAway() {
        auto t = makeDebugVm();
        write(*t, 0xE9, "no newline");
        write(*t, 0xC0C0, "unfinished");
        v3::hosted::clear_captured_log();
        t.reset();
        QVERIFY(hostLog().contains("v3vee: VM test bochs: no newline\n"));
        QVERIFY(hostLog().contains("v3vee: VM test guest: unfinished\n"));
    }

    void partialLinesSurviveACheckpoint() {
        auto t = makeDebugVm();
        write(*t, 0x402, "first half, ");
        write(*t, 0xC0C0, "guest \x01 half, ");
        v3::Vector<v3::u8> snapshot;
        v3::chkpt::Writer writer(snapshot);
        QVERIFY(!t->vm->devices().save(writer).is_error());

        auto copy = makeDebugVm();
        v3::chkpt::Reader reader(snapshot.begin(), snapshot.size());
        auto loaded = copy->vm->devices().load(reader);
        QVERIFY2(!loaded.is_error(), loaded.error().message);
        v3::hosted::clear_captured_log();
        write(*copy, 0x402, "second half\n");
        write(*copy, 0xC0C0, "done\n");
        QCOMPARE(hostLog(), QString("v3vee: VM test bochs: first half, second half\n"
                                    "v3vee: VM test guest: guest \\x01 half, done\n"));

        // A snapshot whose text holds raw control characters is refused.
        v3::Vector<v3::u8> bad;
        for (v3::u8 b : snapshot)
            (void)bad.try_append(b);
        for (v3::u8& b : bad)
            if (b == 'f') {
                b = 0x1b;
                break;
            }
        auto third = makeDebugVm();
        v3::chkpt::Reader badReader(bad.begin(), bad.size());
        QVERIFY(third->vm->devices().load(badReader).is_error());
    }

    void testExitStopsTheVmWithTheStatus() {
        auto t = makeTestDeviceVm("<device class=\"TEST_EXIT\" id=\"exit\"/>");
        QVERIFY2(t->ok(), qPrintable(t->error));
        QCOMPARE(t->in(0x501), 0u);
        QVERIFY(t->vm->state() != v3::VmState::Stopped);
        QVERIFY(t->out(0x501, 42));
        QCOMPARE(t->vm->state(), v3::VmState::Stopped);
        QCOMPARE(t->vm->exit_code(), 42u);
        QCOMPARE(QString(t->vm->stop_reason()),
                 QString("the guest wrote 42 to the test-exit port"));
        QVERIFY(hostLog().contains("the guest wrote 42 to the test-exit port (status 42)"));
    }

    void testExitZeroAndWidePorts() {
        auto zero = makeTestDeviceVm("<device class=\"TEST_EXIT\" id=\"exit\"/>");
        QVERIFY(zero->out(0x501, 0));
        QCOMPARE(zero->vm->state(), v3::VmState::Stopped);
        QCOMPARE(zero->vm->exit_code(), 0u);

        auto wide = makeTestDeviceVm(
            "<device class=\"TEST_EXIT\" id=\"exit\" iobase=\"0xf4\" iosize=\"4\"/>");
        QVERIFY2(wide->ok(), qPrintable(wide->error));
        QVERIFY(!wide->vm->io_ports().is_claimed(0x501));
        QVERIFY(wide->vm->io_ports().is_claimed(0xF7));
        QVERIFY(!wide->vm->io_ports().is_claimed(0xF8));
        QVERIFY(wide->out(0xF4, 0xDEADBEEF, 4));
        QCOMPARE(wide->vm->exit_code(), 0xDEADBEEFu);
        QCOMPARE(QString(wide->vm->stop_reason()),
                 QString("the guest wrote 3735928559 to the test-exit port"));

        auto word = makeTestDeviceVm("<device class=\"TEST_EXIT\" id=\"exit\" iosize=\"2\"/>");
        QVERIFY(word->out(0x502, 7));
        QCOMPARE(word->vm->exit_code(), 7u);
    }

    // TEST_EXIT and MMIO_TEST are in the test registry, not the product's:
    // not named to users, and refused unless the config opts in.
    void testDevicesAreOutsideTheProductRegistry() {
        QStringList product, test;
        for (const char* const* n = v3::devices::known_class_names(); *n; ++n)
            product << *n;
        for (const char* const* n = v3::devices::test_class_names(); *n; ++n)
            test << *n;
        QCOMPARE(test, QStringList({"TEST_EXIT", "MMIO_TEST"}));
        QVERIFY(product.contains("BOCHS_DEBUG"));
        for (const QString& name : test) {
            QVERIFY2(!product.contains(name), qPrintable(name));
            QByteArray utf8 = name.toUtf8();
            v3::StringView view(utf8.constData(), v3::usize(utf8.size()));
            QVERIFY(!v3::devices::find_class(view, false));
            QVERIFY(v3::devices::find_class(view, true));
        }
        auto refused = testvm::make_vm("<device class=\"TEST_EXIT\" id=\"exit\"/>");
        QVERIFY(!refused->ok());
        QVERIFY2(refused->error.contains("'TEST_EXIT' is a test device") &&
                     refused->error.contains("test_devices=\"yes\""),
                 qPrintable(refused->error));
    }

    void configRejections_data() {
        QTest::addColumn<QByteArray>("devices");
        QTest::addColumn<QString>("message");
        QTest::newRow("iosize 3") << QByteArray(
                                         "<device class=\"TEST_EXIT\" id=\"e\" iosize=\"3\"/>")
                                  << "iosize 3 is not one of 1, 2, 4";
        QTest::newRow("iosize 8") << QByteArray(
                                         "<device class=\"TEST_EXIT\" id=\"e\" iosize=\"8\"/>")
                                  << "iosize";
        QTest::newRow("iobase too big")
            << QByteArray("<device class=\"TEST_EXIT\" id=\"e\" iobase=\"0x10000\"/>") << "iobase";
        QTest::newRow("iobase garbage")
            << QByteArray("<device class=\"TEST_EXIT\" id=\"e\" iobase=\"port\"/>") << "iobase";
        QTest::newRow("runs past 0xffff")
            << QByteArray("<device class=\"TEST_EXIT\" id=\"e\" iobase=\"0xfffe\" iosize=\"4\"/>")
            << "iobase 0xfffe with iosize 4 runs past port 0xffff";
        QTest::newRow("test exit on the bochs console")
            << QByteArray("<device class=\"BOCHS_DEBUG\" id=\"b\"/>"
                          "<device class=\"TEST_EXIT\" id=\"e\" iobase=\"0xe9\"/>")
            << "cannot claim I/O ports 0xe9-0xe9";
        QTest::newRow("two bochs debug devices")
            << QByteArray("<device class=\"BOCHS_DEBUG\" id=\"b\"/>"
                          "<device class=\"BOCHS_DEBUG\" id=\"c\"/>")
            << "cannot claim I/O port 0x402";
        QTest::newRow("two os debug devices") << QByteArray("<device class=\"OS_DEBUG\" id=\"a\"/>"
                                                            "<device class=\"OS_DEBUG\" id=\"b\"/>")
                                              << "cannot claim I/O port 0xc0c0";
    }

    void configRejections() {
        QFETCH(QByteArray, devices);
        QFETCH(QString, message);
        auto t = makeTestDeviceVm(devices);
        QVERIFY(!t->ok());
        QVERIFY2(t->error.contains(message), qPrintable(t->error));
        QVERIFY2(t->error.contains("/vm/devices/device"), qPrintable(t->error));
    }
};

QTEST_APPLESS_MAIN(TestDebugPorts)
#include "tst_debug_ports.moc"
