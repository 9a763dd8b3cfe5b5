// The SERIAL device (four NS16550A UARTs) driven as a guest drives it:
// through its I/O ports, with guest time moving for the character timeout,
// and host bytes arriving through its character frontend. Every check looks
// at registers the guest reads and at the IRQ lines it raises.
#include "vm_harness.h"

#include <chkpt/snapshot.h>
#include <config/xml.h>
#include <devices/serial_16550.h>

#include <QtTest>

using namespace v3;
using devices::Serial16550;
using devices::Uart16550;

namespace {

constexpr u16 kCom1 = 0x3f8;
constexpr u16 kCom3 = 0x3e8;

// Register offsets.
constexpr u16 RBR = 0, THR = 0, DLL = 0, IER = 1, DLM = 1, IIR = 2, FCR = 2, LCR = 3, MCR = 4,
              LSR = 5, MSR = 6, SCR = 7;

// MCR bits.
constexpr u8 DTR = 0x01, RTS = 0x02, OUT1 = 0x04, OUT2 = 0x08, LOOP = 0x10;

// A backend that takes at most `room` bytes in total.
class LimitedBackend : public devices::CharBackend {
public:
    usize write_to_host(const u8* data, usize size) override {
        usize take = size < room ? size : room;
        received.append(reinterpret_cast<const char*>(data), qsizetype(take));
        room -= take;
        return take;
    }
    QByteArray received;
    usize room = 1000;
};

std::unique_ptr<testvm::TestVm> make_serial_vm() {
    auto t = testvm::make_vm(R"(<device class="SERIAL" id="serial"/>)");
    if (!t->ok())
        qFatal("cannot build the test VM: %s", qPrintable(t->error));
    return t;
}

Serial16550& serial_of(testvm::TestVm& t) {
    return *static_cast<Serial16550*>(t.vm->devices().find("serial"));
}

QByteArray host_bytes(Uart16550& uart, const QByteArray& bytes, usize* accepted = nullptr) {
    usize n =
        uart.receive_from_host(reinterpret_cast<const u8*>(bytes.constData()), usize(bytes.size()));
    if (accepted)
        *accepted = n;
    return bytes.left(qsizetype(n));
}

} // namespace

class TestSerial16550 : public QObject {
    Q_OBJECT

private slots:
    void resetState_data();
    void resetState();
    void portsAndIrqsOfAllFour_data();
    void portsAndIrqsOfAllFour();
    void divisorLatchSharesRbrAndIer();
    void lineControlReadsBack();
    void scratchRegisterHoldsEveryValue();
    void wideAccessesAreSplitIntoBytes();
    void transmitGoesToTheBackendAtOnce();
    void transmitWithoutRoomIsDroppedAndCounted();
    void loopbackEchoesTransmitToReceive();
    void loopbackDrivesModemInputsFromMcr();
    void modemStatusInterruptClearsOnMsrRead();
    void lineStatusErrorsClearOnLsrRead();
    void overrunInCharacterModeReplacesRbr();
    void overrunInFifoModeKeepsTheFifo();
    void fifoControlEnablesAndClears();
    void receiveTriggerLevels_data();
    void receiveTriggerLevels();
    void characterTimeoutAfterFourCharacterTimes();
    void characterTimeFollowsLineSettings();
    void interruptPriorities();
    void thrEmptyInterruptRules();
    void out2GatesTheIrqLine();
    void comPortsSharingALineAreWiredOr();
    void hostInputFillsOnlyFreeReceiverSpace();
    void attachByComPort();
    void saveAndLoadMidTransfer();
    void loadRejectsBadSnapshots();
};

void TestSerial16550::resetState_data() {
    QTest::addColumn<int>("base");
    QTest::newRow("COM1") << 0x3f8;
    QTest::newRow("COM2") << 0x2f8;
    QTest::newRow("COM3") << 0x3e8;
    QTest::newRow("COM4") << 0x2e8;
}

// NS16550A master-reset values; outside loopback the modem inputs are
// those of an always-present host (CTS, DSR and DCD asserted).
void TestSerial16550::resetState() {
    QFETCH(int, base);
    auto t = make_serial_vm();
    QCOMPARE(t->in(u16(base + IER)), 0x00u);
    QCOMPARE(t->in(u16(base + IIR)), 0x01u);
    QCOMPARE(t->in(u16(base + LCR)), 0x00u);
    QCOMPARE(t->in(u16(base + MCR)), 0x00u);
    QCOMPARE(t->in(u16(base + LSR)), 0x60u);
    QCOMPARE(t->in(u16(base + MSR)), 0xb0u);
    QCOMPARE(t->in(u16(base + SCR)), 0x00u);
    QVERIFY(t->irqs.changes.isEmpty());
}

void TestSerial16550::portsAndIrqsOfAllFour_data() {
    QTest::addColumn<int>("base");
    QTest::addColumn<int>("irq");
    QTest::addColumn<int>("index");
    QTest::newRow("COM1") << 0x3f8 << 4 << 0;
    QTest::newRow("COM2") << 0x2f8 << 3 << 1;
    QTest::newRow("COM3") << 0x3e8 << 4 << 2;
    QTest::newRow("COM4") << 0x2e8 << 3 << 3;
}

