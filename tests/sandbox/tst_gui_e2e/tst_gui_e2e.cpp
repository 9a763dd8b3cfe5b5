// End to end: the real Palacios window against the real sandbox, driven the
// way a user would: the New VM wizard composes a VM around the spin guest's
// ROM (build_vm builds the image), then Activate, Start (the console tab
// shows the guest's output), Pause, Continue, Stop, Restart (the stopped VM
// reset and booted again) and Delete with its files through the window's own
// actions, with the sandbox's boot stages shown on the way. After every step the window's inventory
// model and the host itself (asked by the test on the session's host worker) agree on the VM's
// state. Screenshots go to the test output folder; the sandbox is always powered off.
#include "host_connection.h"
#include "guest_ops.h"
#include "host_session.h"
#include "inventory.h"
#include "inventory_model.h"
#include "main_window.h"
#include "message_bar.h"
#include "new_vm_wizard.h"
#include "path_field.h"
#include "sandbox_boot_progress.h"
#include "stream_console_tab.h"
#include "terminal_screen.h"
#include "terminal_widget.h"
#include "test_paths.h"
#include "wizard_compose_page.h"
#include "wizard_name_page.h"
#include "wizard_source_page.h"

#include <QAbstractButton>
#include <QAction>
#include <QCheckBox>
#include <QLineEdit>
#include <QProcess>
#include <QRadioButton>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QtTest>

#include <optional>

namespace {

const QString kVm = "spin-e2e";

// Everything the console shows: the scrollback, then the screen.
QString consoleText(StreamConsoleTab* console) {
    const TerminalScreen* screen = console->terminal()->screen();
    QStringList lines;
    for (int i = 0; i < screen->scrollbackCount(); ++i) {
        QString line;
        for (const TerminalScreen::Cell& cell : screen->scrollbackLine(i))
            line += cell.ch ? QString::fromUcs4(&cell.ch, 1) : QString(" ");
        lines << line.trimmed();
    }
    for (int row = 0; row < screen->rows(); ++row)
        lines << screen->lineText(row);
    return lines.join('\n');
}

// The highest "beat N" the guest has printed so far; 0 if none yet.
int lastBeat(const QString& text) {
    int beat = 0;
    auto it = QRegularExpression(R"(beat (\d+))").globalMatch(text);
    while (it.hasNext())
        beat = std::max(beat, it.next().captured(1).toInt());
    return beat;
}

} // namespace

class TestGuiE2e : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void wizardToDeleteAgainstTheSandbox() {
        const QString spinRom = testpaths::buildRoot() + "/guests/spin.bin";
        const QString buildVm = testpaths::buildRoot() + "/bin/build_vm";
        QVERIFY2(QFile::exists(spinRom), qPrintable("missing " + spinRom + "; build the guests"));
        QVERIFY2(QFileInfo(buildVm).isExecutable(), qPrintable("missing " + buildVm));

        QTemporaryDir runDir;   // the private sandbox
        QTemporaryDir stateDir; // the private inventory and the images the wizard builds
        QVERIFY(runDir.isValid() && stateDir.isValid());
        qputenv("PALACIOS_SANDBOX_DIR", runDir.path().toLocal8Bit());
        qputenv("PALACIOS_BUILD", testpaths::buildRoot().toLocal8Bit());
        qputenv("PALACIOS_INVENTORY", stateDir.filePath("inventory.db").toLocal8Bit());
        qputenv("PALACIOS_BUILD_VM", buildVm.toLocal8Bit());
        // Whatever happens below, no QEMU outlives the test (runs after the
        // window and the session are gone).
        auto powerOff = qScopeGuard([&] {
            QProcess::execute(testpaths::sandboxScript(), {"stop", "--dir", runDir.path()});
        });

