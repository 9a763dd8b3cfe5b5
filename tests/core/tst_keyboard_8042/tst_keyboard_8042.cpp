// The KEYBOARD device (8042 controller, PS/2 keyboard and mouse) driven as a
// guest drives it: commands at port 0x64, data at 0x60, the status register
// polled for OBF and AUX data, host key and mouse events delivered as a
// console would, and IRQ 1 / IRQ 12 watched on a recording controller.
#include "vm_harness.h"

#include <chkpt/snapshot.h>
#include <devices/keyboard_8042.h>
#include <devices/scan_codes.h>

#include <QtTest>

using namespace v3;
using devices::Keyboard8042;
namespace i8042 = devices::i8042;

namespace {

constexpr u16 kData = 0x60;
constexpr u16 kCommand = 0x64;
constexpr u8 OBF = 0x01, SYS = 0x04, CMD = 0x08, UNLOCKED = 0x10, AUX = 0x20;

std::unique_ptr<testvm::TestVm> make_keyboard_vm() {
    auto t = testvm::make_vm(R"(<device class="KEYBOARD" id="kbd"/>)");
    if (!t->ok())
        qFatal("cannot build the test VM: %s", qPrintable(t->error));
    return t;
}

Keyboard8042& controller_of(testvm::TestVm& t) {
    return *static_cast<Keyboard8042*>(t.vm->devices().find("kbd"));
}

u8 status(testvm::TestVm& t) {
    return u8(t.in(kCommand));
}

// Reads every byte the controller has for the guest, as a polling driver
// does, as hex ("fa ab 41"); mouse bytes (status bit 5) are marked "m:".
QString drain(testvm::TestVm& t) {
    QStringList bytes;
    for (int guard = 0; guard < 256 && (status(t) & OBF); ++guard) {
        bool aux = status(t) & AUX;
        u8 byte = u8(t.in(kData));
        bytes << QString(aux ? "m:%1" : "%1").arg(byte, 2, 16, QChar('0'));
    }
    return bytes.join(' ');
}

void controller_command(testvm::TestVm& t, u8 command) {
    QVERIFY(t.out(kCommand, command));
}

void controller_command(testvm::TestVm& t, u8 command, u8 data) {
    QVERIFY(t.out(kCommand, command));
    QVERIFY(t.out(kData, data));
}

void write_command_byte(testvm::TestVm& t, u8 value) {
    controller_command(t, 0x60, value);
}

u8 read_command_byte(testvm::TestVm& t) {
    controller_command(t, 0x20);
    return u8(t.in(kData));
}

void to_mouse(testvm::TestVm& t, u8 byte) {
    controller_command(t, 0xd4, byte);
}

// Sends bytes to the mouse the way a driver does, reading the answer to
// each before sending the next (a new command cuts an unread answer short).
QString mouse(testvm::TestVm& t, std::initializer_list<int> bytes) {
    QStringList answers;
    for (int byte : bytes) {
        to_mouse(t, u8(byte));
        QString answer = drain(t);
        if (!answer.isEmpty())
            answers << answer;
    }
    return answers.join(' ');
}

void key(testvm::TestVm& t, u8 code) {
    QVERIFY(!t.vm->host_events().deliver(KeyboardEvent{0, code}).is_error());
}

void keys(testvm::TestVm& t, std::initializer_list<u8> codes) {
    for (u8 code : codes)
        key(t, code);
}

void mouse_packet(testvm::TestVm& t, u8 b0, u8 b1, u8 b2) {
    MouseEvent event{{b0, b1, b2}};
    QVERIFY(!t.vm->host_events().deliver(event).is_error());
}

// Command byte without translation, both interrupts on: the guest sees the
// keyboard's own scan code set.
constexpr u8 kNoTranslation = 0x07;

} // namespace

class TestKeyboard8042 : public QObject {
    Q_OBJECT

private slots:
    void powerOnState();
    void selfTestAndInterfaceTests();
    void commandByteReadsBackAndDrivesSystemFlag();
    void controllerRamReadsBack();
    void statusTracksLastPortWritten();
    void disableEnableCommandsSetCommandByteBits();
    void a20ThroughOutputPort();
    void a20ThroughHpCommands();
    void outputPortReadShowsBufferState();
    void pulseResetStopsTheVm();
    void outputPortResetBitStopsTheVm();
    void pulseWithoutResetLineKeepsRunning();
    void unknownControllerCommandIsIgnored();
    void writeOutputBufferCommands();
    void emptyBufferReadsLastByte();
    void keyboardResetIdentifyEcho();
    void identifyIsTranslatedWithTranslationOn();
    void keyboardLedsAndTypematic();
    void keyboardScanCodeSets();
    void keyboardUnknownCommandAndResend();
    void keyboardCommandInPlaceOfArgument();
    void hostKeysReachGuestWithIrq1();
    void irqFollowsEachByteAndDropsOnRead();
    void noIrqWhenKeyboardIrqMasked();
    void keyboardDisabledInCommandByteBuffersKeys();
    void keyboardDisableCommandStopsScanning();
    void setTwoWithoutTranslation();
    void setTwoPauseAndPrintScreen();
    void setOneWithoutTranslation();
    void translationGivesBackEverySetOneCode();
    void keyboardBufferOverflowDropsWholeKeys();
    void mouseResetAndIdentify();
    void mouseSettingsAndStatus();
    void mouseInvalidArgumentsGetResend();
    void mousePacketRaisesIrq12WithAuxFlag();
    void mouseNotReportingSendsNothing();
    void mouseMaskedOrDisabledInCommandByte();
    void mouseScaling2to1();
    void mouseIntelliMouseSendsFourBytes();
    void mouseRemoteModeReadData();
    void mouseWrapModeEchoes();
    void mousePacketBufferOverflow();
    void saveLoadKeepsQueuedBytesAndSettings();
    void loadRaisesIrqForFullBuffer();
    void loadRejectsCorruptSnapshots();
    void configRejectsSecondController();
    void secondControllerCannotClaimPorts();
};