void TestSerial16550::portsAndIrqsOfAllFour() {
    QFETCH(int, base);
    QFETCH(int, irq);
    QFETCH(int, index);
    auto t = make_serial_vm();
    // Exactly eight ports each.
    QVERIFY(t->vm->io_ports().is_claimed(u16(base)));
    QVERIFY(t->vm->io_ports().is_claimed(u16(base + 7)));
    QVERIFY(!t->vm->io_ports().is_claimed(u16(base + 8)));
    QVERIFY(!t->vm->io_ports().is_claimed(u16(base - 1)));

    // The four ports are independent UARTs.
    const u16 bases[4] = {0x3f8, 0x2f8, 0x3e8, 0x2e8};
    for (int i = 0; i < 4; ++i)
        QVERIFY(t->out(u16(bases[i] + SCR), u32(0x10 + i)));
    QCOMPARE(t->in(u16(base + SCR)), u32(0x10 + index));

    // THR-empty enabled with OUT2: the port's own IRQ rises, no other.
    QVERIFY(t->out(u16(base + MCR), OUT2));
    QVERIFY(t->out(u16(base + IER), 0x02));
    QCOMPARE(t->irqs.changes.size(), 1);
    QVERIFY(t->irqs.changes[0].raised);
    QCOMPARE(int(t->irqs.changes[0].line), irq);

    // Transmit goes out of this port only.
    LimitedBackend backend;
    serial_of(*t).port(unsigned(index)).set_backend(&backend);
    QVERIFY(t->out(u16(base + THR), 'z'));
    QCOMPARE(backend.received, QByteArray("z"));
}

void TestSerial16550::divisorLatchSharesRbrAndIer() {
    auto t = make_serial_vm();
    Uart16550& com1 = serial_of(*t).port(0);
    LimitedBackend backend;
    com1.set_backend(&backend);

    QVERIFY(t->out(kCom1 + LCR, 0x83)); // DLAB, 8N1
    QVERIFY(t->out(kCom1 + DLL, 0x0c));
    QVERIFY(t->out(kCom1 + DLM, 0x01));
    QCOMPARE(t->in(kCom1 + DLL), 0x0cu);
    QCOMPARE(t->in(kCom1 + DLM), 0x01u);
    QCOMPARE(com1.divisor(), u16(0x010c));
    QVERIFY(backend.received.isEmpty()); // writing DLL is not transmitting
    QCOMPARE(t->in(kCom1 + IIR), 0x01u); // nor is DLM enabling interrupts

    QVERIFY(t->out(kCom1 + LCR, 0x03)); // DLAB off: offsets 0/1 are RBR/THR and IER again
    QCOMPARE(t->in(kCom1 + IER), 0x00u);
    QVERIFY(t->out(kCom1 + IER, 0x05));
    QCOMPARE(t->in(kCom1 + IER), 0x05u);
    QVERIFY(t->out(kCom1 + THR, 'q'));
    QCOMPARE(backend.received, QByteArray("q"));

    QVERIFY(t->out(kCom1 + LCR, 0x83)); // the latch kept its value
    QCOMPARE(t->in(kCom1 + DLL), 0x0cu);
    QCOMPARE(t->in(kCom1 + DLM), 0x01u);
    // IER's reserved high bits read as zero.
    QVERIFY(t->out(kCom1 + LCR, 0x03));
    QVERIFY(t->out(kCom1 + IER, 0xf0));
    QCOMPARE(t->in(kCom1 + IER), 0x00u);
}

void TestSerial16550::lineControlReadsBack() {
    auto t = make_serial_vm();
    for (u32 value : {0x00u, 0x03u, 0x1bu, 0x3fu, 0x47u, 0x7fu, 0x80u, 0xffu}) {
        QVERIFY(t->out(kCom1 + LCR, value));
        QCOMPARE(t->in(kCom1 + LCR), value);
    }
    // MCR keeps its five defined bits only.
    QVERIFY(t->out(kCom1 + MCR, 0xff));
    QCOMPARE(t->in(kCom1 + MCR), 0x1fu);
}

void TestSerial16550::scratchRegisterHoldsEveryValue() {
    auto t = make_serial_vm();
    for (u32 value = 0; value < 256; ++value) {
        QVERIFY(t->out(kCom1 + SCR, value));
        QCOMPARE(t->in(kCom1 + SCR), value);
    }
    QCOMPARE(t->in(kCom1 + IIR), 0x01u); // the scratch register touches nothing else
}

void TestSerial16550::wideAccessesAreSplitIntoBytes() {
    auto t = make_serial_vm();
    QVERIFY(t->out(kCom1 + LCR, 0x80));
    QVERIFY(t->out(kCom1 + DLL, 0x3412, 2)); // DLL then DLM
    QCOMPARE(t->in(kCom1 + DLL, 2), 0x3412u);
    QVERIFY(t->out(kCom1 + LCR, 0x03));
    QVERIFY(t->out(kCom1 + SCR - 1, 0x5a00, 2)); // MSR (read-only) then SCR
    QCOMPARE(t->in(kCom1 + SCR), 0x5au);
    // A 16-bit read at the last register floats the byte past the UART.
    QCOMPARE(t->in(kCom1 + SCR, 2), 0xff5au);
}

