// CHAR_STREAM connecting a serial port to a named host stream: guest output
// reaches the host stream, host input reaches the guest's receiver with its
// interrupt, a full host stream never blocks the guest, and every bad
// configuration is refused with the element path.
#include "vm_harness.h"

#include <chkpt/snapshot.h>
#include <devices/char_stream.h>
#include <devices/serial_16550.h>

#include <QtTest>

using namespace v3;
using devices::CharStream;
using devices::Serial16550;

namespace {

constexpr u16 kCom1 = 0x3f8, kCom2 = 0x2f8;
constexpr u16 RBR = 0, THR = 0, IER = 1, IIR = 2, MCR = 4, LSR = 5;
constexpr u8 OUT2 = 0x08;

const QByteArray kSerial = R"(<device class="SERIAL" id="serial"/>)";

QByteArray stream_device(const QByteArray& id, const QByteArray& name, const QByteArray& port) {
    return "<device class=\"CHAR_STREAM\" id=\"" + id + "\" name=\"" + name +
           "\"><frontend tag=\"serial\" com_port=\"" + port + "\"/></device>";
}

std::unique_ptr<testvm::TestVm> make_com1_vm() {
    auto t = testvm::make_vm(kSerial + stream_device("stream1", "com1", "1"));
    if (!t->ok())
        qFatal("cannot build the test VM: %s", qPrintable(t->error));
    return t;
}

CharStream& stream_of(testvm::TestVm& t, const char* id = "stream1") {
    return *static_cast<CharStream*>(t.vm->devices().find(id));
}

Serial16550& serial_of(testvm::TestVm& t) {
    return *static_cast<Serial16550*>(t.vm->devices().find("serial"));
}

void guest_writes(testvm::TestVm& t, u16 base, const QByteArray& text) {
    for (char c : text) {
        QVERIFY(t.out(base + THR, u8(c)));
        QCOMPARE(t.in(base + LSR) & 0x20u, 0x20u); // THR empty again: never blocked
    }
}

// Builds a VM the way the harness does, but with the given stream provider
// (nullptr: a host without streams). Returns the error, empty on success.
QString build_with_provider(const QByteArray& devices_xml, StreamProvider* streams) {
    testvm::install_host();
    QByteArray text = testvm::wrap_devices(devices_xml);
    config::Diagnostic diag;
    auto parsed = config::parse_vm_config(StringView(text.constData(), usize(text.size())),
                                          devices::known_class_names(),
                                          devices::validate_device_config, diag);
    if (parsed.is_error())
        return "config: " + QString::fromUtf8(diag.message);
    VmEnvironment env;
    env.streams = streams;
    auto vm = Vm::try_create("test", parsed.value(), env, diag);
    if (vm.is_error())
        return QString::fromUtf8(diag.message[0] ? diag.message : vm.error().message);
    return {};
}

} // namespace

class TestCharStream : public QObject {
    Q_OBJECT

private slots:
    void guestOutputReachesTheHostStream();
    void hostInputReachesRbrWithIrq4();
    void hostInputWaitsWhileTheReceiverIsFull();
    void fullHostStreamDropsAndCounts();
    void twoStreamsOnTwoPorts();
    void streamClosesWithTheVm();
    void bufferedInputSurvivesSaveAndLoad();
    void rejectsBadConfigurations_data();
    void rejectsBadConfigurations();
    void rejectsAFrontendWithoutCharacterSupport();
    void hostWithoutStreams();
    void hostRefusingTheStream();
};

void TestCharStream::guestOutputReachesTheHostStream() {
    auto t = make_com1_vm();
    guest_writes(*t, kCom1, "hello\n");
    QCOMPARE(t->streams.output.value("com1"), QByteArray("hello\n"));
    QCOMPARE(stream_of(*t).bytes_to_host(), u64(6));
    QCOMPARE(stream_of(*t).bytes_dropped(), u64(0));
    QCOMPARE(serial_of(*t).port(0).tx_dropped(), u64(0));
    // Other ports are not connected to it.
    guest_writes(*t, kCom2, "x");
    QCOMPARE(t->streams.output.value("com1"), QByteArray("hello\n"));
}