void TestKeyboard8042::powerOnState() {
    auto t = make_keyboard_vm();
    Keyboard8042& kbd = controller_of(*t);
    QCOMPARE(status(*t), u8(SYS | UNLOCKED));
    QCOMPARE(kbd.command_byte(), i8042::kDefaultCommandByte);
    QVERIFY(kbd.a20_enabled());
    QCOMPARE(kbd.keyboard().scan_code_set(), u8(2));
    QVERIFY(kbd.keyboard().scanning());
    QVERIFY(!kbd.mouse().reporting());
    QVERIFY(t->vm->io_ports().is_claimed(kData));
    QVERIFY(t->vm->io_ports().is_claimed(kCommand));
    QVERIFY(!t->vm->io_ports().is_claimed(0x61)); // port B belongs to the PIT/speaker
    QVERIFY(t->irqs.changes.isEmpty());
}

void TestKeyboard8042::selfTestAndInterfaceTests() {
    auto t = make_keyboard_vm();
    write_command_byte(*t, 0x00); // also clears the system flag
    QCOMPARE(status(*t) & SYS, 0);
    controller_command(*t, 0xaa);
    QCOMPARE(drain(*t), QString("55"));
    QCOMPARE(status(*t) & SYS, SYS);
    controller_command(*t, 0xab);
    QCOMPARE(drain(*t), QString("00"));
    controller_command(*t, 0xa9);
    QCOMPARE(drain(*t), QString("00"));
    controller_command(*t, 0xa4);
    QCOMPARE(drain(*t), QString("f1"));
    controller_command(*t, 0xc0);
    QCOMPARE(drain(*t), QString("b0"));
    // Command byte 0: no interrupt for any of these replies.
    QCOMPARE(t->irqs.raises(1), 0);
}

void TestKeyboard8042::commandByteReadsBackAndDrivesSystemFlag() {
    auto t = make_keyboard_vm();
    QCOMPARE(read_command_byte(*t), u8(0x47));
    write_command_byte(*t, 0x61);
    QCOMPARE(read_command_byte(*t), u8(0x61));
    QCOMPARE(status(*t) & SYS, 0);
    write_command_byte(*t, 0x65);
    QCOMPARE(status(*t) & SYS, SYS);
    QCOMPARE(controller_of(*t).command_byte(), u8(0x65));
}

void TestKeyboard8042::controllerRamReadsBack() {
    auto t = make_keyboard_vm();
    controller_command(*t, 0x61, 0x5a);
    controller_command(*t, 0x7f, 0xc3);
    controller_command(*t, 0x21);
    QCOMPARE(drain(*t), QString("5a"));
    controller_command(*t, 0x3f);
    QCOMPARE(drain(*t), QString("c3"));
    QCOMPARE(read_command_byte(*t), u8(0x47)); // byte 0 untouched
}

void TestKeyboard8042::statusTracksLastPortWritten() {
    auto t = make_keyboard_vm();
    controller_command(*t, 0xae);
    QCOMPARE(status(*t) & CMD, CMD);
    QVERIFY(t->out(kData, 0xee)); // echo to the keyboard
    QCOMPARE(status(*t) & CMD, 0);
    QCOMPARE(status(*t) & UNLOCKED, UNLOCKED);
}

void TestKeyboard8042::disableEnableCommandsSetCommandByteBits() {
    auto t = make_keyboard_vm();
    controller_command(*t, 0xad);
    QCOMPARE(read_command_byte(*t) & 0x10, 0x10);
    controller_command(*t, 0xae);
    QCOMPARE(read_command_byte(*t) & 0x10, 0);
    controller_command(*t, 0xa7);
    QCOMPARE(read_command_byte(*t) & 0x20, 0x20);
    controller_command(*t, 0xa8);
    QCOMPARE(read_command_byte(*t) & 0x20, 0);
}

void TestKeyboard8042::a20ThroughOutputPort() {
    auto t = make_keyboard_vm();
    Keyboard8042& kbd = controller_of(*t);
    controller_command(*t, 0xd0);
    QCOMPARE(drain(*t), QString("cf"));
    controller_command(*t, 0xd1, 0xcd); // A20 off, reset line stays high
    QVERIFY(!kbd.a20_enabled());
    controller_command(*t, 0xd0);
    QCOMPARE(drain(*t), QString("cd"));
    controller_command(*t, 0xd1, 0xdf); // what Linux writes to open A20
    QVERIFY(kbd.a20_enabled());
    QCOMPARE(t->vm->state(), VmState::Created);
}