void TestSerial16550::transmitGoesToTheBackendAtOnce() {
    auto t = make_serial_vm();
    Uart16550& com1 = serial_of(*t).port(0);
    LimitedBackend backend;
    com1.set_backend(&backend);
    for (char c : QByteArray("guest")) {
        QVERIFY(t->out(kCom1 + THR, u8(c)));
        // THR and the transmitter are empty again before the guest looks.
        QCOMPARE(t->in(kCom1 + LSR) & 0x60u, 0x60u);
    }
    QCOMPARE(backend.received, QByteArray("guest"));
    QCOMPARE(com1.tx_bytes(), u64(5));
    QCOMPARE(com1.tx_dropped(), u64(0));
}

void TestSerial16550::transmitWithoutRoomIsDroppedAndCounted() {
    auto t = make_serial_vm();
    Uart16550& com1 = serial_of(*t).port(0);
    // No backend: the port still works, bytes vanish and are counted.
    for (int i = 0; i < 3; ++i)
        QVERIFY(t->out(kCom1 + THR, 'a'));
    QCOMPARE(com1.tx_dropped(), u64(3));
    QCOMPARE(t->in(kCom1 + LSR), 0x60u);

    LimitedBackend backend;
    backend.room = 2;
    com1.set_backend(&backend);
    for (char c : QByteArray("abcde"))
        QVERIFY(t->out(kCom1 + THR, u8(c)));
    QCOMPARE(backend.received, QByteArray("ab"));
    QCOMPARE(com1.tx_dropped(), u64(3 + 3));
    QCOMPARE(t->in(kCom1 + LSR), 0x60u); // never a full transmitter
}

void TestSerial16550::loopbackEchoesTransmitToReceive() {
    auto t = make_serial_vm();
    Uart16550& com1 = serial_of(*t).port(0);
    LimitedBackend backend;
    com1.set_backend(&backend);
    QVERIFY(t->out(kCom1 + MCR, LOOP));
    QVERIFY(t->out(kCom1 + THR, 'L'));
    QCOMPARE(t->in(kCom1 + LSR), 0x61u); // data ready
    QCOMPARE(t->in(kCom1 + RBR), u32('L'));
    QCOMPARE(t->in(kCom1 + LSR), 0x60u);
    QVERIFY(backend.received.isEmpty()); // the serial output is held off the line
    QCOMPARE(com1.tx_dropped(), u64(0));
    // The serial input is disconnected too: host bytes are not taken.
    usize accepted = 99;
    host_bytes(com1, "h", &accepted);
    QCOMPARE(accepted, usize(0));

    QVERIFY(t->out(kCom1 + MCR, 0)); // back to normal operation
    QVERIFY(t->out(kCom1 + THR, 'N'));
    QCOMPARE(backend.received, QByteArray("N"));
    QCOMPARE(t->in(kCom1 + LSR), 0x60u);
}

void TestSerial16550::loopbackDrivesModemInputsFromMcr() {
    auto t = make_serial_vm();
    QCOMPARE(t->in(kCom1 + MSR), 0xb0u);
    // Entering loopback with every output off: CTS, DSR, DCD drop.
    QVERIFY(t->out(kCom1 + MCR, LOOP));
    QCOMPARE(t->in(kCom1 + MSR), 0x0bu); // DCTS, DDSR, DDCD; all inputs low
    QCOMPARE(t->in(kCom1 + MSR), 0x00u); // deltas clear on read
    QVERIFY(t->out(kCom1 + MCR, LOOP | RTS));
    QCOMPARE(t->in(kCom1 + MSR), 0x11u); // CTS follows RTS
    QVERIFY(t->out(kCom1 + MCR, LOOP | RTS | DTR));
    QCOMPARE(t->in(kCom1 + MSR), 0x32u); // DSR follows DTR
    QVERIFY(t->out(kCom1 + MCR, LOOP | RTS | DTR | OUT1));
    QCOMPARE(t->in(kCom1 + MSR), 0x70u); // RI rising: no TERI
    QVERIFY(t->out(kCom1 + MCR, LOOP | RTS | DTR | OUT1 | OUT2));
    QCOMPARE(t->in(kCom1 + MSR), 0xf8u); // DCD follows OUT2
    QVERIFY(t->out(kCom1 + MCR, LOOP | RTS | DTR | OUT2));
    QCOMPARE(t->in(kCom1 + MSR), 0xb4u); // RI falling: trailing edge
    QCOMPARE(t->in(kCom1 + MSR), 0xb0u);
    // Leaving loopback: the host's lines again (all already as they were).
    QVERIFY(t->out(kCom1 + MCR, 0));
    QCOMPARE(t->in(kCom1 + MSR), 0xb0u);
}

void TestSerial16550::modemStatusInterruptClearsOnMsrRead() {
    auto t = make_serial_vm();
    QVERIFY(t->out(kCom1 + IER, 0x08));
    QVERIFY(t->out(kCom1 + MCR, LOOP | OUT2 | RTS));
    QCOMPARE(t->in(kCom1 + IIR), 0x00u); // modem status pending (DDSR)
    QVERIFY(t->vm->irqs().is_raised(4));
    QCOMPARE(t->in(kCom1 + MSR), 0x92u); // CTS, DCD; DSR dropped
    QCOMPARE(t->in(kCom1 + IIR), 0x01u);
    QVERIFY(!t->vm->irqs().is_raised(4));
    // Disabled, a delta stays in MSR but does not interrupt.
    QVERIFY(t->out(kCom1 + IER, 0x00));
    QVERIFY(t->out(kCom1 + MCR, LOOP | OUT2));
    QCOMPARE(t->in(kCom1 + IIR), 0x01u);
    QCOMPARE(t->in(kCom1 + MSR), 0x81u);
}