void TestCharStream::hostInputReachesRbrWithIrq4() {
    auto t = make_com1_vm();
    QVERIFY(t->out(kCom1 + IER, 0x01));
    QVERIFY(t->out(kCom1 + MCR, OUT2));
    QVERIFY(!t->vm->irqs().is_raised(4));
    QCOMPARE(t->streams.send("com1", "A"), usize(1));
    QVERIFY(t->vm->irqs().is_raised(4));
    QCOMPARE(t->irqs.raises(4), 1);
    QCOMPARE(t->in(kCom1 + IIR), 0x04u);
    QCOMPARE(t->in(kCom1 + LSR), 0x61u);
    QCOMPARE(t->in(kCom1 + RBR), u32('A'));
    QVERIFY(!t->vm->irqs().is_raised(4));
    QCOMPARE(t->in(kCom1 + LSR), 0x60u);
}

// The UART's receiver holds one byte in character mode; the rest of the
// host's input waits in the stream and follows as the guest reads.
void TestCharStream::hostInputWaitsWhileTheReceiverIsFull() {
    auto t = make_com1_vm();
    QVERIFY(t->out(kCom1 + IER, 0x01));
    QVERIFY(t->out(kCom1 + MCR, OUT2));
    QCOMPARE(t->streams.send("com1", "xyz"), usize(3));
    QCOMPARE(stream_of(*t).pending_input(), usize(2));
    QString received;
    for (int i = 0; i < 3; ++i) {
        QVERIFY(t->vm->irqs().is_raised(4));
        received += QChar(char(t->in(kCom1 + RBR)));
        QVERIFY(!t->vm->irqs().is_raised(4));
        QVERIFY(!t->vm->clock().advance(100000).is_error());
    }
    QCOMPARE(received, QString("xyz"));
    QCOMPARE(stream_of(*t).pending_input(), usize(0));
    QCOMPARE(t->in(kCom1 + LSR), 0x60u); // never an overrun
    QVERIFY(!t->vm->irqs().is_raised(4));

    // Input arrives in order even when new bytes come while some wait.
    QCOMPARE(t->streams.send("com1", "12"), usize(2));
    QCOMPARE(t->streams.send("com1", "3"), usize(1));
    QString ordered;
    for (int i = 0; i < 3; ++i) {
        ordered += QChar(char(t->in(kCom1 + RBR)));
        QVERIFY(!t->vm->clock().advance(100000).is_error());
    }
    QCOMPARE(ordered, QString("123"));

    // What neither the receiver nor the buffer can hold stays with the host.
    const usize room = 1 + devices::kStreamInputBufferSize;
    QCOMPARE(t->streams.send("com1", QByteArray(int(room) + 50, 'q')), room);
    QCOMPARE(t->streams.send("com1", "more"), usize(0));
}

void TestCharStream::fullHostStreamDropsAndCounts() {
    auto t = make_com1_vm();
    t->streams.capacity = 3;
    guest_writes(*t, kCom1, "hello");
    QCOMPARE(t->streams.output.value("com1"), QByteArray("hel"));
    QCOMPARE(stream_of(*t).bytes_to_host(), u64(3));
    QCOMPARE(stream_of(*t).bytes_dropped(), u64(2));
    QCOMPARE(serial_of(*t).port(0).tx_dropped(), u64(2));
    // Once the host drains its side, output flows again.
    t->streams.capacity = -1;
    guest_writes(*t, kCom1, "!");
    QCOMPARE(t->streams.output.value("com1"), QByteArray("hel!"));
}

