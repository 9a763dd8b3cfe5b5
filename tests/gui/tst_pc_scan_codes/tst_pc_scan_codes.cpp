// The Qt key -> PC set-1 scan code tables (pc_scan_codes.h): plain and
// shifted printable keys land on their US key, the E0 keys carry their
// prefix on make and break, the keypad is told apart by Qt::KeypadModifier,
// F1-F12, Pause's E1 sequence, the evdev path (X11/Wayland native codes)
// and the desktop-reserved combinations of the Send Key menu.
#include "pc_scan_codes.h"

#include <QtTest>

namespace {

QByteArray hex(const char* text) {
    return QByteArray::fromHex(text);
}

PcKeyCodes qt(int key, Qt::KeyboardModifiers m = Qt::NoModifier) {
    return pcscan::fromQtKey(key, m);
}

} // namespace

class TestPcScanCodes : public QObject {
    Q_OBJECT

private slots:
    void printableKeys_data() {
        QTest::addColumn<int>("key");
        QTest::addColumn<QByteArray>("make");
        QTest::newRow("a") << int(Qt::Key_A) << hex("1e");
        QTest::newRow("z") << int(Qt::Key_Z) << hex("2c");
        QTest::newRow("q") << int(Qt::Key_Q) << hex("10");
        QTest::newRow("m") << int(Qt::Key_M) << hex("32");
        QTest::newRow("1") << int(Qt::Key_1) << hex("02");
        QTest::newRow("0") << int(Qt::Key_0) << hex("0b");
        QTest::newRow("!") << int(Qt::Key_Exclam) << hex("02");
        QTest::newRow("@") << int(Qt::Key_At) << hex("03");
        QTest::newRow(")") << int(Qt::Key_ParenRight) << hex("0b");
        QTest::newRow("-") << int(Qt::Key_Minus) << hex("0c");
        QTest::newRow("_") << int(Qt::Key_Underscore) << hex("0c");
        QTest::newRow("+") << int(Qt::Key_Plus) << hex("0d");
        QTest::newRow("{") << int(Qt::Key_BraceLeft) << hex("1a");
        QTest::newRow(":") << int(Qt::Key_Colon) << hex("27");
        QTest::newRow("\"") << int(Qt::Key_QuoteDbl) << hex("28");
        QTest::newRow("~") << int(Qt::Key_AsciiTilde) << hex("29");
        QTest::newRow("|") << int(Qt::Key_Bar) << hex("2b");
        QTest::newRow("<") << int(Qt::Key_Less) << hex("33");
        QTest::newRow("?") << int(Qt::Key_Question) << hex("35");
        QTest::newRow("space") << int(Qt::Key_Space) << hex("39");
        QTest::newRow("esc") << int(Qt::Key_Escape) << hex("01");
        QTest::newRow("backspace") << int(Qt::Key_Backspace) << hex("0e");
        QTest::newRow("tab") << int(Qt::Key_Tab) << hex("0f");
        QTest::newRow("backtab") << int(Qt::Key_Backtab) << hex("0f");
        QTest::newRow("return") << int(Qt::Key_Return) << hex("1c");
        QTest::newRow("ctrl") << int(Qt::Key_Control) << hex("1d");
        QTest::newRow("shift") << int(Qt::Key_Shift) << hex("2a");
        QTest::newRow("alt") << int(Qt::Key_Alt) << hex("38");
        QTest::newRow("caps") << int(Qt::Key_CapsLock) << hex("3a");
        QTest::newRow("f1") << int(Qt::Key_F1) << hex("3b");
        QTest::newRow("f10") << int(Qt::Key_F10) << hex("44");
        QTest::newRow("f11") << int(Qt::Key_F11) << hex("57");
        QTest::newRow("f12") << int(Qt::Key_F12) << hex("58");
    }
    void printableKeys() {
        QFETCH(int, key);
        QFETCH(QByteArray, make);
        const PcKeyCodes codes = qt(key, Qt::ShiftModifier); // Shift changes no code
        QCOMPARE(codes.make.toHex(), make.toHex());
        QCOMPARE(codes.breakSeq.size(), 1);
        QCOMPARE(uint8_t(codes.breakSeq[0]), uint8_t(make[0] | 0x80));
        QCOMPARE(qt(key), codes);
    }

    void extendedKeys_data() {
        QTest::addColumn<int>("key");
        QTest::addColumn<QByteArray>("make");
        QTest::addColumn<QByteArray>("breakSeq");
        QTest::newRow("up") << int(Qt::Key_Up) << hex("e048") << hex("e0c8");
        QTest::newRow("down") << int(Qt::Key_Down) << hex("e050") << hex("e0d0");
        QTest::newRow("left") << int(Qt::Key_Left) << hex("e04b") << hex("e0cb");
        QTest::newRow("right") << int(Qt::Key_Right) << hex("e04d") << hex("e0cd");
        QTest::newRow("home") << int(Qt::Key_Home) << hex("e047") << hex("e0c7");
        QTest::newRow("end") << int(Qt::Key_End) << hex("e04f") << hex("e0cf");
        QTest::newRow("pgup") << int(Qt::Key_PageUp) << hex("e049") << hex("e0c9");
        QTest::newRow("pgdn") << int(Qt::Key_PageDown) << hex("e051") << hex("e0d1");
        QTest::newRow("ins") << int(Qt::Key_Insert) << hex("e052") << hex("e0d2");
        QTest::newRow("del") << int(Qt::Key_Delete) << hex("e053") << hex("e0d3");
        QTest::newRow("altgr") << int(Qt::Key_AltGr) << hex("e038") << hex("e0b8");
        QTest::newRow("kp enter") << int(Qt::Key_Enter) << hex("e01c") << hex("e09c");
        QTest::newRow("menu") << int(Qt::Key_Menu) << hex("e05d") << hex("e0dd");
        QTest::newRow("print") << int(Qt::Key_Print) << hex("e02ae037") << hex("e0b7e0aa");
    }
    void extendedKeys() {
        QFETCH(int, key);
        QFETCH(QByteArray, make);
        QFETCH(QByteArray, breakSeq);
        QCOMPARE(qt(key).make.toHex(), make.toHex());
        QCOMPARE(qt(key).breakSeq.toHex(), breakSeq.toHex());
    }