void TestSerial16550::lineStatusErrorsClearOnLsrRead() {
    auto t = make_serial_vm();
    QVERIFY(t->out(kCom1 + IER, 0x04));
    QVERIFY(t->out(kCom1 + MCR, LOOP | OUT2));
    QVERIFY(t->out(kCom1 + THR, 1));
    QVERIFY(!t->vm->irqs().is_raised(4)); // data alone: line status only is enabled
    QVERIFY(t->out(kCom1 + THR, 2));      // overrun
    QCOMPARE(t->in(kCom1 + IIR), 0x06u);
    QVERIFY(t->vm->irqs().is_raised(4));
    QCOMPARE(t->in(kCom1 + LSR), 0x63u); // DR, OE, THRE, TEMT
    QVERIFY(!t->vm->irqs().is_raised(4));
    QCOMPARE(t->in(kCom1 + LSR), 0x61u); // OE cleared by the read, DR stays
    QCOMPARE(t->in(kCom1 + IIR), 0x01u);
}

void TestSerial16550::overrunInCharacterModeReplacesRbr() {
    auto t = make_serial_vm();
    QVERIFY(t->out(kCom1 + MCR, LOOP));
    QVERIFY(t->out(kCom1 + THR, 'a'));
    QVERIFY(t->out(kCom1 + THR, 'b'));
    QCOMPARE(t->in(kCom1 + LSR), 0x63u);
    QCOMPARE(t->in(kCom1 + RBR), u32('b'));
    QCOMPARE(t->in(kCom1 + LSR), 0x60u);
    // An empty receiver shows the last character again.
    QCOMPARE(t->in(kCom1 + RBR), u32('b'));
}

void TestSerial16550::overrunInFifoModeKeepsTheFifo() {
    auto t = make_serial_vm();
    QVERIFY(t->out(kCom1 + FCR, 0x01));
    QVERIFY(t->out(kCom1 + MCR, LOOP));
    for (int i = 0; i < 16; ++i)
        QVERIFY(t->out(kCom1 + THR, u32('A' + i)));
    QCOMPARE(t->in(kCom1 + LSR), 0x61u); // 16 fit
    QVERIFY(t->out(kCom1 + THR, '!'));
    QCOMPARE(t->in(kCom1 + LSR), 0x63u); // the 17th overruns
    for (int i = 0; i < 16; ++i)
        QCOMPARE(t->in(kCom1 + RBR), u32('A' + i));
    QCOMPARE(t->in(kCom1 + LSR), 0x60u);
}

void TestSerial16550::fifoControlEnablesAndClears() {
    auto t = make_serial_vm();
    Uart16550& com1 = serial_of(*t).port(0);
    QVERIFY(t->out(kCom1 + FCR, 0x01));
    QCOMPARE(t->in(kCom1 + IIR), 0xc1u); // bits 6-7: FIFOs enabled
    QVERIFY(t->out(kCom1 + MCR, LOOP));
    for (char c : QByteArray("abc"))
        QVERIFY(t->out(kCom1 + THR, u8(c)));
    QCOMPARE(com1.rx_count(), usize(3));
    // Clearing the transmitter FIFO leaves received data alone.
    QVERIFY(t->out(kCom1 + FCR, 0x05));
    QCOMPARE(com1.rx_count(), usize(3));
    // Clearing the receiver FIFO empties it (DR drops), FIFOs stay on.
    QVERIFY(t->out(kCom1 + FCR, 0x03));
    QCOMPARE(com1.rx_count(), usize(0));
    QCOMPARE(t->in(kCom1 + LSR), 0x60u);
    QCOMPARE(t->in(kCom1 + IIR), 0xc1u);
    // Leaving FIFO mode empties the FIFO too.
    QVERIFY(t->out(kCom1 + THR, 'x'));
    QVERIFY(t->out(kCom1 + THR, 'y'));
    QVERIFY(t->out(kCom1 + FCR, 0x00));
    QCOMPARE(t->in(kCom1 + IIR), 0x01u);
    QCOMPARE(t->in(kCom1 + LSR), 0x60u);
    // Character mode holds one byte.
    QVERIFY(t->out(kCom1 + THR, 'p'));
    QVERIFY(t->out(kCom1 + THR, 'q'));
    QCOMPARE(com1.rx_count(), usize(1));
    QCOMPARE(t->in(kCom1 + LSR), 0x63u);
}

void TestSerial16550::receiveTriggerLevels_data() {
    QTest::addColumn<int>("fcr");
    QTest::addColumn<int>("level");
    QTest::newRow("1 byte") << 0x01 << 1;
    QTest::newRow("4 bytes") << 0x41 << 4;
    QTest::newRow("8 bytes") << 0x81 << 8;
    QTest::newRow("14 bytes") << 0xc1 << 14;
}

