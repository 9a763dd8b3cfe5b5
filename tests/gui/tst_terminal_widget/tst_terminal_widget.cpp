// The libvterm terminal against recorded ANSI streams: cursor movement,
// SGR colours (16, 256, true colour), erasing, scrollback, resize, keys sent
// as a terminal sends them, paste, selection/copy, repaint coalescing, and
// the time 1 MB of output takes (measured and reported; asserted loosely).
#include "terminal_screen.h"
#include "terminal_widget.h"
#include "test_paths.h"

#include <QApplication>
#include <QClipboard>
#include <QElapsedTimer>
#include <QScrollBar>
#include <QSignalSpy>
#include <QtTest>

#include <vterm_keycodes.h>

class TestTerminalWidget : public QObject {
    Q_OBJECT

private slots:
    void cursorMovementAndErase() {
        TerminalScreen s(5, 20);
        s.feed("hello\r\nworld");
        QCOMPARE(s.lineText(0), QString("hello"));
        QCOMPARE(s.lineText(1), QString("world"));
        QCOMPARE(s.cursor(), QPoint(5, 1));
        s.feed("\x1b[1;3HX"); // CUP row 1 col 3 (1-based)
        QCOMPARE(s.lineText(0), QString("heXlo"));
        s.feed("\x1b[2;1H\x1b[K"); // erase the second line
        QCOMPARE(s.lineText(1), QString());
        s.feed("\x1b[4;10Habc\x1b[2D!"); // cursor back 2
        QCOMPARE(s.lineText(3), QString("         a!c"));
        s.feed("\x1b[2J\x1b[H");
        for (int r = 0; r < 5; ++r)
            QCOMPARE(s.lineText(r), QString());
        QCOMPARE(s.cursor(), QPoint(0, 0));
    }

    void colours() {
        TerminalScreen s(3, 30);
        s.feed(
            "\x1b[31mred\x1b[0m \x1b[1;42mbold-on-green\x1b[0m \x1b[38;5;208mo\x1b[38;2;1;2;3mt");
        QCOMPARE(s.cellAt(0, 0).fg, qRgb(0xe0, 0x00, 0x00)); // libvterm's red
        QCOMPARE(s.cellAt(0, 3).fg, s.defaultForeground());
        QCOMPARE(s.cellAt(0, 3).bg, s.defaultBackground());
        const TerminalScreen::Cell green = s.cellAt(0, 4);
        QVERIFY(green.flags & TerminalScreen::Bold);
        QCOMPARE(green.bg, qRgb(0x00, 0xe0, 0x00));
        // 256-colour 208 = cube (5,2,0); libvterm steps the cube by 0x33
        QCOMPARE(s.cellAt(0, 18).fg, qRgb(0xff, 0x66, 0x00));
        QCOMPARE(s.cellAt(0, 19).fg, qRgb(1, 2, 3));
        s.feed("\x1b[0;7m\rR");
        QCOMPARE(s.cellAt(0, 0).bg, s.defaultForeground()); // reverse video
    }

    void scrollbackKeepsWhatScrolledOff() {
        TerminalScreen s(3, 10);
        for (int i = 0; i < 10; ++i)
            s.feed(QByteArray("line") + QByteArray::number(i) + "\r\n");
        QCOMPARE(s.scrollbackCount(), 8);
        QCOMPARE(TerminalScreen::textOf(s.scrollbackLine(0)), QString("line0"));
        QCOMPARE(TerminalScreen::textOf(s.scrollbackLine(7)), QString("line7"));
        QCOMPARE(s.lineText(0), QString("line8"));
        // Growing the screen brings lines back from the scrollback.
        s.resize(5, 10);
        QCOMPARE(s.scrollbackCount(), 6);
        QCOMPARE(s.lineText(0), QString("line6"));
        QCOMPARE(s.rows(), 5);
    }

    void resizeFollowsTheWidget() {
        TerminalWidget w;
        w.resize(600, 300);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        const QSize cell = w.cellSize();
        QCOMPARE(w.screen()->cols(), w.viewport()->width() / cell.width());
        QCOMPARE(w.screen()->rows(), w.viewport()->height() / cell.height());
        w.resize(400, 200);
        QTRY_COMPARE(w.screen()->cols(), w.viewport()->width() / cell.width());
    }

