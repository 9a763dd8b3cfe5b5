// The text console tab against one end of a socket pair standing in for a
// console descriptor: encoded console messages go in at the other end and
// the rendered widget is sampled (CGA colours, brown, bright backgrounds
// versus blink, CP437 text), frames redraw only their dirty rows, the
// cursor takes the CRTC's shape and blinks, the strip says paused/stopped/
// closed, and typed keys come out as set-1 make/break codes (E0 keys,
// auto-repeat, modifiers) while the window's shortcuts keep working.
// Then the Start/Open Console choice: which consoles a config offers, the
// dialog, and the choice remembered per VM.
#include "cga_screen_widget.h"
#include "console_choice.h"
#include "console_choice_dialog.h"
#include "console_screen.h"
#include "stream_console_tab.h"
#include "text_console_tab.h"
#include "test_paths.h"
#include "vm_tabs.h"

#include <QAction>
#include <QCheckBox>
#include <QMainWindow>
#include <QMenu>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

using v3ctl::ConsoleCell;
using v3ctl::ConsoleCursor;

namespace {

std::vector<ConsoleCell> textCells(const QString& text, uint8_t attr) {
    std::vector<ConsoleCell> cells;
    for (QChar c : text)
        cells.push_back({uint8_t(c.toLatin1()), attr});
    return cells;
}

// A tab attached to a socket pair; `guest` is the module's end.
struct Console {
    TextConsoleTab tab{nullptr, vmNamed("alpha")};
    int guest = -1;

    static VmEntry vmNamed(const QString& name) {
        VmEntry vm;
        vm.name = name;
        vm.index = 0;
        vm.group = VmGroup::Active;
        vm.status = VmStatus::Running;
        return vm;
    }
    Console() {
        int fds[2];
        if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
            qFatal("socketpair failed");
        guest = fds[1];
        ::fcntl(guest, F_SETFL, O_NONBLOCK);
        tab.screen()->setBlinkPeriod(0); // pixels are sampled: nothing blinks meanwhile
        tab.resize(900, 560);
        tab.show(); // laid out at its size: cells are where the screen shows them
        if (!QTest::qWaitForWindowExposed(&tab))
            qFatal("the console tab was never shown");
        tab.attach(fds[0]);
    }
    ~Console() {
        if (guest >= 0)
            ::close(guest);
    }
    void send(const std::vector<uint8_t>& message) const {
        QVERIFY(::write(guest, message.data(), message.size()) == ssize_t(message.size()));
    }
    // The connect sequence: MODE, every row, CURSOR, FRAME_END.
    void sendScreen(bool blink, const std::vector<std::vector<ConsoleCell>>& rows,
                    const ConsoleCursor& cursor) const {
        send(v3ctl::encodeConsoleMode(80, 25, blink));
        for (int r = 0; r < 25; ++r) {
            std::vector<ConsoleCell> row(80, ConsoleCell{' ', 0x07});
            if (size_t(r) < rows.size())
                std::copy(rows[size_t(r)].begin(), rows[size_t(r)].end(), row.begin());
            send(v3ctl::encodeConsoleCells(r, 0, row));
        }
        send(v3ctl::encodeConsoleCursor(cursor));
        send(v3ctl::encodeConsoleFrameEnd());
    }
    QByteArray typed() const {
        QByteArray out;
        char buffer[256];
        ssize_t n;
        while ((n = ::read(guest, buffer, sizeof buffer)) > 0)
            out.append(buffer, n);
        return out;
    }
    CgaScreenWidget* screen() const { return tab.screen(); }
    QRgb pixel(int row, int col, double fx, double fy) const {
        const QImage image = screen()->grab().toImage();
        const QRect cell = screen()->cellRect(row, col);
        return image.pixel(cell.x() + int(fx * (cell.width() - 1)),
                           cell.y() + int(fy * (cell.height() - 1))) |
               0xFF000000u;
    }
    bool showAndFocus() {
        tab.show();
        if (!QTest::qWaitForWindowActive(&tab))
            return false;
        screen()->setFocus();
        return screen()->hasFocus();
    }
};

QString hexOf(QRgb rgb) {
    return QString::number(rgb & 0xFFFFFF, 16).rightJustified(6, '0');
}

} // namespace