void TestKeyboard8042::a20ThroughHpCommands() {
    auto t = make_keyboard_vm();
    Keyboard8042& kbd = controller_of(*t);
    controller_command(*t, 0xdd);
    QVERIFY(!kbd.a20_enabled());
    controller_command(*t, 0xd0);
    QCOMPARE(drain(*t), QString("cd"));
    controller_command(*t, 0xdf);
    QVERIFY(kbd.a20_enabled());
    QCOMPARE(drain(*t), QString()); // no reply
}

void TestKeyboard8042::outputPortReadShowsBufferState() {
    auto t = make_keyboard_vm();
    // D0 asked while a mouse byte waits in the output buffer: the reply
    // comes after it, and bit 5 showed the full mouse buffer.
    controller_command(*t, 0xd3, 0x11);
    controller_command(*t, 0xd0);
    QCOMPARE(drain(*t), QString("m:11 ef"));
    controller_command(*t, 0xd2, 0x22);
    controller_command(*t, 0xd0);
    QCOMPARE(drain(*t), QString("22 df"));
}

void TestKeyboard8042::pulseResetStopsTheVm() {
    auto t = make_keyboard_vm();
    controller_command(*t, 0xfe);
    QCOMPARE(t->vm->state(), VmState::Stopped);
    QVERIFY2(QByteArray(t->vm->stop_reason()).contains("guest requested reset"),
             t->vm->stop_reason());
}

void TestKeyboard8042::outputPortResetBitStopsTheVm() {
    auto t = make_keyboard_vm();
    controller_command(*t, 0xd1, 0xde);
    QCOMPARE(t->vm->state(), VmState::Stopped);
    QVERIFY2(QByteArray(t->vm->stop_reason()).contains("guest requested reset"),
             t->vm->stop_reason());
}

void TestKeyboard8042::pulseWithoutResetLineKeepsRunning() {
    auto t = make_keyboard_vm();
    controller_command(*t, 0xff); // pulses no line
    controller_command(*t, 0xfd); // pulses line 1 only
    QCOMPARE(t->vm->state(), VmState::Created);
    QVERIFY(controller_of(*t).a20_enabled());
}

void TestKeyboard8042::unknownControllerCommandIsIgnored() {
    auto t = make_keyboard_vm();
    controller_command(*t, 0xc8);
    controller_command(*t, 0x05);
    QCOMPARE(drain(*t), QString());
    QCOMPARE(controller_of(*t).ignored_commands(), u64(2));
    QCOMPARE(t->vm->state(), VmState::Created);
    // A controller command abandons a pending one: 0x60 then 0xAA.
    controller_command(*t, 0x60);
    controller_command(*t, 0xaa);
    QVERIFY(t->out(kData, 0xee)); // goes to the keyboard, not the command byte
    QCOMPARE(drain(*t), QString("55 ee"));
    QCOMPARE(read_command_byte(*t), u8(0x47));
}

void TestKeyboard8042::writeOutputBufferCommands() {
    auto t = make_keyboard_vm();
    controller_command(*t, 0xd2, 0x5a);
    QCOMPARE(status(*t) & (OBF | AUX), OBF);
    QCOMPARE(t->irqs.raises(1), 1);
    QCOMPARE(drain(*t), QString("5a"));
    controller_command(*t, 0xd3, 0xa5); // Linux's AUX loop test
    QCOMPARE(status(*t) & (OBF | AUX), OBF | AUX);
    QCOMPARE(t->irqs.raises(12), 1);
    QCOMPARE(drain(*t), QString("m:a5"));
    QVERIFY(!t->vm->irqs().is_raised(12));
}

void TestKeyboard8042::emptyBufferReadsLastByte() {
    auto t = make_keyboard_vm();
    controller_command(*t, 0xd2, 0x42);
    QCOMPARE(t->in(kData), 0x42u);
    QCOMPARE(status(*t) & OBF, 0);
    QCOMPARE(t->in(kData), 0x42u);
    QCOMPARE(t->irqs.raises(1), 1);
}

void TestKeyboard8042::keyboardResetIdentifyEcho() {
    auto t = make_keyboard_vm();
    write_command_byte(*t, kNoTranslation);
    QVERIFY(t->out(kData, 0xff));
    QCOMPARE(drain(*t), QString("fa aa"));
    QVERIFY(t->out(kData, 0xf2));
    QCOMPARE(drain(*t), QString("fa ab 83"));
    QVERIFY(t->out(kData, 0xee));
    QCOMPARE(drain(*t), QString("ee"));
    // Every keyboard byte interrupted on IRQ 1.
    QCOMPARE(t->irqs.raises(1), 6);
}

void TestKeyboard8042::identifyIsTranslatedWithTranslationOn() {
    auto t = make_keyboard_vm();
    QVERIFY(t->out(kData, 0xf2));
    QCOMPARE(drain(*t), QString("fa ab 41")); // what Linux atkbd sees on a PC
    QVERIFY(t->out(kData, 0xf0));
    QVERIFY(t->out(kData, 0x00));
    QCOMPARE(drain(*t), QString("fa fa 41")); // ACK, ACK, set 2 translated
}