        HostSession session;
        MainWindow window(&session, "sandbox");
        QStringList questions; // the confirmations the window asked for
        window.setConfirmer([&](const QString&, const QString& text) {
            questions << text;
            return true;
        });
        window.setPollInterval(250);
        window.resize(1100, 750);
        // Delete removes the VM's files too (the wizard made them for it).
        window.setDeleteChooser([](const VmEntry&) { return DeleteScope::InventoryAndFiles; });
        QSignalSpy connected(&session, &HostSession::connected);
        QSignalSpy failed(&session, &HostSession::connectionFailed);
        QSignalSpy stages(window.sandboxBoot(), &SandboxBootProgress::stageChanged);
        window.show();
        QTRY_VERIFY_WITH_TIMEOUT(connected.count() + failed.count() > 0, 180000);
        QVERIFY2(failed.isEmpty(),
                 failed.isEmpty() ? "" : qPrintable(failed.first().at(1).toString()));
        // The private sandbox was booted for this test: the window saw it
        // boot (the later stages may pass between two looks at its files).
        QStringList seen;
        for (const QList<QVariant>& stage : stages)
            seen << SandboxBootProgress::stageText(stage.at(0).value<SandboxBootProgress::Stage>());
        QVERIFY2(seen.contains(SandboxBootProgress::stageText(SandboxBootProgress::Stage::Booting)),
                 qPrintable(seen.join(" | ")));
        QVERIFY(window.sandboxBoot()->isHidden());

        // The host's own view, asked on the session's host worker: the
        // sandbox's agent channel carries one client at a time, and the
        // window holds it while a console is open, so a second connection
        // would wait its turn (see libv3ctl/sandbox_host.h). These calls go
        // to the module and are independent of the window's model.
        auto askHost = [&](auto work) {
            using R = decltype(work(static_cast<v3ctl::HostConnection*>(nullptr)));
            std::optional<R> answer;
            session.runOnHost(this, work, [&](const R& r) { answer = r; });
            QElapsedTimer waited;
            waited.start();
            while (!answer && waited.elapsed() < 60000)
                QTest::qWait(20);
            return answer.value_or(R("no answer from the host worker within 60 s"));
        };
        auto hostState = [&](int index) {
            return askHost([index](v3ctl::HostConnection* h) {
                if (!h)
                    return QString("not connected");
                auto info = h->vmInfo(index);
                return info ? QString(v3ctl::stateName(info.value().state))
                            : QString::fromStdString(info.error().message);
            });
        };
        // "yes" or "no"; anything else says why the host could not tell.
        auto hostListing = [&](const QString& name) {
            return askHost([name](v3ctl::HostConnection* h) {
                if (!h)
                    return QString("unknown: not connected");
                auto guests = h->listGuests();
                if (!guests)
                    return "unknown: " + QString::fromStdString(guests.error().message);
                for (const auto& g : guests.value())
                    if (QString::fromStdString(g.name) == name)
                        return QString("yes");
                return QString("no");
            });
        };
        auto vm = [&]() { return window.inventoryModel()->findVm(kVm); };
        auto inventoryState = [&]() {
            auto inv = inventory::Inventory::open(qgetenv("PALACIOS_INVENTORY").toStdString());
            if (!inv)
                return QString("no inventory");
            auto rec = inv.value().find(kVm.toStdString());
            return rec ? QString::fromStdString(
                             std::string(inventory::state_name(rec.value().state)))
                       : QString("absent");
        };