void TestSerial16550::receiveTriggerLevels() {
    QFETCH(int, fcr);
    QFETCH(int, level);
    auto t = make_serial_vm();
    Uart16550& com1 = serial_of(*t).port(0);
    QVERIFY(t->out(kCom1 + FCR, u32(fcr)));
    QVERIFY(t->out(kCom1 + IER, 0x01));
    QVERIFY(t->out(kCom1 + MCR, OUT2));
    for (int i = 0; i < level - 1; ++i) {
        QCOMPARE(host_bytes(com1, QByteArray(1, char('0' + i))).size(), 1);
        QCOMPARE(t->in(kCom1 + IIR), 0xc1u);
        QVERIFY(!t->vm->irqs().is_raised(4));
    }
    QCOMPARE(t->in(kCom1 + LSR) & 1u, level > 1 ? 1u : 0u);
    QCOMPARE(host_bytes(com1, "T").size(), 1);
    QCOMPARE(t->in(kCom1 + IIR), 0xc4u); // received data available
    QVERIFY(t->vm->irqs().is_raised(4));
    // One read takes the FIFO below the trigger level: the interrupt ends.
    QCOMPARE(t->in(kCom1 + RBR), level > 1 ? u32('0') : u32('T'));
    QCOMPARE(t->in(kCom1 + IIR), 0xc1u);
    QVERIFY(!t->vm->irqs().is_raised(4));
}

void TestSerial16550::characterTimeoutAfterFourCharacterTimes() {
    auto t = make_serial_vm();
    Uart16550& com1 = serial_of(*t).port(0);
    QVERIFY(t->out(kCom1 + LCR, 0x83));
    QVERIFY(t->out(kCom1 + DLL, 1)); // 115200 baud
    QVERIFY(t->out(kCom1 + DLM, 0));
    QVERIFY(t->out(kCom1 + LCR, 0x03)); // 8N1: 10 bits a character
    QVERIFY(t->out(kCom1 + FCR, 0xc1)); // trigger at 14
    QVERIFY(t->out(kCom1 + IER, 0x01));
    QVERIFY(t->out(kCom1 + MCR, OUT2));
    const u64 four_chars = 4 * 10 * 1000000000ull / 115200; // 347222 ns
    QCOMPARE(com1.character_timeout_ns(), four_chars);

    QCOMPARE(host_bytes(com1, "abc").size(), 3);
    QVERIFY(t->vm->clock().advance(four_chars - 1000).is_error() == false);
    QCOMPARE(t->in(kCom1 + IIR), 0xc1u);
    QVERIFY(!t->vm->irqs().is_raised(4));
    QVERIFY(!t->vm->clock().advance(1000).is_error());
    QCOMPARE(t->in(kCom1 + IIR), 0xccu); // character timeout
    QVERIFY(t->vm->irqs().is_raised(4));

    // Reading a character acknowledges the timeout and restarts the timer.
    QCOMPARE(t->in(kCom1 + RBR), u32('a'));
    QCOMPARE(t->in(kCom1 + IIR), 0xc1u);
    QVERIFY(!t->vm->irqs().is_raised(4));
    QVERIFY(!t->vm->clock().advance(four_chars / 2).is_error());
    // New input restarts it too.
    QCOMPARE(host_bytes(com1, "d").size(), 1);
    QVERIFY(!t->vm->clock().advance(four_chars - 1).is_error());
    QCOMPARE(t->in(kCom1 + IIR), 0xc1u);
    QVERIFY(!t->vm->clock().advance(1).is_error());
    QCOMPARE(t->in(kCom1 + IIR), 0xccu);
    for (char c : QByteArray("bcd"))
        QCOMPARE(t->in(kCom1 + RBR), u32(u8(c)));
    QCOMPARE(t->in(kCom1 + IIR), 0xc1u);
    // Empty: no timeout however long the line is idle.
    QVERIFY(!t->vm->clock().advance(10 * four_chars).is_error());
    QCOMPARE(t->in(kCom1 + IIR), 0xc1u);
    QVERIFY(!t->vm->irqs().is_raised(4));

    // In character mode there is no timeout: one byte is already "trigger".
    QVERIFY(t->out(kCom1 + FCR, 0x00));
    QVERIFY(t->out(kCom1 + IER, 0x00));
    QCOMPARE(host_bytes(com1, "e").size(), 1);
    QVERIFY(!t->vm->clock().advance(10 * four_chars).is_error());
    QCOMPARE(t->in(kCom1 + IIR), 0x01u);
}

void TestSerial16550::characterTimeFollowsLineSettings() {
    auto t = make_serial_vm();
    Uart16550& com1 = serial_of(*t).port(0);
    auto set_line = [&](u8 lcr, u16 divisor) {
        QVERIFY(t->out(kCom1 + LCR, 0x80));
        QVERIFY(t->out(kCom1 + DLL, divisor & 0xff));
        QVERIFY(t->out(kCom1 + DLM, divisor >> 8));
        QVERIFY(t->out(kCom1 + LCR, lcr));
    };
    set_line(0x03, 12); // 9600 8N1: 10 bits
    QCOMPARE(com1.character_timeout_ns(), 4 * 10 * 12 * 1000000000ull / 115200);
    set_line(0x1f, 12); // 8E2: 12 bits
    QCOMPARE(com1.character_timeout_ns(), 4 * 12 * 12 * 1000000000ull / 115200);
    set_line(0x04, 1); // 5N1.5: 7.5 bits
    QCOMPARE(com1.character_timeout_ns(), 4 * 15 * 1000000000ull / (2 * 115200));
    set_line(0x03, 0); // divisor 0 counts as 65536
    QCOMPARE(com1.character_timeout_ns(), 4 * 10 * 65536 * 1000000000ull / 115200);
}