void TestKeyboard8042::keyboardLedsAndTypematic() {
    auto t = make_keyboard_vm();
    Keyboard8042& kbd = controller_of(*t);
    QVERIFY(t->out(kData, 0xed));
    QCOMPARE(drain(*t), QString("fa"));
    QVERIFY(t->out(kData, 0x05));
    QCOMPARE(drain(*t), QString("fa"));
    QCOMPARE(kbd.keyboard().leds(), u8(0x05));
    QVERIFY(t->out(kData, 0xf3));
    QVERIFY(t->out(kData, 0x20));
    QCOMPARE(drain(*t), QString("fa fa"));
    QCOMPARE(kbd.keyboard().typematic(), u8(0x20));
    QVERIFY(t->out(kData, 0xf3));
    QVERIFY(t->out(kData, 0x80)); // invalid rate: resend, still waiting
    QVERIFY(t->out(kData, 0x7f));
    QCOMPARE(drain(*t), QString("fa fe fa"));
    QCOMPARE(kbd.keyboard().typematic(), u8(0x7f));
    // Defaults restore the typematic setting and leave the LEDs alone.
    QVERIFY(t->out(kData, 0xf6));
    QCOMPARE(drain(*t), QString("fa"));
    QCOMPARE(kbd.keyboard().typematic(), u8(0x2b));
    QCOMPARE(kbd.keyboard().leds(), u8(0x05));
    // Reset turns the LEDs off.
    QVERIFY(t->out(kData, 0xff));
    QCOMPARE(drain(*t), QString("fa aa"));
    QCOMPARE(kbd.keyboard().leds(), u8(0));
}

void TestKeyboard8042::keyboardScanCodeSets() {
    auto t = make_keyboard_vm();
    Keyboard8042& kbd = controller_of(*t);
    write_command_byte(*t, kNoTranslation);
    auto scan_code_set = [&](u8 argument) {
        t->out(kData, 0xf0);
        t->out(kData, argument);
        return drain(*t);
    };
    QCOMPARE(scan_code_set(0), QString("fa fa 02"));
    QCOMPARE(scan_code_set(1), QString("fa fa"));
    QCOMPARE(kbd.keyboard().scan_code_set(), u8(1));
    QCOMPARE(scan_code_set(0), QString("fa fa 01"));
    QCOMPARE(scan_code_set(3), QString("fa fa")); // acknowledged, not offered
    QCOMPARE(scan_code_set(0), QString("fa fa 01"));
    QCOMPARE(scan_code_set(2), QString("fa fa"));
    QCOMPARE(scan_code_set(0), QString("fa fa 02"));
    QCOMPARE(scan_code_set(9), QString("fa fe"));
    QVERIFY(t->out(kData, 0x01)); // the keyboard still waits for the set
    QCOMPARE(drain(*t), QString("fa"));
    QCOMPARE(kbd.keyboard().scan_code_set(), u8(1));
    // Reset goes back to set 2.
    QVERIFY(t->out(kData, 0xff));
    QCOMPARE(drain(*t), QString("fa aa"));
    QCOMPARE(kbd.keyboard().scan_code_set(), u8(2));
}

void TestKeyboard8042::keyboardUnknownCommandAndResend() {
    auto t = make_keyboard_vm();
    write_command_byte(*t, kNoTranslation);
    QVERIFY(t->out(kData, 0x12)); // not a command
    QCOMPARE(drain(*t), QString("fe"));
    QVERIFY(t->out(kData, 0xf2));
    QCOMPARE(drain(*t), QString("fa ab 83"));
    QVERIFY(t->out(kData, 0xfe)); // resend the last byte
    QCOMPARE(drain(*t), QString("83"));
    for (u8 set3_command : {0xf7, 0xf8, 0xf9, 0xfa}) {
        QVERIFY(t->out(kData, set3_command));
        QCOMPARE(drain(*t), QString("fa"));
    }
}

void TestKeyboard8042::keyboardCommandInPlaceOfArgument() {
    auto t = make_keyboard_vm();
    write_command_byte(*t, kNoTranslation);
    QVERIFY(t->out(kData, 0xed));
    QVERIFY(t->out(kData, 0xf2)); // a command, not an LED byte
    QCOMPARE(drain(*t), QString("fa fa ab 83"));
    QCOMPARE(controller_of(*t).keyboard().leds(), u8(0));
}

void TestKeyboard8042::hostKeysReachGuestWithIrq1() {
    auto t = make_keyboard_vm();
    key(*t, 0x1e); // 'A' make
    QCOMPARE(status(*t) & (OBF | AUX), OBF);
    QVERIFY(t->vm->irqs().is_raised(1));
    QCOMPARE(t->in(kData), 0x1eu);
    QVERIFY(!t->vm->irqs().is_raised(1));
    key(*t, 0x9e);                      // 'A' break
    keys(*t, {0xe0, 0x1d, 0xe0, 0x9d}); // right Ctrl make and break
    QCOMPARE(drain(*t), QString("9e e0 1d e0 9d"));
    QCOMPARE(t->irqs.raises(1), 6);
    QCOMPARE(t->irqs.raises(12), 0);
}