        // --- The New VM wizard: compose around spin.bin with a serial console.
        window.newVmAction()->trigger();
        NewVmWizard* wizard = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT((wizard = window.findChild<NewVmWizard*>()) && wizard->isVisible(),
                                 5000);
        QSignalSpy created(wizard, &NewVmWizard::vmCreated);
        QSignalSpy creationFailed(wizard, &NewVmWizard::creationFailed);
        QTest::keyClicks(wizard->namePage()->nameEdit(), kVm);
        QVERIFY(wizard->namePage()->isComplete());
        wizard->next();
        QCOMPARE(wizard->currentId(), int(NewVmWizard::SourcePage));
        wizard->sourcePage()->composeButton()->setChecked(true);
        wizard->next();
        QCOMPARE(wizard->currentId(), int(NewVmWizard::ComposePage));
        WizardComposePage* compose = wizard->composePage();
        compose->payload()->setPath(spinRom);
        compose->memory()->setValue(16);
        compose->serial()->setChecked(true);
        QVERIFY2(compose->isComplete(), qPrintable(compose->problemText()));
        wizard->next();
        QCOMPARE(wizard->currentId(), int(NewVmWizard::SummaryPage));
        wizard->button(QWizard::FinishButton)->click();
        QTRY_VERIFY_WITH_TIMEOUT(created.count() + creationFailed.count() > 0, 60000);
        QVERIFY2(creationFailed.isEmpty(),
                 creationFailed.isEmpty() ? ""
                                          : qPrintable(creationFailed.first().at(0).toString()));
        QTRY_VERIFY_WITH_TIMEOUT(vm() != nullptr, 10000);
        QCOMPARE(vm()->group, VmGroup::Inactive);
        QCOMPARE(vm()->status, VmStatus::Inactive);
        QCOMPARE(vm()->memoryMb, 16);
        QCOMPARE(inventoryState(), QString("inactive"));
        QCOMPARE(hostListing(kVm), QString("no"));

        // --- Activate: the image is uploaded and the host creates the VM.
        QVERIFY(window.selectVm(kVm));
        QVERIFY(window.action(VmAction::Activate)->isEnabled());
        window.action(VmAction::Activate)->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(vm() && vm()->status == VmStatus::Created, 60000);
        QCOMPARE(vm()->group, VmGroup::Active);
        const int index = vm()->index;
        QVERIFY(index >= 0);
        QCOMPARE(vm()->deviceFile, QString("/dev/v3-vm%1").arg(index));
        QCOMPARE(hostState(index), QString("created"));
        QCOMPARE(inventoryState(), QString("created"));
        QCOMPARE(hostListing(kVm), QString("yes"));

        // --- Start: the VM runs and its com1 console shows the guest's output.
        QTRY_VERIFY(window.action(VmAction::Start)->isEnabled());
        window.action(VmAction::Start)->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(vm() && vm()->status == VmStatus::Running, 30000);
        QCOMPARE(hostState(index), QString("running"));
        QCOMPARE(inventoryState(), QString("running"));
        QTRY_COMPARE_WITH_TIMEOUT(window.consoleTabs().size(), 1, 10000);
        StreamConsoleTab* console = window.consoleTabs().first();
        QCOMPARE(console->vmName(), kVm);
        QCOMPARE(console->streamName(), QString("com1"));
        window.tabWidget()->setCurrentWidget(console);
        QTRY_VERIFY_WITH_TIMEOUT(consoleText(console).contains("spin: running"), 60000);
        QTRY_VERIFY_WITH_TIMEOUT(lastBeat(consoleText(console)) >= 2, 60000);
        QVERIFY2(window.messageBar()->text().isEmpty(), qPrintable(window.messageBar()->text()));
        QVERIFY(window.grab().save(testpaths::outputDir() + "/gui_e2e_running.png"));

        // --- Pause: the host holds the VM; the console says so; no more beats.
        QTRY_VERIFY(window.action(VmAction::Pause)->isEnabled());
        window.action(VmAction::Pause)->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(vm() && vm()->status == VmStatus::Paused, 30000);
        QCOMPARE(hostState(index), QString("paused"));
        QCOMPARE(inventoryState(), QString("paused"));
        QTRY_VERIFY_WITH_TIMEOUT(console->statusText().contains("paused"), 10000);
        QTest::qWait(500); // a beat already on its way may still arrive
        const int beatWhenPaused = lastBeat(consoleText(console));
        QTest::qWait(2000);
        QCOMPARE(lastBeat(consoleText(console)), beatWhenPaused);
        QVERIFY(window.grab().save(testpaths::outputDir() + "/gui_e2e_paused.png"));