// Line status > received data > THR empty > modem status, each cleared by
// its own rule.
void TestSerial16550::interruptPriorities() {
    auto t = make_serial_vm();
    QVERIFY(t->out(kCom1 + MCR, LOOP | OUT2)); // DSR/CTS drop: modem status delta
    QVERIFY(t->out(kCom1 + IER, 0x0f));        // THR empty too
    QVERIFY(t->out(kCom1 + THR, 'a'));         // data
    QVERIFY(t->out(kCom1 + THR, 'b'));         // overrun
    QVERIFY(t->vm->irqs().is_raised(4));
    QCOMPARE(t->in(kCom1 + IIR), 0x06u);
    QCOMPARE(t->in(kCom1 + IIR), 0x06u); // reading IIR clears only THRE
    QCOMPARE(t->in(kCom1 + LSR), 0x63u);
    QCOMPARE(t->in(kCom1 + IIR), 0x04u);
    QCOMPARE(t->in(kCom1 + RBR), u32('b'));
    QCOMPARE(t->in(kCom1 + IIR), 0x02u); // reported THRE: acknowledged by this read
    QCOMPARE(t->in(kCom1 + IIR), 0x00u);
    QVERIFY(t->vm->irqs().is_raised(4));
    QCOMPARE(t->in(kCom1 + MSR), 0x83u);
    QCOMPARE(t->in(kCom1 + IIR), 0x01u);
    QVERIFY(!t->vm->irqs().is_raised(4));
}

void TestSerial16550::thrEmptyInterruptRules() {
    auto t = make_serial_vm();
    QVERIFY(t->out(kCom1 + MCR, OUT2));
    // Enabling ETBEI while THR is empty interrupts at once.
    QVERIFY(t->out(kCom1 + IER, 0x02));
    QCOMPARE(t->irqs.raises(4), 1);
    QVERIFY(t->vm->irqs().is_raised(4));
    QCOMPARE(t->in(kCom1 + IIR), 0x02u);
    QVERIFY(!t->vm->irqs().is_raised(4)); // the IIR read acknowledged it
    QCOMPARE(t->in(kCom1 + IIR), 0x01u);

    // Each byte written leaves at once and THRE interrupts again: a fresh
    // edge per byte for the edge-triggered PIC.
    QVERIFY(t->out(kCom1 + THR, 'x'));
    QCOMPARE(t->irqs.raises(4), 2);
    QVERIFY(t->vm->irqs().is_raised(4));
    QVERIFY(t->out(kCom1 + THR, 'y')); // written while pending: lower, then raise
    QCOMPARE(t->irqs.raises(4), 3);
    const auto& c = t->irqs.changes;
    QVERIFY(c.size() >= 2);
    QVERIFY(!c[c.size() - 2].raised);
    QVERIFY(c[c.size() - 1].raised);

    // Disabling ETBEI drops the line; re-enabling raises it again.
    QVERIFY(t->out(kCom1 + IER, 0x00));
    QVERIFY(!t->vm->irqs().is_raised(4));
    QCOMPARE(t->in(kCom1 + IIR), 0x01u);
    QVERIFY(t->out(kCom1 + IER, 0x02));
    QVERIFY(t->vm->irqs().is_raised(4));
    // Rewriting IER with ETBEI already set is not a new enable.
    QCOMPARE(t->in(kCom1 + IIR), 0x02u);
    QVERIFY(t->out(kCom1 + IER, 0x02));
    QCOMPARE(t->in(kCom1 + IIR), 0x01u);
}

void TestSerial16550::out2GatesTheIrqLine() {
    auto t = make_serial_vm();
    QVERIFY(t->out(kCom1 + IER, 0x01));
    QCOMPARE(host_bytes(serial_of(*t).port(0), "k").size(), 1);
    QCOMPARE(t->in(kCom1 + IIR), 0x04u); // pending inside the UART...
    QVERIFY(t->irqs.changes.isEmpty());  // ...but OUT2 keeps it off the bus
    QVERIFY(t->out(kCom1 + MCR, OUT2));
    QVERIFY(t->vm->irqs().is_raised(4));
    QVERIFY(t->out(kCom1 + MCR, DTR | RTS)); // OUT2 off again
    QVERIFY(!t->vm->irqs().is_raised(4));
    QVERIFY(t->out(kCom1 + MCR, DTR | RTS | OUT2));
    QVERIFY(t->vm->irqs().is_raised(4));
    QCOMPARE(t->in(kCom1 + RBR), u32('k'));
    QVERIFY(!t->vm->irqs().is_raised(4));
    QCOMPARE(t->irqs.raises(4), 2);
    QCOMPARE(t->irqs.changes.size(), 4);
}