void TestKeyboard8042::irqFollowsEachByteAndDropsOnRead() {
    auto t = make_keyboard_vm();
    keys(*t, {0x10, 0x90});
    QCOMPARE(t->irqs.changes.size(), 1);
    QVERIFY(t->irqs.changes[0].raised && t->irqs.changes[0].line == 1);
    QCOMPARE(t->in(kData), 0x10u);
    // Reading lowered the line, the next byte raised it again: an edge.
    QCOMPARE(t->irqs.changes.size(), 3);
    QVERIFY(!t->irqs.changes[1].raised && t->irqs.changes[1].line == 1);
    QVERIFY(t->irqs.changes[2].raised && t->irqs.changes[2].line == 1);
    QCOMPARE(t->in(kData), 0x90u);
    QCOMPARE(t->irqs.changes.size(), 4);
    QVERIFY(!t->irqs.changes[3].raised);
}

void TestKeyboard8042::noIrqWhenKeyboardIrqMasked() {
    auto t = make_keyboard_vm();
    write_command_byte(*t, 0x46); // translation, system flag, no interrupts
    key(*t, 0x1e);
    QCOMPARE(status(*t) & OBF, OBF); // polled drivers still see it
    QCOMPARE(t->irqs.raises(1), 0);
    // Enabling the interrupt with a byte waiting raises the line at once.
    write_command_byte(*t, 0x47);
    QCOMPARE(t->irqs.raises(1), 1);
    QCOMPARE(drain(*t), QString("1e"));
}

void TestKeyboard8042::keyboardDisabledInCommandByteBuffersKeys() {
    auto t = make_keyboard_vm();
    controller_command(*t, 0xad);
    keys(*t, {0x1e, 0x9e});
    QCOMPARE(status(*t) & OBF, 0);
    QCOMPARE(t->irqs.raises(1), 0);
    controller_command(*t, 0xae);
    QCOMPARE(t->irqs.raises(1), 1);
    QCOMPARE(drain(*t), QString("1e 9e"));
}

void TestKeyboard8042::keyboardDisableCommandStopsScanning() {
    auto t = make_keyboard_vm();
    QVERIFY(t->out(kData, 0xf5));
    QCOMPARE(drain(*t), QString("fa"));
    QVERIFY(!controller_of(*t).keyboard().scanning());
    key(*t, 0x1e);
    QCOMPARE(drain(*t), QString());
    QVERIFY(t->out(kData, 0xf4));
    QCOMPARE(drain(*t), QString("fa"));
    key(*t, 0x1e);
    QCOMPARE(drain(*t), QString("1e"));
}

void TestKeyboard8042::setTwoWithoutTranslation() {
    auto t = make_keyboard_vm();
    write_command_byte(*t, kNoTranslation);
    keys(*t, {0x1e, 0x9e}); // 'A'
    QCOMPARE(drain(*t), QString("1c f0 1c"));
    keys(*t, {0xe0, 0x48, 0xe0, 0xc8}); // cursor up
    QCOMPARE(drain(*t), QString("e0 75 e0 f0 75"));
    keys(*t, {0xe0, 0x38, 0xe0, 0xb8}); // right Alt
    QCOMPARE(drain(*t), QString("e0 11 e0 f0 11"));
    keys(*t, {0x41, 0xc1, 0x3b, 0x58}); // F7 (the one set-2 code above 0x7f), F1, F12
    QCOMPARE(drain(*t), QString("83 f0 83 05 07"));
}

void TestKeyboard8042::setTwoPauseAndPrintScreen() {
    auto t = make_keyboard_vm();
    write_command_byte(*t, kNoTranslation);
    keys(*t, {0xe1, 0x1d, 0x45, 0xe1, 0x9d, 0xc5}); // Pause
    QCOMPARE(drain(*t), QString("e1 14 77 e1 f0 14 f0 77"));
    keys(*t, {0xe0, 0x2a, 0xe0, 0x37}); // Print Screen make
    QCOMPARE(drain(*t), QString("e0 12 e0 7c"));
    keys(*t, {0xe0, 0xb7, 0xe0, 0xaa}); // and break
    QCOMPARE(drain(*t), QString("e0 f0 7c e0 f0 12"));
}

void TestKeyboard8042::setOneWithoutTranslation() {
    auto t = make_keyboard_vm();
    write_command_byte(*t, kNoTranslation);
    t->out(kData, 0xf0);
    t->out(kData, 0x01);
    QCOMPARE(drain(*t), QString("fa fa"));
    keys(*t, {0x1e, 0x9e, 0xe0, 0x48});
    QCOMPARE(drain(*t), QString("1e 9e e0 48"));
}

// Through keyboard (set 2) and controller (translation): every set-1 make
// and break code comes out as the host sent it.
void TestKeyboard8042::translationGivesBackEverySetOneCode() {
    auto t = make_keyboard_vm();
    QStringList sent, seen;
    for (int code = 0x01; code < 0x80; ++code) {
        for (int byte : {code, code | 0x80}) {
            if (byte == 0xe0 || byte == 0xe1)
                continue; // prefixes, not break codes
            key(*t, u8(byte));
            sent << QString("%1").arg(byte, 2, 16, QChar('0'));
            seen << drain(*t);
        }
    }
    QCOMPARE(seen, sent);
    // And the table pair itself is an exact inverse on 0x01-0x7f.
    for (int code = 0x01; code < 0x80; ++code)
        QCOMPARE(devices::scan_codes::translate_set2_to_set1(
                     devices::scan_codes::set1_to_set2(u8(code))),
                 u8(code));
}

