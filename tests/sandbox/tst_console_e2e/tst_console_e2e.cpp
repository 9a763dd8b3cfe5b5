// End to end: the real Palacios window against the real sandbox, with the
// console test guest (tests/guests/console_echo.S: a CGA_VIDEO screen that
// echoes the keys it reads from the 8042). The VM is put in the inventory
// as the wizard would, activated and started through the window's actions;
// Start opens the text console (chosen when the config also has streams);
// the test types into the console tab and finds its keys echoed on the
// guest's screen, then compares the rendered cells with the screen model
// (each cell's background colour is the CGA colour its attribute names).
// The guest image is built by `make`; without it the test fails.
#include "cga_screen_widget.h"
#include "host_session.h"
#include "inventory.h"
#include "inventory_model.h"
#include "main_window.h"
#include "message_bar.h"
#include "test_paths.h"
#include "text_console_tab.h"
#include "vm_tabs.h"

#include <QAction>
#include <QProcess>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QtTest>

namespace {

const QString kVm = "console-e2e";

QString screenText(const v3ctl::ConsoleScreen& screen) {
    QStringList rows;
    for (int r = 0; r < screen.rows(); ++r)
        rows << QString::fromStdString(screen.rowText(r));
    return rows.join('\n');
}

} // namespace

class TestConsoleE2e : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void typeIntoTheTextConsoleOfTheEchoGuest() {
        const QString config = testpaths::buildRoot() + "/guests/console_echo.xml";
        const QString image = testpaths::buildRoot() + "/guests/console_echo.img";
        QVERIFY2(QFile::exists(config) && QFile::exists(image),
                 qPrintable("missing " + image +
                            " or its XML: the console test guest "
                            "(tests/guests/console_echo.S) is built by make"));

        QTemporaryDir runDir, stateDir;
        QVERIFY(runDir.isValid() && stateDir.isValid());
        qputenv("PALACIOS_SANDBOX_DIR", runDir.path().toLocal8Bit());
        qputenv("PALACIOS_BUILD", testpaths::buildRoot().toLocal8Bit());
        qputenv("PALACIOS_INVENTORY", stateDir.filePath("inventory.db").toLocal8Bit());
        auto powerOff = qScopeGuard([&] {
            QProcess::execute(testpaths::sandboxScript(), {"stop", "--dir", runDir.path()});
        });
        {
            auto inv = inventory::Inventory::open(stateDir.filePath("inventory.db").toStdString());
            QVERIFY2(inv, inv ? "" : inv.error().message.c_str());
            inventory::NewVm vm;
            vm.name = kVm.toStdString();
            vm.host = "sandbox";
            vm.config_path = config.toStdString();
            vm.image_path = image.toStdString();
            vm.state = inventory::VmState::Inactive;
            auto added = inv.value().add(vm);
            QVERIFY2(added, added ? "" : added.error().message.c_str());
        }

        HostSession session;
        MainWindow window(&session, "sandbox");
        window.setConfirmer([](const QString&, const QString&) { return true; });
        // Delete frees it and drops the record; the guest's files are the
        // build's, shared with other tests, and stay.
        window.setDeleteChooser([](const VmEntry&) { return DeleteScope::Inventory; });
        window.setPollInterval(250);
        window.resize(1100, 750);
        auto* tabs = qobject_cast<VmTabs*>(window.tabWidget());
        QVERIFY(tabs);
        int asked = 0;
        tabs->setConsoleChooser([&](const VmEntry&, const QList<ConsoleOption>& options,
                                    const std::optional<ConsoleOption>&,
                                    std::function<void(const ConsoleChoice&)> chosen) {
            ++asked;
            for (const ConsoleOption& o : options)
                if (o.kind == ConsoleOption::Kind::Text)
                    chosen({o, false});
        });
        QSignalSpy connected(&session, &HostSession::connected);
        QSignalSpy failed(&session, &HostSession::connectionFailed);
        window.show();
        QTRY_VERIFY_WITH_TIMEOUT(connected.count() + failed.count() > 0, 180000);
        QVERIFY2(failed.isEmpty(),
                 failed.isEmpty() ? "" : qPrintable(failed.first().at(1).toString()));
        auto vm = [&]() { return window.inventoryModel()->findVm(kVm); };
        QTRY_VERIFY_WITH_TIMEOUT(vm() != nullptr, 20000);

