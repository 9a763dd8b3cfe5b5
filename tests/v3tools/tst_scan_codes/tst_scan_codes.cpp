// libv3ctl's scan code table (scan_codes.h): characters, control keys and
// named keys to set-1 make/break sequences with their modifiers, and the
// terminal decoder v3_cons_sc uses (escape sequences, xterm modifier
// parameters, Alt as an ESC prefix, the lone Esc).
#include <scan_codes.h>

#include <QtTest>

using namespace v3ctl;

namespace {

QString hex(const std::vector<uint8_t>& codes) {
    QStringList parts;
    for (uint8_t c : codes)
        parts << QString("%1").arg(c, 2, 16, QChar('0'));
    return parts.join(' ');
}

QString decode(TerminalKeyDecoder& decoder, const QByteArray& bytes) {
    return hex(decoder.feed(bytes.constData(), size_t(bytes.size())));
}

} // namespace

class TestScanCodes : public QObject {
    Q_OBJECT

private slots:
    void lettersDigitsAndPunctuation() {
        QCOMPARE(hex(asciiScanCodes('a')), QString("1e 9e"));
        QCOMPARE(hex(asciiScanCodes('z')), QString("2c ac"));
        QCOMPARE(hex(asciiScanCodes('1')), QString("02 82"));
        QCOMPARE(hex(asciiScanCodes('0')), QString("0b 8b"));
        QCOMPARE(hex(asciiScanCodes(' ')), QString("39 b9"));
        QCOMPARE(hex(asciiScanCodes('/')), QString("35 b5"));
        QCOMPARE(hex(asciiScanCodes('\'')), QString("28 a8"));
        QCOMPARE(hex(asciiScanCodes('`')), QString("29 a9"));
        QCOMPARE(hex(asciiScanCodes('\\')), QString("2b ab"));
    }

    void shiftedCharactersWrapTheKeyInShift() {
        QCOMPARE(hex(asciiScanCodes('A')), QString("2a 1e 9e aa"));
        QCOMPARE(hex(asciiScanCodes('!')), QString("2a 02 82 aa"));
        QCOMPARE(hex(asciiScanCodes('"')), QString("2a 28 a8 aa"));
        QCOMPARE(hex(asciiScanCodes('~')), QString("2a 29 a9 aa"));
        QCOMPARE(hex(asciiScanCodes('_')), QString("2a 0c 8c aa"));
        QCOMPARE(hex(asciiScanCodes('?')), QString("2a 35 b5 aa"));
    }

    void everyPrintableCharacterHasAKey() {
        for (int ch = 0x20; ch <= 0x7e; ++ch) {
            auto typed = keyForAscii(uchar(ch));
            QVERIFY2(typed.has_value(), qPrintable(QString(QChar(ch))));
            QVERIFY(typed->key.make > 0 && typed->key.make < 0x80);
        }
        QVERIFY(!keyForAscii(0x80).has_value());
        QVERIFY(!keyForAscii(0xff).has_value());
    }

    void controlCharacters() {
        QCOMPARE(hex(asciiScanCodes('\r')), QString("1c 9c"));
        QCOMPARE(hex(asciiScanCodes('\n')), QString("1c 9c"));
        QCOMPARE(hex(asciiScanCodes('\t')), QString("0f 8f"));
        QCOMPARE(hex(asciiScanCodes(0x7f)), QString("0e 8e"));
        QCOMPARE(hex(asciiScanCodes(0x03)), QString("1d 2e ae 9d")); // Ctrl-C
        QCOMPARE(hex(asciiScanCodes(0x1a)), QString("1d 2c ac 9d")); // Ctrl-Z
    }

    void namedKeys() {
        QCOMPARE(hex(namedScanCodes(NamedKey::Up)), QString("e0 48 e0 c8"));
        QCOMPARE(hex(namedScanCodes(NamedKey::Left)), QString("e0 4b e0 cb"));
        QCOMPARE(hex(namedScanCodes(NamedKey::Delete)), QString("e0 53 e0 d3"));
        QCOMPARE(hex(namedScanCodes(NamedKey::F1)), QString("3b bb"));
        QCOMPARE(hex(namedScanCodes(NamedKey::F10)), QString("44 c4"));
        QCOMPARE(hex(namedScanCodes(NamedKey::F11)), QString("57 d7"));
        QCOMPARE(hex(namedScanCodes(NamedKey::F12)), QString("58 d8"));
        QCOMPARE(hex(namedScanCodes(NamedKey::Escape)), QString("01 81"));
        QCOMPARE(hex(namedScanCodes(NamedKey::Home, kModCtrl | kModShift)),
                 QString("1d 2a e0 47 e0 c7 aa 9d"));
        QCOMPARE(hex(namedScanCodes(NamedKey::F4, kModAlt)), QString("38 3e be b8"));
    }

    void terminalSequences() {
        TerminalKeyDecoder d;
        QCOMPARE(decode(d, "hi"), QString("23 a3 17 97"));
        QCOMPARE(decode(d, "\x1b[A"), QString("e0 48 e0 c8"));
        QCOMPARE(decode(d, "\x1bOB"), QString("e0 50 e0 d0"));
        QCOMPARE(decode(d, "\x1bOP"), QString("3b bb"));
        QCOMPARE(decode(d, "\x1b[15~"), QString("3f bf"));              // F5
        QCOMPARE(decode(d, "\x1b[24~"), QString("58 d8"));              // F12
        QCOMPARE(decode(d, "\x1b[3~"), QString("e0 53 e0 d3"));         // Delete
        QCOMPARE(decode(d, "\x1b[1;5C"), QString("1d e0 4d e0 cd 9d")); // Ctrl-Right
        QCOMPARE(decode(d, "\x1b[Z"), QString("2a 0f 8f aa"));          // Shift-Tab
        QCOMPARE(decode(d, "\x1bx"), QString("38 2d ad b8"));           // Alt-x
        QCOMPARE(decode(d, "\x1b\x1b"), QString("01 81"));              // Esc Esc
    }

    void sequencesSplitAcrossReads() {
        TerminalKeyDecoder d;
        QCOMPARE(decode(d, "\x1b"), QString(""));
        QVERIFY(d.escapePending());
        QCOMPARE(decode(d, "["), QString(""));
        QCOMPARE(decode(d, "1;2"), QString(""));
        QCOMPARE(decode(d, "D"), QString("2a e0 4b e0 cb aa")); // Shift-Left
        QVERIFY(!d.escapePending());
    }

    void loneEscapeIsReportedOnFlush() {
        TerminalKeyDecoder d;
        QCOMPARE(decode(d, "\x1b"), QString(""));
        QVERIFY(d.flushEscape());
        QVERIFY(!d.escapePending());
        QCOMPARE(decode(d, "\x1b["), QString(""));
        QVERIFY(!d.flushEscape()); // an unfinished sequence is not an Esc
        QCOMPARE(decode(d, "a"), QString("1e 9e"));
    }

    void debugLogNamesEachKey() {
        TerminalKeyDecoder d;
        d.feed("a\x1b[A", 4);
        QCOMPARE(int(d.log().size()), 2);
        QCOMPARE(QString::fromStdString(d.log()[0]), QString("a -> 1e 9e"));
        QCOMPARE(QString::fromStdString(d.log()[1]), QString("ESC[A -> e0 48 e0 c8"));
    }
};

QTEST_APPLESS_MAIN(TestScanCodes)
#include "tst_scan_codes.moc"