void TestCharStream::twoStreamsOnTwoPorts() {
    auto t = testvm::make_vm(kSerial + stream_device("s1", "com1", "1") +
                             stream_device("s2", "console.2", "2"));
    QVERIFY2(t->ok(), qPrintable(t->error));
    guest_writes(*t, kCom1, "one");
    guest_writes(*t, kCom2, "two");
    QCOMPARE(t->streams.output.value("com1"), QByteArray("one"));
    QCOMPARE(t->streams.output.value("console.2"), QByteArray("two"));
    QCOMPARE(t->streams.send("console.2", "b"), usize(1));
    QCOMPARE(t->in(kCom2 + RBR), u32('b'));
    QCOMPARE(t->in(kCom1 + LSR), 0x60u);
}

void TestCharStream::streamClosesWithTheVm() {
    auto t = make_com1_vm();
    QVERIFY(t->streams.closed.isEmpty());
    t->vm.reset();
    QCOMPARE(t->streams.closed, QStringList{"com1"});
}

void TestCharStream::bufferedInputSurvivesSaveAndLoad() {
    auto a = make_com1_vm();
    QCOMPARE(a->streams.send("com1", "abc"), usize(3));
    Vector<u8> bytes;
    chkpt::Writer writer(bytes);
    QVERIFY(!a->vm->devices().save(writer).is_error());

    auto b = make_com1_vm();
    chkpt::Reader reader(bytes.begin(), bytes.size());
    QVERIFY(!b->vm->devices().load(reader).is_error());
    QString received;
    for (int i = 0; i < 3; ++i) {
        received += QChar(char(b->in(kCom1 + RBR)));
        QVERIFY(!b->vm->clock().advance(100000).is_error());
    }
    QCOMPARE(received, QString("abc"));

    // A snapshot claiming more buffered input than fits is refused.
    Vector<u8> bad;
    chkpt::Writer bad_writer(bad);
    QVERIFY(!bad_writer.u8_(1).is_error());
    QVERIFY(!bad_writer.u16_(u16(devices::kStreamInputBufferSize + 1)).is_error());
    chkpt::Reader bad_reader(bad.begin(), bad.size());
    QVERIFY(stream_of(*b).load(bad_reader).is_error());
}