class TestTextConsoleTab : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName("palacios-tests");
        QCoreApplication::setApplicationName("tst_text_console_tab");
    }

    void palette() {
        const QRgb expected[16] = {0x000000, 0x0000AA, 0x00AA00, 0x00AAAA, 0xAA0000, 0xAA00AA,
                                   0xAA5500, 0xAAAAAA, 0x555555, 0x5555FF, 0x55FF55, 0x55FFFF,
                                   0xFF5555, 0xFF55FF, 0xFFFF55, 0xFFFFFF};
        for (int i = 0; i < 16; ++i)
            QCOMPARE(hexOf(CgaScreenWidget::cgaColour(i)), hexOf(expected[i]));
    }

    void rendersCellsInCgaColours() {
        Console c;
        std::vector<ConsoleCell> row0 = textCells("Hello", 0x1E); // yellow on blue
        row0.push_back({0xDB, 0x06});                             // a brown full block
        row0.push_back({0xDB, 0x0F});                             // a white one
        row0.push_back({0xC9, 0x0A});                             // CP437 box corner
        c.sendScreen(true, {row0, textCells("  second row", 0x70)}, ConsoleCursor{5, 5});
        QTRY_COMPARE(c.tab.screen()->screen().rowText(1).substr(0, 12),
                     std::string("  second row"));
        QCOMPARE(QString::fromStdString(c.screen()->screen().rowText(0)).left(8),
                 QString("Hello██╔"));
        QCOMPARE(c.screen()->screen().cols(), 80);
        QCOMPARE(c.screen()->screen().rows(), 25);
        QCOMPARE(hexOf(c.pixel(0, 0, 0, 0)), QString("0000aa")); // H's background
        QCOMPARE(hexOf(c.pixel(0, 5, 0.5, 0.5)), QString("aa5500"));
        QCOMPARE(hexOf(c.pixel(0, 6, 0.5, 0.5)), QString("ffffff"));
        QCOMPARE(hexOf(c.pixel(1, 0, 0.5, 0.5)), QString("aaaaaa")); // grey background
        QCOMPARE(hexOf(c.pixel(2, 0, 0.5, 0.5)), QString("000000"));
        // Some ink of 'H' is yellow.
        const QImage image = c.screen()->grab().toImage();
        const QRect h = c.screen()->cellRect(0, 0);
        int yellow = 0;
        for (int y = h.top(); y <= h.bottom(); ++y)
            for (int x = h.left(); x <= h.right(); ++x)
                yellow += (image.pixel(x, y) & 0xFFFFFF) == 0xFFFF55;
        QVERIFY2(yellow > 3, qPrintable(QString::number(yellow)));
        c.tab.grab().save(testpaths::outputDir() + "/text_console_tab.png");
    }

    void blinkBitIsBlinkOrBrightBackground() {
        Console c;
        // Attribute 0xC7: grey on red, blinking (blink mode) or on light red.
        std::vector<ConsoleCell> row{{0xDB, 0xC7}, {' ', 0xC7}};
        c.sendScreen(false, {row}, ConsoleCursor{10, 10});
        QTRY_VERIFY(c.screen()->screen().hasMode());
        QTRY_COMPARE(hexOf(c.pixel(0, 1, 0.5, 0.5)), QString("ff5555"));
        QCOMPARE(hexOf(c.pixel(0, 0, 0.5, 0.5)), QString("aaaaaa")); // never blinks

        Console b;
        b.sendScreen(true, {row}, ConsoleCursor{10, 10});
        QTRY_VERIFY(b.screen()->screen().hasMode());
        QTRY_COMPARE(hexOf(b.pixel(0, 1, 0.5, 0.5)), QString("aa0000"));
        QCOMPARE(hexOf(b.pixel(0, 0, 0.5, 0.5)), QString("aaaaaa"));
        b.screen()->blinkTick(); // the cursor's half period
        b.screen()->blinkTick(); // text's half period: blinking text goes
        QVERIFY(!b.screen()->textBlinkPhaseOn());
        QCOMPARE(hexOf(b.pixel(0, 0, 0.5, 0.5)), QString("aa0000"));
        QCOMPARE(b.screen()->lastRenderedRows(), QList<int>{0}); // only the blinking row
        b.screen()->blinkTick();
        b.screen()->blinkTick();
        QCOMPARE(hexOf(b.pixel(0, 0, 0.5, 0.5)), QString("aaaaaa"));
    }

    void framesRedrawOnlyDirtyRows() {
        Console c;
        c.sendScreen(true, {}, ConsoleCursor{0, 0});
        QTRY_VERIFY(c.screen()->screen().hasMode());
        QTRY_VERIFY(c.screen()->renderedRows() >= 25);
        const int before = c.screen()->renderedRows();
        c.send(v3ctl::encodeConsoleCells(7, 3, textCells("changed", 0x4F)));
        QTest::qWait(50); // no FRAME_END yet: nothing drawn
        QCOMPARE(c.screen()->renderedRows(), before);
        QCOMPARE(hexOf(c.pixel(7, 3, 0, 0)), QString("000000"));
        c.send(v3ctl::encodeConsoleFrameEnd());
        QTRY_COMPARE(c.screen()->renderedRows(), before + 1);
        QCOMPARE(c.screen()->lastRenderedRows(), QList<int>{7});
        QCOMPARE(hexOf(c.pixel(7, 3, 0, 0)), QString("aa0000"));
        // Moving the cursor redraws its old and new rows.
        c.send(v3ctl::encodeConsoleCursor(ConsoleCursor{12, 4}));
        c.send(v3ctl::encodeConsoleFrameEnd());
        QTRY_COMPARE(c.screen()->renderedRows(), before + 3);
        QCOMPARE(c.screen()->lastRenderedRows(), QList<int>({0, 12}));
    }

    void cursorShapeAndBlink() {
        Console c;
        std::vector<std::vector<ConsoleCell>> rows(4);
        rows[3] = std::vector<ConsoleCell>(20, ConsoleCell{' ', 0x0E}); // yellow cursor colour
        ConsoleCursor underline{3, 10, true, 14, 15, 16};
        c.sendScreen(true, rows, underline);
        QTRY_COMPARE(c.screen()->screen().cursor(), underline);
        QCOMPARE(hexOf(c.pixel(3, 10, 0.5, 0.98)), QString("ffff55"));
        QCOMPARE(hexOf(c.pixel(3, 10, 0.5, 0.3)), QString("000000"));
        // A block cursor (start 0) fills the cell.
        c.send(v3ctl::encodeConsoleCursor(ConsoleCursor{3, 10, true, 0, 15, 16}));
        c.send(v3ctl::encodeConsoleFrameEnd());
        QTRY_COMPARE(hexOf(c.pixel(3, 10, 0.5, 0.1)), QString("ffff55"));
        // Hidden: start below end (as a VGA), or not visible.
        c.send(v3ctl::encodeConsoleCursor(ConsoleCursor{3, 10, true, 15, 2, 16}));
        c.send(v3ctl::encodeConsoleFrameEnd());
        QTRY_COMPARE(hexOf(c.pixel(3, 10, 0.5, 0.98)), QString("000000"));
        c.send(v3ctl::encodeConsoleCursor(ConsoleCursor{3, 10, false, 0, 15, 16}));
        c.send(v3ctl::encodeConsoleFrameEnd());
        QTRY_VERIFY(!c.screen()->screen().cursor().visible);
        QCOMPARE(hexOf(c.pixel(3, 10, 0.5, 0.5)), QString("000000"));
        // Blinking: one tick hides the cursor, the next shows it.
        c.send(v3ctl::encodeConsoleCursor(underline));
        c.send(v3ctl::encodeConsoleFrameEnd());
        QTRY_COMPARE(hexOf(c.pixel(3, 10, 0.5, 0.98)), QString("ffff55"));
        c.screen()->blinkTick();
        QCOMPARE(hexOf(c.pixel(3, 10, 0.5, 0.98)), QString("000000"));
        c.screen()->blinkTick();
        QCOMPARE(hexOf(c.pixel(3, 10, 0.5, 0.98)), QString("ffff55"));
        // And the clock runs by itself while the tab is shown.
        c.screen()->setBlinkPeriod(100);
        c.tab.show();
        const bool phase = c.screen()->cursorPhaseOn();
        QTRY_VERIFY_WITH_TIMEOUT(c.screen()->cursorPhaseOn() != phase, 2000);
    }

    void zoomKeepsTheAspect() {
        Console c;
        c.sendScreen(true, {}, ConsoleCursor{});
        QVERIFY(c.showAndFocus());
        QTRY_VERIFY(c.screen()->screen().hasMode());
        const QSize fitted = c.screen()->cellSize();
        QVERIFY(fitted.width() * 80 <= c.screen()->width());
        QVERIFY(fitted.height() * 25 <= c.screen()->height());
        QTest::keyClick(c.screen(), Qt::Key_Plus, Qt::ControlModifier);
        QVERIFY(c.screen()->zoom() > 0);
        QVERIFY(c.screen()->cellSize().height() > fitted.height());
        QTest::keyClick(c.screen(), Qt::Key_Minus, Qt::ControlModifier);
        QTest::keyClick(c.screen(), Qt::Key_Minus, Qt::ControlModifier);
        QVERIFY(c.screen()->cellSize().height() < fitted.height());
        QTest::keyClick(c.screen(), Qt::Key_0, Qt::ControlModifier);
        QCOMPARE(c.screen()->zoom(), 0.0);
        QTRY_COMPARE(c.screen()->cellSize(), fitted); // once the scroll bars have gone
        // None of it reached the guest but the Ctrl key itself.
        const QByteArray typed = c.typed();
        QVERIFY2(!typed.contains('\x0d') && !typed.contains('\x0c') && !typed.contains('\x0b'),
                 typed.toHex().constData());
        // A bigger tab gives bigger cells.
        c.tab.resize(1400, 900);
        QTRY_VERIFY(c.screen()->cellSize().height() > fitted.height());
    }

    void keysBecomeScanCodes() {
        Console c;
        c.sendScreen(true, {}, ConsoleCursor{});
        QVERIFY(c.showAndFocus());
        QTest::keyClick(c.screen(), Qt::Key_A);
        QCOMPARE(c.typed().toHex(), QByteArray("1e9e"));
        QTest::keyClick(c.screen(), Qt::Key_A, Qt::ShiftModifier);
        QCOMPARE(c.typed().toHex(), QByteArray("2a1e9eaa"));
        QTest::keyClick(c.screen(), Qt::Key_Up);
        QCOMPARE(c.typed().toHex(), QByteArray("e048e0c8"));
        QTest::keyClick(c.screen(), Qt::Key_Delete); // the window's Delete stays the guest's
        QCOMPARE(c.typed().toHex(), QByteArray("e053e0d3"));
        QTest::keyClick(c.screen(), Qt::Key_F5);
        QCOMPARE(c.typed().toHex(), QByteArray("3fbf"));
        QTest::keyClick(c.screen(), Qt::Key_Tab);
        QCOMPARE(c.typed().toHex(), QByteArray("0f8f"));
        QVERIFY(c.screen()->hasFocus()); // Tab did not move the focus
        QTest::keyClick(c.screen(), Qt::Key_Escape);
        QTest::keyClick(c.screen(), Qt::Key_Backspace);
        QTest::keyClick(c.screen(), Qt::Key_Return);
        QTest::keyClick(c.screen(), Qt::Key_Enter, Qt::KeypadModifier);
        QCOMPARE(c.typed().toHex(), QByteArray("01810e8e1c9ce01ce09c"));
        QTest::keyClick(c.screen(), Qt::Key_C, Qt::ControlModifier);
        QCOMPARE(c.typed().toHex(), QByteArray("1d2eae9d"));
        QTest::keyClick(c.screen(), Qt::Key_F, Qt::AltModifier); // not the menu's Alt+F
        QCOMPARE(c.typed().toHex(), QByteArray("3821a1b8"));
        QTest::keyClick(c.screen(), Qt::Key_Pause);
        QCOMPARE(c.typed().toHex(), QByteArray("e11d45e19dc5"));

        // Auto-repeat: the make code again, one break at the end.
        QKeyEvent press(QEvent::KeyPress, Qt::Key_B, Qt::NoModifier, "b");
        QKeyEvent repeatRelease(QEvent::KeyRelease, Qt::Key_B, Qt::NoModifier, "b", true);
        QKeyEvent repeatPress(QEvent::KeyPress, Qt::Key_B, Qt::NoModifier, "b", true);
        QKeyEvent release(QEvent::KeyRelease, Qt::Key_B, Qt::NoModifier, "b");
        for (QKeyEvent* e :
             {&press, &repeatRelease, &repeatPress, &repeatRelease, &repeatPress, &release})
            QApplication::sendEvent(c.screen(), e);
        QCOMPARE(c.typed().toHex(), QByteArray("303030b0"));

        // A key held when the focus leaves is released for the guest.
        QTest::keyPress(c.screen(), Qt::Key_Shift);
        QCOMPARE(c.typed().toHex(), QByteArray("2a"));
        c.screen()->clearFocus();
        QCOMPARE(c.typed().toHex(), QByteArray("aa"));
    }

    void windowShortcutsStillWork() {
        Console c;
        QAction start("Start");
        start.setShortcut(QKeySequence("Ctrl+Shift+R"));
        c.tab.addAction(&start); // a window shortcut, as the main window's actions are
        QSignalSpy started(&start, &QAction::triggered);
        QAction remove("Delete");
        remove.setShortcut(QKeySequence::Delete);
        c.tab.addAction(&remove);
        QSignalSpy removed(&remove, &QAction::triggered);
        c.sendScreen(true, {}, ConsoleCursor{});
        QVERIFY(c.showAndFocus());
        QTest::keyClick(c.screen(), Qt::Key_R, Qt::ControlModifier | Qt::ShiftModifier);
        QCOMPARE(started.count(), 1);
        const QByteArray typed = c.typed();
        QVERIFY2(!typed.contains('\x13') && !typed.contains(char(0x93)), typed.toHex().constData());
        QVERIFY(c.screen()->hasFocus());
        QTest::keyClick(c.screen(), Qt::Key_Delete);
        QCOMPARE(removed.count(), 0);
        QCOMPARE(c.typed().toHex(), QByteArray("e053e0d3"));
    }

    void sendKeyMenu() {
        Console c;
        c.sendScreen(true, {}, ConsoleCursor{});
        QTRY_VERIFY(c.screen()->screen().hasMode());
        const QList<QAction*> actions = c.tab.sendKeyMenu()->actions();
        QAction* cad = nullptr;
        QAction* f2 = nullptr;
        for (QAction* a : actions) {
            if (a->text() == "Ctrl+Alt+Del")
                cad = a;
            if (a->text() == "Ctrl+Alt+F2")
                f2 = a;
        }
        QVERIFY(cad && f2);
        cad->trigger();
        QCOMPARE(c.typed().toHex(), QByteArray("1d38e053e0d3b89d"));
        f2->trigger();
        QCOMPARE(c.typed().toHex(), QByteArray("1d383cbcb89d"));
    }

    void bannersAndClosing() {
        Console c;
        c.sendScreen(true, {}, ConsoleCursor{});
        QTRY_VERIFY(c.screen()->screen().hasMode());
        QVERIFY(c.tab.statusText().contains("connected"));
        QVERIFY(c.screen()->inputEnabled());
        c.tab.setVmStatus(VmStatus::Paused);
        QVERIFY(c.tab.statusText().contains("paused"));
        QVERIFY(c.screen()->inputEnabled()); // keys queue in the keyboard while paused
        c.tab.setVmStatus(VmStatus::Stopped);
        QVERIFY(c.tab.statusText().contains("stopped"));
        QVERIFY(!c.screen()->inputEnabled());
        QVERIFY(c.showAndFocus());
        QTest::keyClick(c.screen(), Qt::Key_A);
        QCOMPARE(c.typed(), QByteArray());
        c.tab.setVmStatus(VmStatus::Running);
        QVERIFY(!c.tab.statusText().contains("stopped"));
        QVERIFY(c.screen()->inputEnabled());
        // The module's end goes away: the tab says so and keeps the last screen.
        QSignalSpy closed(&c.tab, &TextConsoleTab::closed);
        ::close(c.guest);
        c.guest = -1;
        QTRY_COMPARE(closed.count(), 1);
        QVERIFY(!c.tab.isOpen());
        QVERIFY(c.tab.statusText().contains("closed: the console ended"));
        QVERIFY(!c.screen()->inputEnabled());
        QVERIFY(c.screen()->screen().hasMode());
    }

    void malformedMessagesCloseWithTheReason() {
        Console c;
        c.sendScreen(true, {}, ConsoleCursor{});
        QTRY_VERIFY(c.screen()->screen().hasMode());
        // A CELLS message whose count disagrees with its length.
        std::vector<uint8_t> bad = v3ctl::encodeConsoleCells(0, 0, textCells("ab", 0x07));
        bad[8] = 9;
        c.send(bad);
        QTRY_VERIFY(!c.tab.isOpen());
        QVERIFY2(c.tab.statusText().contains("malformed CELLS"), qPrintable(c.tab.statusText()));
    }

    void severalVmsAtOnce() {
        Console a, b;
        a.sendScreen(true, {textCells("first VM", 0x1F)}, ConsoleCursor{});
        b.sendScreen(false, {textCells("second VM", 0x2F)}, ConsoleCursor{});
        QTRY_VERIFY(a.screen()->screen().hasMode() && b.screen()->screen().hasMode());
        QCOMPARE(QString::fromStdString(a.screen()->screen().rowText(0)).trimmed(),
                 QString("first VM"));
        QCOMPARE(QString::fromStdString(b.screen()->screen().rowText(0)).trimmed(),
                 QString("second VM"));
        QCOMPARE(hexOf(a.pixel(0, 0, 0, 0)), QString("0000aa"));
        QCOMPARE(hexOf(b.pixel(0, 0, 0, 0)), QString("00aa00"));
        a.send(v3ctl::encodeConsoleCells(1, 0, textCells("more", 0x07)));
        a.send(v3ctl::encodeConsoleFrameEnd());
        QTRY_COMPARE(QString::fromStdString(a.screen()->screen().rowText(1)).trimmed(),
                     QString("more"));
        QVERIFY(QString::fromStdString(b.screen()->screen().rowText(1)).trimmed().isEmpty());
    }

    // --- Which console: the options, the dialog, the remembered choice.

    void optionsFromTheConfig() {
        VmConfigSummary both = VmConfigSummary::parse(
            "<vm class='PC'><devices><device class='SERIAL' id='serial'/>"
            "<device class='CHAR_STREAM' id='s1' name='com1'><frontend tag='serial'/></device>"
            "<device class='CHAR_STREAM' id='s2' name='com2'><frontend tag='serial'/></device>"
            "<device class='CGA_VIDEO' id='cga' passthrough='disable'/>"
            "<device class='CURSES_CONSOLE' id='curses'><frontend tag='cga'/></device>"
            "</devices></vm>",
            "/x.xml");
        const QList<ConsoleOption> options = consolechoice::optionsFor(both);
        QCOMPARE(options.size(), 3);
        QCOMPARE(options[0].key(), QString("stream:com1"));
        QCOMPARE(options[1].key(), QString("stream:com2"));
        QCOMPARE(options[2].key(), QString("text"));
        QCOMPARE(ConsoleOption::fromKey("stream:com2"), options[1]);
        QCOMPARE(ConsoleOption::fromKey("text"), options[2]);
        QVERIFY(!ConsoleOption::fromKey("vnc"));
        VmConfigSummary streamOnly = VmConfigSummary::parse(
            "<vm class='PC'><devices><device class='CHAR_STREAM' id='s' name='com1'/>"
            "<device class='VGA' id='vga'/></devices></vm>",
            "/x.xml");
        QCOMPARE(consolechoice::optionsFor(streamOnly).size(), 1); // no VNC view to offer
    }

    void dialogOffersEachConsole() {
        const QList<ConsoleOption> options{{ConsoleOption::Kind::Stream, "com1"},
                                           {ConsoleOption::Kind::Text, {}}};
        ConsoleChoiceDialog fresh("alpha", options, std::nullopt);
        QCOMPARE(fresh.choice().option, options[0]);
        QVERIFY(!fresh.choice().remember);
        QVERIFY(fresh.findChild<QAbstractButton*>("console:text"));
        fresh.select(1);
        fresh.rememberBox()->setChecked(true);
        QCOMPARE(fresh.choice().option, options[1]);
        QVERIFY(fresh.choice().remember);
        ConsoleChoiceDialog again("alpha", options, options[1]);
        QCOMPARE(again.choice().option, options[1]);
        QVERIFY(again.rememberBox()->isChecked());
    }

    void startAsksOnceRemembered() {
        QTemporaryDir dir;
        const QString config = dir.filePath("both.xml");
        QFile file(config);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("<vm class='PC'><devices><device class='KEYBOARD' id='kbd'/>"
                   "<device class='CHAR_STREAM' id='s1' name='com1'/>"
                   "<device class='CGA_VIDEO' id='cga' passthrough='disable'/>"
                   "<device class='CURSES_CONSOLE' id='curses'><frontend tag='cga'/></device>"
                   "</devices></vm>");
        file.close();
        VmEntry vm = Console::vmNamed("beta");
        vm.configPath = config;
        consolechoice::forget({}, vm);

        QMainWindow window;
        auto* tabs = new VmTabs(nullptr);
        window.setCentralWidget(tabs);
        int asked = 0;
        std::optional<ConsoleOption> offered;
        bool rememberIt = true;
        tabs->setConsoleChooser([&](const VmEntry&, const QList<ConsoleOption>& options,
                                    const std::optional<ConsoleOption>& preselected,
                                    std::function<void(const ConsoleChoice&)> chosen) {
            ++asked;
            offered = preselected;
            QCOMPARE(options.size(), 2);
            chosen({options[1], rememberIt}); // the text console
        });
        tabs->openConsolesOf(vm);
        QTRY_COMPARE(tabs->textConsoleTabs().size(), 1);
        QCOMPARE(asked, 1);
        QVERIFY(!offered);
        QCOMPARE(tabs->consoleTabs().size(), 0);
        QCOMPARE(tabs->currentWidget(), tabs->textConsoleTabs().first());
        QCOMPARE(tabs->tabText(tabs->currentIndex()), QString("beta: screen"));

        // Start again: the remembered console, without asking.
        tabs->openConsolesOf(vm, VmTabs::Ask::UnlessRemembered);
        QTest::qWait(200);
        QCOMPARE(asked, 1);
        QTRY_COMPARE(tabs->textConsoleTabs().size(), 2); // the first was never connected
        // Open Console asks anyway, offering the remembered one first.
        rememberIt = false;
        tabs->openConsolesOf(vm, VmTabs::Ask::Always);
        QTRY_COMPARE(asked, 2);
        QVERIFY(offered && offered->kind == ConsoleOption::Kind::Text);
        // Not remembered any more: Start asks.
        tabs->openConsolesOf(vm);
        QTRY_COMPARE(asked, 3);
        // Another VM of the same name but another config is asked afresh.
        VmEntry other = vm;
        other.configPath = dir.filePath("other.xml");
        QVERIFY(QFile::copy(config, other.configPath));
        consolechoice::remember({}, vm, {ConsoleOption::Kind::Text, {}});
        tabs->openConsolesOf(other);
        QTRY_COMPARE(asked, 4);
        consolechoice::forget({}, vm);
        consolechoice::forget({}, other);
    }

    void aSingleConsoleOpensWithoutAsking() {
        QMainWindow window;
        auto* tabs = new VmTabs(nullptr);
        window.setCentralWidget(tabs);
        int asked = 0;
        tabs->setConsoleChooser([&](auto&&...) { ++asked; });
        VmEntry vm = Console::vmNamed("gamma");
        vm.configPath = QString(PALACIOS_SOURCE_ROOT) + "/resources/configs/minimal-serial.xml";
        tabs->openConsolesOf(vm);
        QTRY_COMPARE(tabs->consoleTabs().size(), 1);
        QCOMPARE(asked, 0);
        QCOMPARE(tabs->consoleTabs().first()->streamName(), QString("com1"));
    }
};

QTEST_MAIN(TestTextConsoleTab)
#include "tst_text_console_tab.moc"