void TestKeyboard8042::keyboardBufferOverflowDropsWholeKeys() {
    auto t = make_keyboard_vm();
    Keyboard8042& kbd = controller_of(*t);
    write_command_byte(*t, kNoTranslation | 0x10); // keyboard clock off
    for (u8 code = 0x02; code < 0x02 + 15; ++code) // 15 one-byte set-2 makes
        key(*t, code);
    key(*t, 0x9e); // F0 1C: two bytes, one free slot: dropped whole
    key(*t, 0x1e); // one byte: fits
    key(*t, 0x1e); // full
    QCOMPARE(kbd.keyboard().dropped_events(), u64(2));
    QCOMPARE(status(*t) & OBF, 0);
    write_command_byte(*t, kNoTranslation);
    QCOMPARE(drain(*t), QString("16 1e 26 25 2e 36 3d 3e 46 45 4e 55 66 0d 15 1c"));
}

void TestKeyboard8042::mouseResetAndIdentify() {
    auto t = make_keyboard_vm();
    to_mouse(*t, 0xff);
    QCOMPARE(status(*t) & (OBF | AUX), OBF | AUX);
    QCOMPARE(drain(*t), QString("m:fa m:aa m:00"));
    QCOMPARE(t->irqs.raises(12), 3);
    QCOMPARE(t->irqs.raises(1), 0);
    QCOMPARE(mouse(*t, {0xf2}), QString("m:fa m:00"));
}

void TestKeyboard8042::mouseSettingsAndStatus() {
    auto t = make_keyboard_vm();
    Keyboard8042& kbd = controller_of(*t);
    // Stream mode, reporting off, 1:1, no buttons; 4 counts/mm; 100/s.
    QCOMPARE(mouse(*t, {0xe9}), QString("m:fa m:00 m:02 m:64"));
    QCOMPARE(mouse(*t, {0xf3, 40, 0xe8, 3, 0xe7, 0xf4}), QString("m:fa m:fa m:fa m:fa m:fa m:fa"));
    QCOMPARE(kbd.mouse().sample_rate(), u8(40));
    QCOMPARE(kbd.mouse().resolution(), u8(3));
    QVERIFY(kbd.mouse().scaling_2to1());
    mouse_packet(*t, 0x09, 0, 0); // left button down
    QCOMPARE(drain(*t), QString("m:09 m:00 m:00"));
    // Reporting on, 2:1, left button (status bit 2); 8 counts/mm; 40/s.
    QCOMPARE(mouse(*t, {0xe9}), QString("m:fa m:34 m:03 m:28"));
    QCOMPARE(mouse(*t, {0xe6, 0xf0, 0xe9}), QString("m:fa m:fa m:fa m:64 m:03 m:28"));
    QVERIFY(kbd.mouse().remote_mode());
    QCOMPARE(mouse(*t, {0xea, 0xf5, 0xe9}), QString("m:fa m:fa m:fa m:04 m:03 m:28"));
    QCOMPARE(mouse(*t, {0xf6, 0xe9}), QString("m:fa m:fa m:04 m:02 m:64"));
}

void TestKeyboard8042::mouseInvalidArgumentsGetResend() {
    auto t = make_keyboard_vm();
    QCOMPARE(mouse(*t, {0xf3, 33, 200}), QString("m:fa m:fe m:fa")); // 33 is no rate
    QCOMPARE(mouse(*t, {0xe8, 4, 1}), QString("m:fa m:fe m:fa"));
    QCOMPARE(controller_of(*t).mouse().sample_rate(), u8(200));
    QCOMPARE(controller_of(*t).mouse().resolution(), u8(1));
    QCOMPARE(mouse(*t, {0x42}), QString("m:fe"));                 // not a command
    QCOMPARE(mouse(*t, {0xf2, 0xfe}), QString("m:fa m:00 m:00")); // FE: resend
}

void TestKeyboard8042::mousePacketRaisesIrq12WithAuxFlag() {
    auto t = make_keyboard_vm();
    QCOMPARE(mouse(*t, {0xf4}), QString("m:fa"));
    int before = t->irqs.raises(12);
    mouse_packet(*t, 0x29, 0x05, 0xfe); // left, dx 5, dy -2
    QCOMPARE(status(*t) & (OBF | AUX), OBF | AUX);
    QVERIFY(t->vm->irqs().is_raised(12));
    QCOMPARE(drain(*t), QString("m:29 m:05 m:fe"));
    QCOMPARE(t->irqs.raises(12) - before, 3);
    QCOMPARE(t->irqs.raises(1), 0);
    QVERIFY(!t->vm->irqs().is_raised(12));
    // A host packet without the always-one bit still goes out with it.
    mouse_packet(*t, 0x00, 0x01, 0x00);
    QCOMPARE(drain(*t), QString("m:08 m:01 m:00"));
}