void TestCharStream::rejectsBadConfigurations_data() {
    QTest::addColumn<QByteArray>("devices");
    QTest::addColumn<QString>("error");
    const QByteArray serial = kSerial;
    QTest::newRow("name with a space")
        << serial + stream_device("s", "com 1", "1")
        << QString(
               "/vm/devices/device[2] (id=s): stream name 'com 1' is invalid: use only letters, "
               "digits, '_', '.' and '-'");
    QTest::newRow("name with a slash")
        << serial + stream_device("s", "../com1", "1")
        << QString(
               "/vm/devices/device[2] (id=s): stream name '../com1' is invalid: use only letters, "
               "digits, '_', '.' and '-'");
    QTest::newRow("empty name") << serial + stream_device("s", "", "1")
                                << QString(
                                       "/vm/devices/device[2] (id=s): 'name' must not be empty");
    QTest::newRow("name too long")
        << serial + stream_device("s", QByteArray(32, 'n'), "1")
        << QString("/vm/devices/device[2] (id=s): stream name '" + QString(32, 'n') +
                   "' is 32 characters long; at most 31 are allowed");
    QTest::newRow("no name")
        << serial +
               R"(<device class="CHAR_STREAM" id="s"><frontend tag="serial" com_port="1"/></device>)"
        << QString("/vm/devices/device[2] (id=s): missing 'name' (an attribute or a <name> child "
                   "element)");
    QTest::newRow("no frontend")
        << serial + R"(<device class="CHAR_STREAM" id="s" name="com1"/>)"
        << QString(
               "/vm/devices/device[2] (id=s): missing <frontend tag=\"DEVICE-ID\"/>: a CHAR_STREAM "
               "must name the device it connects to");
    QTest::newRow("two frontends")
        << serial +
               R"(<device class="CHAR_STREAM" id="s" name="com1"><frontend tag="serial" com_port="1"/><frontend tag="serial" com_port="2"/></device>)"
        << QString(
               "/vm/devices/device[2] (id=s): a CHAR_STREAM connects to one frontend; 2 are given");
    QTest::newRow("com_port 0")
        << serial + stream_device("s", "com1", "0")
        << QString("/vm/devices/device[2]/frontend: 'com_port' value '0' is out of range [1, 4]");
    QTest::newRow("com_port 5")
        << serial + stream_device("s", "com1", "5")
        << QString("/vm/devices/device[2]/frontend: 'com_port' value '5' is out of range [1, 4]");
    QTest::newRow("com_port not a number") << serial + stream_device("s", "com1", "one")
                                           << QString("/vm/devices/device[2]/frontend: 'com_port' "
                                                      "value 'one' is not a number (use decimal "
                                                      "or 0x hex)");
    QTest::newRow("com_port missing")
        << serial +
               R"(<device class="CHAR_STREAM" id="s" name="com1"><frontend tag="serial"/></device>)"
        << QString(
               "/vm/devices/device[2]/frontend: missing 'com_port' (an attribute or a <com_port> "
               "child element)");
    QTest::newRow("two streams on COM1")
        << serial + stream_device("s1", "com1", "1") + stream_device("s2", "other", "1")
        << QString(
               "/vm/devices/device[3]/frontend: COM1 of serial device 'serial' is already attached "
               "to device 's1'");
    QTest::newRow("same stream name twice")
        << serial + stream_device("s1", "com1", "1") + stream_device("s2", "com1", "2")
        << QString(
               "/vm/devices/device[3] (id=s2): stream name 'com1' is already used by device 's1'");
    QTest::newRow("frontend declared later")
        << stream_device("s", "com1", "1") + serial
        << QString(
               "/vm/devices/device[1] (id=s): frontend 'serial' is declared after it (devices may "
               "only refer to earlier devices)");
}

void TestCharStream::rejectsBadConfigurations() {
    QFETCH(QByteArray, devices);
    QFETCH(QString, error);
    auto t = testvm::make_vm(devices);
    QVERIFY(!t->ok());
    QCOMPARE(t->error, error);
}

void TestCharStream::rejectsAFrontendWithoutCharacterSupport() {
    auto t = testvm::make_vm(
        kSerial + stream_device("s1", "com1", "1") +
        R"(<device class="CHAR_STREAM" id="s2" name="com2"><frontend tag="s1"/></device>)");
    QVERIFY(!t->ok());
    // The device's own wording comes from the framework (devices/device.cpp).
    QVERIFY2(t->error.startsWith("/vm/devices/device[3]/frontend: "), qPrintable(t->error));
    QVERIFY2(t->error.endsWith("has no character frontend"), qPrintable(t->error));
}

void TestCharStream::hostWithoutStreams() {
    QCOMPARE(build_with_provider(kSerial + stream_device("s", "com1", "1"), nullptr),
             QString("/vm/devices/device[2] (id=s): cannot open stream 'com1': this host offers "
                     "no streams"));
    // A VM without CHAR_STREAM does not need streams.
    QCOMPARE(build_with_provider(kSerial, nullptr), QString());
}

void TestCharStream::hostRefusingTheStream() {
    testvm::MemoryStreams streams;
    streams.refuse << "com1";
    QCOMPARE(build_with_provider(kSerial + stream_device("s", "com1", "1"), &streams),
             QString("/vm/devices/device[2] (id=s): cannot open host stream 'com1': the host "
                     "refused this stream"));
    // Refused before the frontend was attached: nothing dangles; a retry works.
    streams.refuse.clear();
    QCOMPARE(build_with_provider(kSerial + stream_device("s", "com1", "1"), &streams), QString());
}

QTEST_APPLESS_MAIN(TestCharStream)
#include "tst_char_stream.moc"