    void keypad() {
        const auto kp = Qt::KeypadModifier;
        QCOMPARE(qt(Qt::Key_7, kp).make.toHex(), hex("47").toHex());
        QCOMPARE(qt(Qt::Key_Home, kp).make.toHex(), hex("47").toHex()); // Num Lock off
        QCOMPARE(qt(Qt::Key_0, kp).make.toHex(), hex("52").toHex());
        QCOMPARE(qt(Qt::Key_Period, kp).make.toHex(), hex("53").toHex());
        QCOMPARE(qt(Qt::Key_Asterisk, kp).make.toHex(), hex("37").toHex());
        QCOMPARE(qt(Qt::Key_Minus, kp).make.toHex(), hex("4a").toHex());
        QCOMPARE(qt(Qt::Key_Plus, kp).make.toHex(), hex("4e").toHex());
        QCOMPARE(qt(Qt::Key_Slash, kp).make.toHex(), hex("e035").toHex());
        QCOMPARE(qt(Qt::Key_Slash, kp).breakSeq.toHex(), hex("e0b5").toHex());
        QCOMPARE(qt(Qt::Key_Enter, kp).make.toHex(), hex("e01c").toHex());
        // Without the keypad modifier they are the main block's keys.
        QCOMPARE(qt(Qt::Key_7).make.toHex(), hex("08").toHex());
        QCOMPARE(qt(Qt::Key_Slash).make.toHex(), hex("35").toHex());
    }

    void pauseHasNoBreak() {
        QCOMPARE(qt(Qt::Key_Pause).make.toHex(), hex("e11d45e19dc5").toHex());
        QVERIFY(qt(Qt::Key_Pause).breakSeq.isEmpty());
        QCOMPARE(pcscan::fromEvdev(119), qt(Qt::Key_Pause));
    }

    void unknownKeysAreInvalid() {
        QVERIFY(!qt(Qt::Key_VolumeUp).isValid());
        QVERIFY(!qt(0x00e9).isValid()); // é: no key of a US keyboard
        QVERIFY(!pcscan::fromEvdev(0).isValid());
        QVERIFY(!pcscan::fromEvdev(84).isValid());
        QVERIFY(!pcscan::fromEvdev(300).isValid());
    }

    void evdevCodes() {
        QCOMPARE(pcscan::fromEvdev(1).make.toHex(), hex("01").toHex());         // KEY_ESC
        QCOMPARE(pcscan::fromEvdev(30).make.toHex(), hex("1e").toHex());        // KEY_A
        QCOMPARE(pcscan::fromEvdev(54).make.toHex(), hex("36").toHex());        // KEY_RIGHTSHIFT
        QCOMPARE(pcscan::fromEvdev(86).make.toHex(), hex("56").toHex());        // KEY_102ND
        QCOMPARE(pcscan::fromEvdev(88).make.toHex(), hex("58").toHex());        // KEY_F12
        QCOMPARE(pcscan::fromEvdev(97).make.toHex(), hex("e01d").toHex());      // KEY_RIGHTCTRL
        QCOMPARE(pcscan::fromEvdev(100).make.toHex(), hex("e038").toHex());     // KEY_RIGHTALT
        QCOMPARE(pcscan::fromEvdev(103).make.toHex(), hex("e048").toHex());     // KEY_UP
        QCOMPARE(pcscan::fromEvdev(111).breakSeq.toHex(), hex("e0d3").toHex()); // KEY_DELETE
        QCOMPARE(pcscan::fromEvdev(98).make.toHex(), hex("e035").toHex());      // KEY_KPSLASH
        QCOMPARE(pcscan::fromEvdev(72).make.toHex(), hex("48").toHex());        // KEY_KP8
    }

    void keyEventsPreferTheNativeCode() {
        // Right Ctrl on X11: keycode 105 = evdev 97 + 8; Qt only says "Control".
        QKeyEvent rightCtrl(QEvent::KeyPress, Qt::Key_Control, Qt::ControlModifier, 105, 0, 0);
        QCOMPARE(pcscan::forKeyEvent(rightCtrl, true).make.toHex(), hex("e01d").toHex());
        QCOMPARE(pcscan::forKeyEvent(rightCtrl, false).make.toHex(), hex("1d").toHex());
        // No native code (the offscreen platform): the table.
        QKeyEvent a(QEvent::KeyPress, Qt::Key_A, Qt::NoModifier, 0, 0, 0, "a");
        QCOMPARE(pcscan::forKeyEvent(a, true).make.toHex(), hex("1e").toHex());
    }

    void desktopCombinations() {
        QCOMPARE(pcscan::ctrlAltDel().toHex(), hex("1d38e053e0d3b89d").toHex());
        QCOMPARE(pcscan::ctrlAltFunction(1).toHex(), hex("1d383bbbb89d").toHex());
        QCOMPARE(pcscan::ctrlAltFunction(6).toHex(), hex("1d3840c0b89d").toHex());
        QVERIFY(pcscan::ctrlAltFunction(0).isEmpty());
    }
};

QTEST_MAIN(TestPcScanCodes)
#include "tst_pc_scan_codes.moc"
