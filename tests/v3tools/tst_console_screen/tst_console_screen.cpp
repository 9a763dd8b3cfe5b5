// The console wire format (kmod/uapi/v3vee_console.h) as libv3ctl decodes
// it: what the tools and the window draw depends on every rule here.
#include "console_screen.h"

#include <uapi/v3vee_console.h>

#include <QtTest>

#include <cerrno>

using namespace v3ctl;

namespace {

std::vector<uint8_t> concat(std::initializer_list<std::vector<uint8_t>> parts) {
    std::vector<uint8_t> out;
    for (const auto& part : parts)
        out.insert(out.end(), part.begin(), part.end());
    return out;
}

std::vector<ConsoleCell> text(const char* s, uint8_t attr) {
    std::vector<ConsoleCell> cells;
    for (; *s; ++s)
        cells.push_back(ConsoleCell{uint8_t(*s), attr});
    return cells;
}

} // namespace

class ConsoleScreenTest : public QObject {
    Q_OBJECT

private slots:
    void headerLayoutIsTheDocumentedOne() {
        QCOMPARE(sizeof(v3_console_msg), size_t(4));
        QCOMPARE(sizeof(v3_console_mode), size_t(8));
        QCOMPARE(sizeof(v3_console_cells), size_t(8));
        QCOMPARE(sizeof(v3_console_cell), size_t(2));
        QCOMPARE(sizeof(v3_console_cursor), size_t(8));
    }

    void connectSequenceBuildsTheScreen() {
        ConsoleCursor cursor;
        cursor.row = 1;
        cursor.col = 5;
        auto bytes =
            concat({encodeConsoleMode(80, 25, false), encodeConsoleCells(0, 0, text("hello", 0x1e)),
                    encodeConsoleCells(1, 78, text("!?", 0x07)), encodeConsoleCursor(cursor),
                    encodeConsoleFrameEnd()});
        ConsoleScreen screen;
        auto frames = screen.feed(bytes.data(), bytes.size());
        QVERIFY2(frames.ok(), frames.is_error() ? frames.error().message.c_str() : "");
        QCOMPARE(frames.value(), 1);
        QVERIFY(screen.hasMode());
        QCOMPARE(screen.cols(), 80);
        QCOMPARE(screen.rows(), 25);
        QVERIFY(!screen.blinkEnabled());
        QCOMPARE(screen.cell(0, 1), (ConsoleCell{'e', 0x1e}));
        QCOMPARE(screen.cell(0, 5), ConsoleCell{}); // a mode change clears to blanks
        QCOMPARE(screen.cell(1, 79).ch, uint8_t('?'));
        QCOMPARE(screen.cursor(), cursor);
        QCOMPARE(QString::fromStdString(screen.rowText(0)).trimmed(), QStringLiteral("hello"));
    }

    void messagesSplitAtEveryByteGiveTheSameScreen() {
        auto bytes =
            concat({encodeConsoleMode(40, 3, true), encodeConsoleCells(2, 10, text("split", 0x4f)),
                    encodeConsoleFrameEnd(), encodeConsoleCells(0, 0, text("x", 7)),
                    encodeConsoleFrameEnd()});
        ConsoleScreen whole;
        QCOMPARE(whole.feed(bytes.data(), bytes.size()).value(), 2);
        ConsoleScreen bytewise;
        int frames = 0;
        for (uint8_t byte : bytes) {
            auto r = bytewise.feed(&byte, 1);
            QVERIFY(r.ok());
            frames += r.value();
        }
        QCOMPARE(frames, 2);
        for (int row = 0; row < 3; ++row)
            QCOMPARE(bytewise.rowText(row), whole.rowText(row));
        QCOMPARE(bytewise.cell(2, 10).attr, uint8_t(0x4f));
    }

    void dirtyRowsNameOnlyWhatChanged() {
        ConsoleScreen screen;
        auto mode = encodeConsoleMode(80, 25, true);
        QVERIFY(screen.feed(mode.data(), mode.size()).ok());
        QCOMPARE(int(screen.takeDirtyRows().size()), 25); // a new mode repaints all
        ConsoleCursor cursor;
        cursor.row = 7;
        auto update = concat({encodeConsoleCells(3, 0, text("a", 7)), encodeConsoleCursor(cursor),
                              encodeConsoleFrameEnd()});
        QVERIFY(screen.feed(update.data(), update.size()).ok());
        // Row 3's cells, and the cursor's old row 0 and new row 7.
        QCOMPARE(screen.takeDirtyRows(), (std::vector<int>{0, 3, 7}));
        QVERIFY(screen.takeDirtyRows().empty());
    }

    void malformedMessagesAreRefusedWithAReason() {
        ConsoleScreen screen;
        auto mode = encodeConsoleMode(80, 25, true);
        QVERIFY(screen.feed(mode.data(), mode.size()).ok());
        auto outside = encodeConsoleCells(24, 78, text("abc", 7));
        auto r = screen.feed(outside.data(), outside.size());
        QVERIFY(r.is_error());
        QCOMPARE(r.error().errnum, EPROTO);
        QVERIFY2(r.error().message.find("CELLS") != std::string::npos, r.error().message.c_str());
        QCOMPARE(screen.cell(24, 78), ConsoleCell{}); // nothing of it applied

        auto badMode = encodeConsoleMode(0, 25, true);
        QVERIFY(screen.feed(badMode.data(), badMode.size()).is_error());
        QCOMPARE(screen.cols(), 80);

        // The stream goes on after a refused message.
        auto good = concat({encodeConsoleCells(0, 0, text("ok", 7)), encodeConsoleFrameEnd()});
        QCOMPARE(screen.feed(good.data(), good.size()).value(), 1);
        QCOMPARE(screen.cell(0, 1).ch, uint8_t('k'));
    }

    void unknownMessageTypesAreSkipped() {
        std::vector<uint8_t> future = {0x7f, 0, 3, 0, 1, 2, 3};
        auto bytes =
            concat({future, encodeConsoleCells(0, 0, text("z", 7)), encodeConsoleFrameEnd()});
        ConsoleScreen screen;
        QCOMPARE(screen.feed(bytes.data(), bytes.size()).value(), 1);
        QCOMPARE(screen.cell(0, 0).ch, uint8_t('z'));
    }

    void cursorOffTheScreenIsHidden() {
        ConsoleScreen screen;
        ConsoleCursor cursor;
        cursor.row = 25; // the 6845 way of hiding it: an address past the page
        auto bytes = encodeConsoleCursor(cursor);
        QVERIFY(screen.feed(bytes.data(), bytes.size()).ok());
        QVERIFY(!screen.cursor().visible);
    }

    void codePage437MapsToUnicode() {
        QCOMPARE(cp437ToUnicode('A'), U'A');
        QCOMPARE(cp437ToUnicode(0x01), U'☺');
        QCOMPARE(cp437ToUnicode(0xb3), U'│');
        QCOMPARE(cp437ToUnicode(0xc4), U'─');
        QCOMPARE(cp437ToUnicode(0xdb), U'█');
        QCOMPARE(cp437ToUnicode(0xe1), U'ß');
        QCOMPARE(cp437ToUnicode(0xfe), U'■');
        std::string utf8;
        appendUtf8(utf8, U'█');
        QCOMPARE(utf8, std::string("\xe2\x96\x88"));
    }
};

QTEST_APPLESS_MAIN(ConsoleScreenTest)
#include "tst_console_screen.moc"