void TestSerial16550::comPortsSharingALineAreWiredOr() {
    auto t = make_serial_vm();
    QVERIFY(t->out(kCom1 + MCR, OUT2));
    QVERIFY(t->out(kCom3 + MCR, OUT2));
    QVERIFY(t->out(kCom1 + IER, 0x02));
    QVERIFY(t->out(kCom3 + IER, 0x02));
    QCOMPARE(t->irqs.raises(4), 1); // already high for COM1
    QCOMPARE(t->in(kCom1 + IIR), 0x02u);
    QVERIFY(t->vm->irqs().is_raised(4)); // COM3 still holds it
    QCOMPARE(t->in(kCom3 + IIR), 0x02u);
    QVERIFY(!t->vm->irqs().is_raised(4));
    QCOMPARE(t->irqs.changes.size(), 2);
}

void TestSerial16550::hostInputFillsOnlyFreeReceiverSpace() {
    auto t = make_serial_vm();
    Uart16550& com1 = serial_of(*t).port(0);
    usize accepted = 0;
    host_bytes(com1, "xyz", &accepted);
    QCOMPARE(accepted, usize(1));        // character mode: one byte, the rest stays with the host
    QCOMPARE(t->in(kCom1 + LSR), 0x61u); // no overrun
    QCOMPARE(t->in(kCom1 + RBR), u32('x'));
    QVERIFY(t->out(kCom1 + FCR, 0x01));
    host_bytes(com1, QByteArray(20, 'f'), &accepted);
    QCOMPARE(accepted, usize(16));
    host_bytes(com1, "g", &accepted);
    QCOMPARE(accepted, usize(0));
    QCOMPARE(t->in(kCom1 + LSR), 0x61u);
    QCOMPARE(t->in(kCom1 + RBR), u32('f'));
    host_bytes(com1, "gh", &accepted);
    QCOMPARE(accepted, usize(1));
}

void TestSerial16550::attachByComPort() {
    auto t = make_serial_vm();
    Serial16550& serial = serial_of(*t);
    auto attach = [&](const char* xml, devices::CharBackend& backend,
                      QString* error) -> devices::CharFrontend* {
        xml::ParseError parse_error;
        auto doc = xml::Document::parse(xml, parse_error);
        if (doc.is_error())
            qFatal("bad test XML");
        config::Diagnostic diag;
        auto r = serial.attach_char_backend(doc.value()->root(), backend, diag);
        *error = QString::fromUtf8(diag.message);
        return r.is_error() ? nullptr : r.value();
    };
    LimitedBackend first, second;
    QString error;
    devices::CharFrontend* frontend =
        attach(R"(<frontend tag="serial" com_port="2"/>)", first, &error);
    QCOMPARE(frontend, static_cast<devices::CharFrontend*>(&serial.port(1)));
    QVERIFY(t->out(0x2f8 + THR, 'c'));
    QCOMPARE(first.received, QByteArray("c"));

    QVERIFY(!attach(R"(<frontend tag="serial" com_port="2"/>)", second, &error));
    QCOMPARE(error, QString("/frontend: COM2 of serial device 'serial' already has a backend "
                            "attached"));
    QVERIFY(!attach(R"(<frontend tag="serial" com_port="5"/>)", second, &error));
    QCOMPARE(error, QString("/frontend: 'com_port' value '5' is out of range [1, 4]"));
    QVERIFY(!attach(R"(<frontend tag="serial" com_port="0"/>)", second, &error));
    QVERIFY(error.contains("'0' is out of range [1, 4]"));
    QVERIFY(!attach(R"(<frontend tag="serial"/>)", second, &error));
    QVERIFY(error.contains("missing 'com_port'"));
    QVERIFY(attach(R"(<frontend tag="serial" com_port="4"/>)", second, &error));
    QCOMPARE(serial.port(3).backend(), static_cast<devices::CharBackend*>(&second));
}