void TestKeyboard8042::mouseNotReportingSendsNothing() {
    auto t = make_keyboard_vm();
    mouse_packet(*t, 0x09, 1, 1);
    QCOMPARE(drain(*t), QString());
    QCOMPARE(t->irqs.raises(12), 0);
}

void TestKeyboard8042::mouseMaskedOrDisabledInCommandByte() {
    auto t = make_keyboard_vm();
    QCOMPARE(mouse(*t, {0xf4}), QString("m:fa"));
    write_command_byte(*t, 0x45); // mouse interrupt off
    int before = t->irqs.raises(12);
    mouse_packet(*t, 0x08, 1, 2);
    QCOMPARE(drain(*t), QString("m:08 m:01 m:02"));
    QCOMPARE(t->irqs.raises(12), before);
    write_command_byte(*t, 0x47);
    controller_command(*t, 0xa7); // mouse clock off: the packet waits
    mouse_packet(*t, 0x08, 3, 4);
    QCOMPARE(status(*t) & OBF, 0);
    controller_command(*t, 0xa8);
    QCOMPARE(drain(*t), QString("m:08 m:03 m:04"));
    QCOMPARE(t->irqs.raises(12), before + 3);
}

void TestKeyboard8042::mouseScaling2to1() {
    auto t = make_keyboard_vm();
    QCOMPARE(mouse(*t, {0xe7, 0xf4}), QString("m:fa m:fa"));
    mouse_packet(*t, 0x08, 4, 2);      // 4 -> 6, 2 -> 1
    mouse_packet(*t, 0x18, 0xf6, 100); // -10 -> -20, 100 -> 200
    QCOMPARE(drain(*t), QString("m:08 m:06 m:01 m:18 m:ec m:c8"));
    mouse_packet(*t, 0x08, 200, 0); // 400: X overflow, clamped to 255
    QCOMPARE(drain(*t), QString("m:48 m:ff m:00"));
}

void TestKeyboard8042::mouseIntelliMouseSendsFourBytes() {
    auto t = make_keyboard_vm();
    QCOMPARE(mouse(*t, {0xf3, 200, 0xf3, 100, 0xf3, 80, 0xf2}),
             QString("m:fa m:fa m:fa m:fa m:fa m:fa m:fa m:03"));
    QCOMPARE(controller_of(*t).mouse().device_id(), u8(3));
    QCOMPARE(mouse(*t, {0xf4}), QString("m:fa"));
    mouse_packet(*t, 0x0a, 1, 2);
    QCOMPARE(drain(*t), QString("m:0a m:01 m:02 m:00"));
    QCOMPARE(mouse(*t, {0xff, 0xf2}), QString("m:fa m:aa m:00 m:fa m:00")); // reset: id 0
}

void TestKeyboard8042::mouseRemoteModeReadData() {
    auto t = make_keyboard_vm();
    QCOMPARE(mouse(*t, {0xf0}), QString("m:fa"));
    mouse_packet(*t, 0x09, 3, 0);
    mouse_packet(*t, 0x29, 4, 0xfb); // dx 4, dy -5, left held
    QCOMPARE(drain(*t), QString());  // remote mode sends nothing by itself
    QCOMPARE(mouse(*t, {0xeb}), QString("m:fa m:29 m:07 m:fb"));
    QCOMPARE(mouse(*t, {0xeb}), QString("m:fa m:09 m:00 m:00")); // counters were reset
}

void TestKeyboard8042::mouseWrapModeEchoes() {
    auto t = make_keyboard_vm();
    Keyboard8042& kbd = controller_of(*t);
    QCOMPARE(mouse(*t, {0xee}), QString("m:fa"));
    QVERIFY(kbd.mouse().wrap_mode());
    QCOMPARE(mouse(*t, {0x42, 0xf4}), QString("m:42 m:f4")); // echoed, not obeyed
    QVERIFY(!kbd.mouse().reporting());
    QCOMPARE(mouse(*t, {0xec}), QString("m:fa"));
    QVERIFY(!kbd.mouse().wrap_mode());
}

void TestKeyboard8042::mousePacketBufferOverflow() {
    auto t = make_keyboard_vm();
    Keyboard8042& kbd = controller_of(*t);
    QCOMPARE(mouse(*t, {0xf4}), QString("m:fa"));
    controller_command(*t, 0xa7);
    for (int i = 0; i < 20; ++i)
        mouse_packet(*t, 0x08, u8(i), 0);
    QCOMPARE(kbd.mouse().dropped_packets(), u64(4));
    controller_command(*t, 0xa8);
    QStringList bytes = drain(*t).split(' ');
    QCOMPARE(bytes.size(), 48);
    QCOMPARE(bytes[46], QString("m:0f")); // the sixteenth packet came last
}