        // --- Continue: running again and the beats carry on.
        QTRY_VERIFY(window.action(VmAction::Continue)->isEnabled());
        window.action(VmAction::Continue)->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(vm() && vm()->status == VmStatus::Running, 30000);
        QCOMPARE(hostState(index), QString("running"));
        QCOMPARE(inventoryState(), QString("running"));
        QTRY_VERIFY_WITH_TIMEOUT(lastBeat(consoleText(console)) > beatWhenPaused, 60000);
        QVERIFY(!console->statusText().contains("paused"));

        // --- Stop: confirmed through the window's confirmer.
        QTRY_VERIFY(window.action(VmAction::Stop)->isEnabled());
        const int asked = questions.size();
        window.action(VmAction::Stop)->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(vm() && vm()->status == VmStatus::Stopped, 30000);
        QVERIFY2(questions.size() > asked, "Stop did not ask for confirmation");
        QCOMPARE(hostState(index), QString("stopped"));
        QCOMPARE(inventoryState(), QString("stopped"));

        // --- Restart: Start on the stopped VM resets it and boots it again
        // from the start, on the same device file.
        QTRY_VERIFY(window.action(VmAction::Start)->isEnabled());
        QCOMPARE(window.action(VmAction::Start)->text().remove('&'), QString("Restart"));
        const int beatsBefore = lastBeat(consoleText(console));
        QVERIFY(beatsBefore > 2);
        window.action(VmAction::Start)->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(vm() && vm()->status == VmStatus::Running, 30000);
        QCOMPARE(vm()->index, index);
        QCOMPARE(hostState(index), QString("running"));
        QCOMPARE(inventoryState(), QString("running"));
        // The guest prints its banner and counts from beat 1 again, in the
        // console tab of its com1 (the old one, or one that replaced it).
        auto rebooted = [&]() {
            for (StreamConsoleTab* tab : window.consoleTabs()) {
                if (tab->vmName() != kVm)
                    continue;
                const QString text = consoleText(tab);
                const int banner = text.lastIndexOf("spin: running");
                if (banner >= 0 && (tab != console || text.count("spin: running") > 1))
                    return text.mid(banner);
            }
            return QString();
        };
        QTRY_VERIFY_WITH_TIMEOUT(!rebooted().isEmpty(), 60000);
        QTRY_VERIFY_WITH_TIMEOUT(lastBeat(rebooted()) >= 1, 60000);
        QVERIFY2(lastBeat(rebooted()) < beatsBefore, qPrintable(rebooted()));
        QVERIFY2(window.messageBar()->text().isEmpty(), qPrintable(window.messageBar()->text()));
        window.action(VmAction::Stop)->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(vm() && vm()->status == VmStatus::Stopped, 30000);
        QCOMPARE(hostState(index), QString("stopped"));

        // --- Delete with its files: gone from the host, the inventory, the
        // window and the disk; its console tabs close with it.
        const QString imagePath = vm()->imagePath;
        const QString configPath = vm()->configPath;
        QVERIFY2(QFile::exists(imagePath) && QFile::exists(configPath), qPrintable(imagePath));
        QTRY_VERIFY(window.action(VmAction::Delete)->isEnabled());
        window.action(VmAction::Delete)->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(vm() == nullptr, 30000);
        QCOMPARE(hostListing(kVm), QString("no"));
        QCOMPARE(inventoryState(), QString("absent"));
        QVERIFY(!QFile::exists(imagePath));
        QVERIFY(!QFile::exists(configPath));
        QVERIFY2(!QFileInfo::exists(QFileInfo(imagePath).absolutePath()),
                 qPrintable(QFileInfo(imagePath).absolutePath()));
        QTRY_VERIFY(window.consoleTabs().isEmpty());
        QVERIFY2(window.messageBar()->text().isEmpty(), qPrintable(window.messageBar()->text()));
        QVERIFY(window.grab().save(testpaths::outputDir() + "/gui_e2e_final.png"));

        window.close();
    }
};

QTEST_MAIN(TestGuiE2e)
#include "tst_gui_e2e.moc"