        QVERIFY(window.selectVm(kVm));
        QTRY_VERIFY(window.action(VmAction::Activate)->isEnabled());
        window.action(VmAction::Activate)->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(vm() && vm()->status == VmStatus::Created, 60000);
        QTRY_VERIFY(window.action(VmAction::Start)->isEnabled());
        window.action(VmAction::Start)->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(vm() && vm()->status == VmStatus::Running, 30000);

        QTRY_COMPARE_WITH_TIMEOUT(tabs->textConsoleTabs().size(), 1, 20000);
        TextConsoleTab* console = tabs->textConsoleTabs().first();
        QCOMPARE(console->vmName(), kVm);
        QTRY_VERIFY_WITH_TIMEOUT(console->isOpen(), 20000);
        CgaScreenWidget* screen = console->screen();
        QTRY_VERIFY_WITH_TIMEOUT(screen->screen().hasMode(), 30000);
        QCOMPARE(screen->screen().cols(), 80);
        QCOMPARE(screen->screen().rows(), 25);
        qInfo("asked which console %d time(s); the guest's first screen:\n%s", asked,
              qPrintable(screenText(screen->screen())));

        // Type: the guest echoes the keys it reads from the 8042.
        tabs->setCurrentWidget(console);
        QVERIFY(QTest::qWaitForWindowActive(&window));
        screen->setFocus();
        QTRY_VERIFY(screen->hasFocus());
        QTest::keyClicks(screen, "hello");
        QTRY_VERIFY_WITH_TIMEOUT(screenText(screen->screen()).contains("hello"), 30000);
        QVERIFY(window.grab().save(testpaths::outputDir() + "/console_e2e_typed.png"));

        // The rendered cells agree with the model: each cell's top-left
        // pixel is its attribute's background colour (blink or bright per
        // MODE), and the typed text is in the model's rows.
        screen->setBlinkPeriod(0);
        const QImage shot = screen->grab().toImage();
        const v3ctl::ConsoleScreen& model = screen->screen();
        int compared = 0;
        for (int r = 0; r < model.rows(); ++r) {
            for (int c = 0; c < model.cols(); ++c) {
                const v3ctl::ConsoleCell& cell = model.cell(r, c);
                // ASCII glyphs leave the cell's top-left pixel alone (box,
                // block and fallback-font glyphs may not).
                if (cell.ch != 0 && cell.ch != 0xFF && (cell.ch < 0x20 || cell.ch > 0x7e))
                    continue;
                const v3ctl::ConsoleCursor& cur = model.cursor();
                if (cur.visible && cur.row == r && cur.col == c)
                    continue;
                const int bg = model.blinkEnabled() ? (cell.attr >> 4) & 7 : cell.attr >> 4;
                const QRect box = screen->cellRect(r, c);
                QCOMPARE(QString::number(shot.pixel(box.topLeft()) & 0xFFFFFF, 16),
                         QString::number(CgaScreenWidget::cgaColour(bg) & 0xFFFFFF, 16));
                ++compared;
            }
        }
        QVERIFY(compared > 1000);
        QVERIFY2(window.messageBar()->text().isEmpty(), qPrintable(window.messageBar()->text()));

        // Stop: the tab says so and takes no more keys.
        QTRY_VERIFY(window.action(VmAction::Stop)->isEnabled());
        window.action(VmAction::Stop)->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(vm() && vm()->status == VmStatus::Stopped, 30000);
        QTRY_VERIFY_WITH_TIMEOUT(console->statusText().contains("stopped"), 10000);
        QVERIFY(!screen->inputEnabled());
        window.action(VmAction::Delete)->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(vm() == nullptr, 30000);
        window.close();
    }
};

QTEST_MAIN(TestConsoleE2e)
#include "tst_console_e2e.moc"