void TestKeyboard8042::saveLoadKeepsQueuedBytesAndSettings() {
    auto t = make_keyboard_vm();
    write_command_byte(*t, kNoTranslation);
    t->out(kData, 0xed);
    t->out(kData, 0x03);
    QCOMPARE(drain(*t), QString("fa fa"));
    QCOMPARE(mouse(*t, {0xf4}), QString("m:fa"));
    controller_command(*t, 0xdd);
    controller_command(*t, 0xa7);
    mouse_packet(*t, 0x08, 7, 9);
    controller_command(*t, 0xad);
    keys(*t, {0x1e, 0x9e, 0xe0});       // a prefix still waiting for its key
    controller_command(*t, 0xd2, 0x77); // sits in the output buffer
    controller_command(*t, 0x60);       // waits for its data byte

    Vector<u8> snapshot;
    chkpt::Writer writer(snapshot);
    QVERIFY(!t->vm->devices().save(writer).is_error());

    auto u = make_keyboard_vm();
    chkpt::Reader reader(snapshot.begin(), snapshot.size());
    QVERIFY(!u->vm->devices().load(reader).is_error());
    QVERIFY(reader.at_end());
    Keyboard8042& kbd = controller_of(*u);
    QVERIFY(!kbd.a20_enabled());
    QCOMPARE(kbd.keyboard().leds(), u8(3));
    QVERIFY(kbd.mouse().reporting());
    QCOMPARE(status(*u), u8(OBF | UNLOCKED | SYS | CMD));
    QVERIFY(u->out(kData, 0x07)); // completes the pending 0x60: both devices on
    key(*u, 0x48);                // completes E0 48
    QCOMPARE(drain(*u), QString("77 1c f0 1c e0 75 m:08 m:07 m:09"));
}

void TestKeyboard8042::loadRaisesIrqForFullBuffer() {
    auto t = make_keyboard_vm();
    key(*t, 0x1e);
    Vector<u8> snapshot;
    chkpt::Writer writer(snapshot);
    QVERIFY(!t->vm->devices().save(writer).is_error());
    auto u = make_keyboard_vm();
    chkpt::Reader reader(snapshot.begin(), snapshot.size());
    QVERIFY(!u->vm->devices().load(reader).is_error());
    QVERIFY(u->vm->irqs().is_raised(1));
    QCOMPARE(drain(*u), QString("1e"));
    QVERIFY(!u->vm->irqs().is_raised(1));
}

void TestKeyboard8042::loadRejectsCorruptSnapshots() {
    auto t = make_keyboard_vm();
    key(*t, 0x1e);
    Vector<u8> snapshot;
    chkpt::Writer writer(snapshot);
    QVERIFY(!t->vm->devices().save(writer).is_error());
    // The section header (name length, "kbd", payload length), then the
    // controller: version, 32 RAM bytes, output port, system flag, last
    // port, pending command, output byte, buffer full, mouse data.
    const usize payload = 1 + 3 + 4;
    const usize version = payload, pending = payload + 36, full = payload + 38,
                from_mouse = payload + 39;
    QCOMPARE(snapshot[full], u8(1));
    struct Corruption {
        usize offset;
        u8 value;
        const char* what;
    };
    const Corruption corruptions[] = {
        {version, 9, "unknown version"},
        {pending, 0x20, "pending command that takes no data"},
        {full, 0, "mouse flag on an empty buffer"}, // with from_mouse set below
        {full, 2, "boolean other than 0 or 1"},
    };
    for (const Corruption& c : corruptions) {
        Vector<u8> bad;
        for (u8 b : snapshot)
            QVERIFY(bad.try_append(b));
        bad[c.offset] = c.value;
        bad[from_mouse] = 1;
        auto u = make_keyboard_vm();
        chkpt::Reader reader(bad.begin(), bad.size());
        QVERIFY2(u->vm->devices().load(reader).is_error(), c.what);
    }
    auto u = make_keyboard_vm();
    chkpt::Reader truncated(snapshot.begin(), snapshot.size() - 1);
    QVERIFY(u->vm->devices().load(truncated).is_error());
}

void TestKeyboard8042::configRejectsSecondController() {
    auto t = testvm::make_vm(R"(<device class="KEYBOARD" id="kbd"/>)"
                             R"(<device class="KEYBOARD" id="kbd2"/>)");
    QVERIFY(!t->ok());
    QVERIFY2(t->error.contains("device[2]") && t->error.contains("one KEYBOARD") &&
                 t->error.contains("'kbd'"),
             qPrintable(t->error));
}

// A second controller created past validation (as tests and tools can)
// fails on the port claim, naming the owner, and the first keeps working.
void TestKeyboard8042::secondControllerCannotClaimPorts() {
    auto t = make_keyboard_vm();
    QByteArray text = testvm::wrap_devices(R"(<device class="KEYBOARD" id="kbd2"/>)");
    config::Diagnostic diag;
    auto parsed = config::parse_vm_config(StringView(text.constData(), usize(text.size())),
                                          devices::known_class_names(),
                                          devices::validate_device_config, diag);
    QVERIFY2(!parsed.is_error(), diag.message);
    auto created = t->vm->devices().create(*t->vm, parsed.value().devices[0], false, diag);
    QVERIFY(created.is_error());
    QVERIFY2(QByteArray(diag.message).contains("port 0x60") &&
                 QByteArray(diag.message).contains("owned by KEYBOARD"),
             diag.message);
    QCOMPARE(t->vm->devices().count(), usize(1));
    controller_command(*t, 0xaa);
    QCOMPARE(drain(*t), QString("55"));
}

QTEST_APPLESS_MAIN(TestKeyboard8042)
#include "tst_keyboard_8042.moc"