    void keysBecomeTerminalBytes() {
        TerminalWidget w;
        w.show();
        QSignalSpy input(&w, &TerminalWidget::inputReady);
        auto sent = [&]() {
            QByteArray all;
            for (const QList<QVariant>& call : input)
                all += call.at(0).toByteArray();
            input.clear();
            return all;
        };
        QTest::keyClicks(&w, "ls");
        QTest::keyClick(&w, Qt::Key_Return);
        QCOMPARE(sent(), QByteArray("ls\r"));
        QTest::keyClick(&w, Qt::Key_Up);
        QCOMPARE(sent(), QByteArray("\x1b[A"));
        QTest::keyClick(&w, Qt::Key_C, Qt::ControlModifier);
        QCOMPARE(sent(), QByteArray("\x03"));
        QTest::keyClick(&w, Qt::Key_Backspace);
        QCOMPARE(sent(), QByteArray("\x7f"));
        QTest::keyClick(&w, Qt::Key_Tab);
        QCOMPARE(sent(), QByteArray("\t"));
        // The guest asks for the cursor position: the answer goes back too.
        w.feed("ab\x1b[6n");
        QCOMPARE(sent(), QByteArray("\x1b[1;3R"));
        // No input while the VM cannot take it.
        w.setInputEnabled(false);
        QTest::keyClicks(&w, "x");
        QCOMPARE(sent(), QByteArray());
    }

    void pasteAndCopy() {
        TerminalWidget w;
        w.show();
        QSignalSpy input(&w, &TerminalWidget::inputReady);
        QApplication::clipboard()->setText("echo 1\necho 2");
        w.pasteClipboard();
        QByteArray all;
        for (const QList<QVariant>& call : input)
            all += call.at(0).toByteArray();
        QCOMPARE(all, QByteArray("echo 1\recho 2"));

        w.feed("first line\r\nsecond");
        w.selectAll();
        QVERIFY(w.selectedText().startsWith("first line\nsecond"));
        w.copy();
        QVERIFY(QApplication::clipboard()->text().startsWith("first line\nsecond"));
    }

    void repaintsAreCoalesced() {
        TerminalWidget w;
        w.resize(640, 400);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QTest::qWait(50);
        const int before = w.repaintCount();
        for (int i = 0; i < 2000; ++i)
            w.feed(QByteArray("output line ") + QByteArray::number(i) + "\r\n");
        QTRY_VERIFY(w.repaintCount() > before);
        QTest::qWait(50);
        QVERIFY2(w.repaintCount() - before < 20,
                 qPrintable(QString("%1 repaints for 2000 writes").arg(w.repaintCount() - before)));
        // The view follows the output to the bottom.
        QCOMPARE(w.verticalScrollBar()->value(), w.verticalScrollBar()->maximum());
        QCOMPARE(w.screen()->lineText(w.screen()->rows() - 2), QString("output line 1999"));
    }

    void oneMegabyteOfOutput() {
        // A recorded-style stream: coloured log lines with cursor motion.
        QByteArray chunk;
        for (int i = 0; chunk.size() < 64 * 1024; ++i)
            chunk += "\x1b[32m[" + QByteArray::number(i) +
                     "]\x1b[0m kernel: \x1b[1mboot\x1b[0m "
                     "message with some text to fill the line\x1b[K\r\n";
        TerminalWidget w;
        w.resize(800, 500);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QElapsedTimer clock;
        clock.start();
        qint64 fed = 0;
        while (fed < 1024 * 1024) {
            w.feed(chunk);
            fed += chunk.size();
        }
        QCoreApplication::processEvents();
        const qint64 ms = clock.elapsed();
        qInfo("terminal: %lld bytes parsed and painted in %lld ms", fed, ms);
        QVERIFY2(ms < 5000, qPrintable(QString("1 MB took %1 ms").arg(ms))); // loose: machines vary
        QCOMPARE(w.screen()->scrollbackCount(), TerminalScreen::kMaxScrollback);
        w.feed("\x1b[31mthe end\x1b[0m");
        QTest::qWait(40);
        w.grab().save(testpaths::outputDir() + "/terminal_widget.png");
    }
};

QTEST_MAIN(TestTerminalWidget)
#include "tst_terminal_widget.moc"