void TestSerial16550::saveAndLoadMidTransfer() {
    auto a = make_serial_vm();
    // COM1: 9600 7E1, FIFO trigger 8, five bytes received, timeout half run.
    QVERIFY(a->out(kCom1 + LCR, 0x80));
    QVERIFY(a->out(kCom1 + DLL, 12));
    QVERIFY(a->out(kCom1 + LCR, 0x1a));
    QVERIFY(a->out(kCom1 + FCR, 0x81));
    QVERIFY(a->out(kCom1 + IER, 0x03));
    QVERIFY(a->out(kCom1 + MCR, OUT2 | DTR | RTS));
    QVERIFY(a->out(kCom1 + SCR, 0x5a));
    QCOMPARE(host_bytes(serial_of(*a).port(0), "12345").size(), 5);
    QCOMPARE(a->in(kCom1 + RBR), u32('1'));
    QCOMPARE(a->in(kCom1 + IIR), 0xc2u); // acknowledge THRE: the line drops
    const u64 timeout = serial_of(*a).port(0).character_timeout_ns();
    QVERIFY(!a->vm->clock().advance(timeout / 2).is_error());
    // COM2: loopback with an overrun and a modem delta pending.
    QVERIFY(a->out(0x2f8 + MCR, LOOP | RTS));
    QVERIFY(a->out(0x2f8 + THR, 'p'));
    QVERIFY(a->out(0x2f8 + THR, 'q'));
    QVERIFY(a->out(0x2f8 + IER, 0x0d));
    // COM4: THRE pending with OUT2: IRQ 3 high.
    QVERIFY(a->out(0x2e8 + MCR, OUT2));
    QVERIFY(a->out(0x2e8 + IER, 0x02));
    QVERIFY(a->vm->irqs().is_raised(3));

    Vector<u8> bytes;
    chkpt::Writer writer(bytes);
    QVERIFY(!a->vm->devices().save(writer).is_error());

    auto b = make_serial_vm();
    chkpt::Reader reader(bytes.begin(), bytes.size());
    QVERIFY(!b->vm->devices().load(reader).is_error());
    // The restored state drives the lines: IRQ 3 for COM4, none for COM1.
    QVERIFY(b->vm->irqs().is_raised(3));
    QVERIFY(!b->vm->irqs().is_raised(4));

    for (auto* t : {a.get(), b.get()}) {
        QCOMPARE(t->in(kCom1 + LCR), 0x1au);
        QCOMPARE(t->in(kCom1 + IER), 0x03u);
        QCOMPARE(t->in(kCom1 + MCR), u32(OUT2 | DTR | RTS));
        QCOMPARE(t->in(kCom1 + SCR), 0x5au);
        QCOMPARE(t->in(kCom1 + LSR), 0x61u);
        QCOMPARE(t->in(kCom1 + IIR), 0xc1u); // 4 bytes: below the trigger of 8
        QVERIFY(t->out(kCom1 + LCR, 0x9a));
        QCOMPARE(t->in(kCom1 + DLL), 12u);
        QVERIFY(t->out(kCom1 + LCR, 0x1a));
        // The timeout resumes where it was: half a timeout more raises it.
        QVERIFY(!t->vm->clock().advance(timeout / 2 + 1).is_error());
        QCOMPARE(t->in(kCom1 + IIR), 0xccu);
        QVERIFY(t->vm->irqs().is_raised(4));
        for (char c : QByteArray("2345"))
            QCOMPARE(t->in(kCom1 + RBR), u32(u8(c)));
        QCOMPARE(t->in(kCom1 + LSR), 0x60u);

        QCOMPARE(t->in(0x2f8 + IIR), 0x06u);
        QCOMPARE(t->in(0x2f8 + LSR), 0x63u);
        QCOMPARE(t->in(0x2f8 + RBR), u32('q'));
        QCOMPARE(t->in(0x2f8 + MSR), 0x1au);
        QCOMPARE(t->in(0x2e8 + IIR), 0x02u);
        QVERIFY(!t->vm->irqs().is_raised(3));
    }
    QCOMPARE(serial_of(*b).port(0).divisor(), u16(12));
}

void TestSerial16550::loadRejectsBadSnapshots() {
    auto a = make_serial_vm();
    QVERIFY(a->out(kCom1 + FCR, 0x01));
    QCOMPARE(host_bytes(serial_of(*a).port(0), "abc").size(), 3);
    Vector<u8> good;
    chkpt::Writer writer(good);
    QVERIFY(!serial_of(*a).save(writer).is_error());

    auto b = make_serial_vm();
    QVERIFY(b->out(kCom1 + SCR, 0x77));
    // Layout: the version byte, then per UART: IER LCR MCR LSR-errors MSR SCR
    // DLL DLM fifo trigger thre timeout count, the FIFO bytes, last RBR, idle
    // time, transmit counters. COM1 (three bytes queued) takes 44 bytes.
    constexpr usize kCom1At = 1, kCom2At = kCom1At + 13 + 3 + 1 + 8 * 3;
    struct Corruption {
        usize offset;
        u8 value;
        const char* what;
    };
    const Corruption corruptions[] = {
        {0, 2, "unknown version"},
        {kCom1At + 0, 0x10, "IER reserved bits"},
        {kCom1At + 2, 0x20, "MCR reserved bits"},
        {kCom1At + 3, 0x01, "LSR bits that are not errors"},
        {kCom1At + 4, 0x00, "MSR inputs that MCR does not give"},
        {kCom1At + 9, 4, "trigger level"},
        {kCom1At + 12, 17, "17 bytes in the FIFO"},
        {kCom2At + 12, 2, "2 bytes in character mode"},
        {kCom2At + 11, 1, "a character timeout in character mode"},
    };
    for (const Corruption& c : corruptions) {
        Vector<u8> bad;
        for (u8 byte : good)
            QVERIFY(bad.try_append(u8(byte)));
        bad[c.offset] = c.value;
        chkpt::Reader reader(bad.begin(), bad.size());
        QVERIFY2(serial_of(*b).load(reader).is_error(), c.what);
        QCOMPARE(b->in(kCom1 + SCR), 0x77u); // nothing was changed
        QCOMPARE(b->in(kCom1 + IIR), 0x01u);
    }
    chkpt::Reader truncated(good.begin(), good.size() - 3);
    QVERIFY(serial_of(*b).load(truncated).is_error());
    QCOMPARE(b->in(kCom1 + SCR), 0x77u);
    // The unmodified snapshot loads.
    chkpt::Reader reader(good.begin(), good.size());
    QVERIFY(!serial_of(*b).load(reader).is_error());
    QVERIFY(reader.at_end());
    QCOMPARE(b->in(kCom1 + RBR), u32('a'));
}

QTEST_APPLESS_MAIN(TestSerial16550)
#include "tst_serial_16550.moc"
