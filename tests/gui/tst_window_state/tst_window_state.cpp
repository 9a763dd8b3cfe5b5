// The window's state staying true against a stand-in host: Restart of a
// stopped VM (the lifecycle's relaunch), each Delete choice and what it
// leaves behind, the status bar's counts and guest memory, the error
// banner, consoles, log filter and chart history following the VM objects'
// signals, shortcuts while a console has focus, the desktop notification
// for a VM that fails unseen, and consoles reopened after the window is
// restarted.
#include "delete_vm_dialog.h"
#include "desktop_notifier.h"
#include "exit_rate_chart.h"
#include "host_session.h"
#include "inventory.h"
#include "inventory_model.h"
#include "main_window.h"
#include "message_bar.h"
#include "sandbox_boot_progress.h"
#include "stream_console_tab.h"
#include "stub_host.h"
#include "telemetry_pane.h"
#include "terminal_widget.h"
#include "test_paths.h"

#include <QAction>
#include <QComboBox>
#include <QLabel>
#include <QPlainTextEdit>
#include <QRadioButton>
#include <QPushButton>
#include <QScrollBar>
#include <QSemaphore>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

namespace {

StubHost* g_host = nullptr; // owned by the session
// VMs the next stub host has when the window connects (name, state).
std::vector<std::pair<std::string, v3ctl::VmState>> g_seed;

v3ctl::Result<std::unique_ptr<v3ctl::HostConnection>> openStub(const std::string&) {
    auto host = std::make_unique<StubHost>();
    for (const auto& [name, state] : g_seed)
        host->addBehindTheBack(name, state);
    g_host = host.get();
    return std::unique_ptr<v3ctl::HostConnection>(std::move(host));
}

struct Fixture {
    HostSession session{nullptr, openStub};
    MainWindow window{&session, "stub"};
    std::optional<DeleteScope> deleteScope = DeleteScope::Inventory;
    Fixture() {
        window.setConfirmer([](const QString&, const QString&) { return true; });
        window.setDeleteChooser([this](const VmEntry&) { return deleteScope; });
        window.setPollInterval(100);
        window.telemetryPane()->setRefreshInterval(50);
    }
    bool connectAndReconcile() {
        QSignalSpy opened(&session, &HostSession::connected);
        QSignalSpy reconciled(&window, &MainWindow::reconciled);
        window.show();
        return opened.wait(5000) && (reconciled.count() > 0 || reconciled.wait(5000));
    }
    // Waits for a reconciliation that started after now.
    bool reconcileNow() {
        QSignalSpy reconciled(&window, &MainWindow::reconciled);
        window.reload();
        while (reconciled.count() == 0 || window.isReconciling())
            if (!reconciled.wait(5000))
                return false;
        return true;
    }
    const VmEntry* vm(const QString& name) { return window.inventoryModel()->findVm(name); }
    void run(VmAction action, const QString& name) {
        QVERIFY(window.selectVm(name));
        QVERIFY2(window.action(action)->isEnabled(),
                 qPrintable(window.action(action)->text() + " is disabled"));
        window.action(action)->trigger();
    }
};

inventory::Inventory openInventory() {
    auto inv = inventory::Inventory::open(qgetenv("PALACIOS_INVENTORY").toStdString());
    if (!inv)
        qFatal("%s", inv.error().message.c_str());
    return std::move(inv.value());
}

void addInventoryVm(const std::string& name, const QString& config, const QString& image) {
    auto inv = openInventory();
    inventory::NewVm vm;
    vm.name = name;
    vm.host = "stub";
    vm.config_path = config.toStdString();
    vm.image_path = image.toStdString();
    auto added = inv.add(vm);
    if (!added)
        qFatal("%s", added.error().message.c_str());
}

bool copyFile(const QString& from, const QString& to) {
    QFile::remove(to);
    return QFile::copy(from, to);
}

} // namespace

class TestWindowState : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void init() {
        dir_.reset(new QTemporaryDir);
        qputenv("PALACIOS_INVENTORY", dir_->filePath("inventory.db").toLocal8Bit());
        QSettings().clear();
        g_seed.clear();
        config_ = dir_->filePath("alpha.xml");
        image_ = dir_->filePath("alpha.img");
        QVERIFY(
            copyFile(testpaths::sourceRoot() + "/resources/configs/minimal-serial.xml", config_));
        QFile image(image_);
        QVERIFY(image.open(QIODevice::WriteOnly));
        image.write(QByteArray(4096, 'x')); // the stub takes any non-empty image
    }

    // Start on a stopped VM is Restart: the lifecycle relaunches it with a
    // reset, and the window offers exactly that.
    void restartAfterStop() {
        addInventoryVm("alpha", config_, image_);
        Fixture f;
        QVERIFY(f.connectAndReconcile());
        f.run(VmAction::Activate, "alpha");
        QTRY_VERIFY_WITH_TIMEOUT(f.vm("alpha")->status == VmStatus::Created, 5000);
        QCOMPARE(f.window.action(VmAction::Start)->text().remove('&'), QString("Start"));
        f.run(VmAction::Start, "alpha");
        QTRY_VERIFY_WITH_TIMEOUT(f.vm("alpha")->status == VmStatus::Running, 5000);
        QVERIFY(!f.window.action(VmAction::Start)->isEnabled());
        f.run(VmAction::Stop, "alpha");
        QTRY_VERIFY_WITH_TIMEOUT(f.vm("alpha")->status == VmStatus::Stopped, 5000);

        QAction* start = f.window.action(VmAction::Start);
        QVERIFY(start->isEnabled());
        QCOMPARE(start->text().remove('&'), QString("Restart"));
        QVERIFY2(start->statusTip().contains("Reset"), qPrintable(start->statusTip()));
        f.run(VmAction::Start, "alpha");
        QTRY_VERIFY_WITH_TIMEOUT(f.vm("alpha")->status == VmStatus::Running, 5000);
        QCOMPARE(g_host->stateOf("alpha"), std::optional(v3ctl::VmState::Running));
        QCOMPARE(openInventory().find("alpha").value().state, inventory::VmState::Running);
        const QString log = f.window.telemetryPane()->logView()->toPlainText();
        QVERIFY2(log.contains("alpha was reset and is running again"), qPrintable(log));
        QVERIFY2(f.window.messageBar()->text().isEmpty(),
                 qPrintable(f.window.messageBar()->text()));
        QCOMPARE(start->text().remove('&'), QString("Start"));
    }

    // What each group of VM is offered, and that each sentence names what
    // it removes.
    void deleteChoicesSayWhatTheyRemove() {
        VmEntry active;
        active.name = "alpha";
        active.group = VmGroup::Active;
        active.status = VmStatus::Stopped;
        active.deviceFile = "/dev/v3-vm3";
        active.index = 3;
        active.configPath = "/vms/alpha/alpha.xml";
        active.imagePath = "/vms/alpha/alpha.img";
        QCOMPARE(DeleteChoices::offeredFor(active),
                 QList<DeleteScope>({DeleteScope::HostOnly, DeleteScope::Inventory,
                                     DeleteScope::InventoryAndFiles}));
        const QString hostOnly = DeleteChoices::describe(active, DeleteScope::HostOnly);
        QVERIFY2(hostOnly.contains("/dev/v3-vm3") && hostOnly.contains("keeps alpha") &&
                     hostOnly.contains("no file is deleted"),
                 qPrintable(hostOnly));
        const QString inventory = DeleteChoices::describe(active, DeleteScope::Inventory);
        QVERIFY2(inventory.contains("/dev/v3-vm3") && inventory.contains("inventory record") &&
                     inventory.contains("stay on disk: /vms/alpha/alpha.xml, /vms/alpha/alpha.img"),
                 qPrintable(inventory));
        const QString files = DeleteChoices::describe(active, DeleteScope::InventoryAndFiles);
        QVERIFY2(files.contains("deletes /vms/alpha/alpha.xml, /vms/alpha/alpha.img"),
                 qPrintable(files));

        VmEntry inactive = active;
        inactive.group = VmGroup::Inactive;
        inactive.status = VmStatus::Inactive;
        inactive.deviceFile.clear();
        inactive.index = -1;
        QCOMPARE(DeleteChoices::offeredFor(inactive),
                 QList<DeleteScope>({DeleteScope::Inventory, DeleteScope::InventoryAndFiles}));
        QVERIFY2(!DeleteChoices::describe(inactive, DeleteScope::Inventory).contains("host"),
                 qPrintable(DeleteChoices::describe(inactive, DeleteScope::Inventory)));

        VmEntry orphan = active;
        orphan.group = VmGroup::NotInInventory;
        orphan.configPath.clear();
        orphan.imagePath.clear();
        QCOMPARE(DeleteChoices::offeredFor(orphan), QList<DeleteScope>({DeleteScope::HostOnly}));

        // The dialog offers the same, least destructive first.
        DeleteVmDialog dialog(active);
        QVERIFY(dialog.choice(DeleteScope::HostOnly)->isChecked());
        QCOMPARE(dialog.scope(), DeleteScope::HostOnly);
        dialog.choice(DeleteScope::InventoryAndFiles)->setChecked(true);
        QCOMPARE(dialog.scope(), DeleteScope::InventoryAndFiles);
        DeleteVmDialog forOrphan(orphan);
        QVERIFY(!forOrphan.choice(DeleteScope::Inventory));
    }

    void eachDeleteChoice_data() {
        QTest::addColumn<int>("scope");
        QTest::addColumn<bool>("inInventory");
        QTest::addColumn<bool>("filesStay");
        QTest::newRow("free on the host only") << int(DeleteScope::HostOnly) << true << true;
        QTest::newRow("remove from the inventory") << int(DeleteScope::Inventory) << false << true;
        QTest::newRow("delete its files too")
            << int(DeleteScope::InventoryAndFiles) << false << false;
    }

    void eachDeleteChoice() {
        QFETCH(int, scope);
        QFETCH(bool, inInventory);
        QFETCH(bool, filesStay);
        addInventoryVm("alpha", config_, image_);
        Fixture f;
        f.deleteScope = DeleteScope(scope);
        QVERIFY(f.connectAndReconcile());
        f.run(VmAction::Activate, "alpha");
        QTRY_VERIFY_WITH_TIMEOUT(f.vm("alpha")->status == VmStatus::Created, 5000);
        QCOMPARE(g_host->count(), size_t(1));

        f.run(VmAction::Delete, "alpha");
        QTRY_COMPARE_WITH_TIMEOUT(g_host->count(), size_t(0), 5000);
        if (inInventory) {
            QTRY_VERIFY_WITH_TIMEOUT(f.vm("alpha") && f.vm("alpha")->group == VmGroup::Inactive,
                                     5000);
            auto kept = openInventory().find("alpha");
            QVERIFY2(kept, kept ? "" : kept.error().message.c_str());
            QCOMPARE(kept.value().state, inventory::VmState::Inactive);
            QVERIFY(kept.value().device_file.empty());
        } else {
            QTRY_VERIFY_WITH_TIMEOUT(!f.vm("alpha"), 5000);
            QVERIFY(!openInventory().find("alpha"));
        }
        QCOMPARE(QFile::exists(config_), filesStay);
        QCOMPARE(QFile::exists(image_), filesStay);
        QVERIFY2(f.window.messageBar()->text().isEmpty(),
                 qPrintable(f.window.messageBar()->text()));
    }

    // A cancelled choice deletes nothing.
    void cancelledDeleteKeepsEverything() {
        addInventoryVm("alpha", config_, image_);
        Fixture f;
        f.deleteScope = std::nullopt;
        QVERIFY(f.connectAndReconcile());
        f.run(VmAction::Delete, "alpha");
        QVERIFY(f.reconcileNow());
        QVERIFY(f.vm("alpha"));
        QVERIFY(openInventory().find("alpha"));
        QVERIFY(QFile::exists(config_) && QFile::exists(image_));
    }

    void statusBarCountsFollowTheVms() {
        Fixture f;
        QVERIFY(f.connectAndReconcile());
        QLabel* counts = f.window.vmCountLabel();
        // Counted once the model's signals are in (queued: one count per burst).
        QTRY_COMPARE(counts->text(), QString("0 VMs on the host, 0 in the inventory"));
        const int one = g_host->addBehindTheBack("one", v3ctl::VmState::Running);
        g_host->addBehindTheBack("two", v3ctl::VmState::Running);
        QTRY_COMPARE_WITH_TIMEOUT(counts->text(),
                                  QString("2 VMs on the host (2 running, 0 paused), 0 in the "
                                          "inventory"),
                                  5000);
        // The host's own summary (its VM count) follows too.
        QTRY_VERIFY2_WITH_TIMEOUT(f.window.hostLabel()->text().contains("2 VMs"),
                                  qPrintable(f.window.hostLabel()->text()), 5000);
        g_host->setState(one, v3ctl::VmState::Paused);
        QTRY_COMPARE_WITH_TIMEOUT(counts->text(),
                                  QString("2 VMs on the host (1 running, 1 paused), 0 in the "
                                          "inventory"),
                                  5000);
        g_host->removeBehindTheBack(one);
        QTRY_COMPARE_WITH_TIMEOUT(
            counts->text(), QString("1 VM on the host (1 running, 0 paused), 0 in the inventory"),
            5000);
    }

    void guestMemoryIsShownAndAdded() {
        Fixture f;
        QVERIFY(f.connectAndReconcile());
        QLabel* memory = f.window.guestMemoryLabel();
        QCOMPARE(memory->text(), QString("Guest memory: 48 of 64 MB free"));
        QVERIFY(f.window.addGuestMemoryAction()->isEnabled()); // connected
        f.window.addGuestMemory(32);
        QTRY_COMPARE_WITH_TIMEOUT(memory->text(), QString("Guest memory: 80 of 96 MB free"), 5000);
        QVERIFY(f.window.hostDetails()->toPlainText().contains("96 MB (80 MB free)"));
        QVERIFY2(f.window.telemetryPane()->logView()->toPlainText().contains(
                     "32 MB more guest memory reserved on the host"),
                 qPrintable(f.window.telemetryPane()->logView()->toPlainText()));
    }

    // A deleted VM takes its error banner, its console tabs, its "Log for"
    // entry and its chart history with it.
    void aDeletedVmLeavesNothingBehind() {
        Fixture f;
        QVERIFY(f.connectAndReconcile());
        const int gamma = g_host->addBehindTheBack("gamma", v3ctl::VmState::Running);
        QTRY_VERIFY_WITH_TIMEOUT(f.vm("gamma") && f.vm("gamma")->status == VmStatus::Running, 5000);
        f.run(VmAction::OpenConsole, "gamma");
        QTRY_COMPARE_WITH_TIMEOUT(f.window.consoleTabs().size(), 1, 5000);
        TelemetryPane* pane = f.window.telemetryPane();
        QVERIFY(pane->vmFilter()->findData("gamma") > 0);
        QTRY_VERIFY_WITH_TIMEOUT(pane->chartHistoryOf("gamma") >= 1, 5000);
        // The host refuses a Pause (paused behind the window's back): an
        // error about gamma.
        g_host->setState(gamma, v3ctl::VmState::Paused);
        f.window.trigger(VmAction::Pause);
        QTRY_VERIFY_WITH_TIMEOUT(f.window.messageBar()->isError() &&
                                     f.window.messageBar()->text().contains("gamma"),
                                 5000);
        QCOMPARE(f.window.messageBar()->vm(), QString("gamma"));

        g_host->removeBehindTheBack(gamma); // v3_free from a terminal
        QTRY_VERIFY_WITH_TIMEOUT(!f.vm("gamma"), 5000);
        QVERIFY2(f.window.messageBar()->text().isEmpty(),
                 qPrintable(f.window.messageBar()->text()));
        QVERIFY(f.window.consoleTabs().isEmpty());
        QCOMPARE(pane->vmFilter()->findData("gamma"), -1);
        QCOMPARE(pane->chartHistoryOf("gamma"), 0);
        // A late line about it does not bring it back; its old lines stay.
        pane->appendLog("gamma", "late news");
        QCOMPARE(pane->vmFilter()->findData("gamma"), -1);
        QVERIFY(pane->logView()->toPlainText().contains("[gamma] late news"));
    }

    // An error about the host stays when a VM goes.
    void aHostErrorStaysWhenAVmGoes() {
        Fixture f;
        QVERIFY(f.connectAndReconcile());
        const int beta = g_host->addBehindTheBack("beta", v3ctl::VmState::Running);
        QTRY_VERIFY_WITH_TIMEOUT(f.vm("beta"), 5000);
        f.window.messageBar()->showError("the host said no");
        g_host->removeBehindTheBack(beta);
        QTRY_VERIFY_WITH_TIMEOUT(!f.vm("beta"), 5000);
        QCOMPARE(f.window.messageBar()->text(), QString("the host said no"));
    }

    void chartKeepsAHistoryPerVm() {
        Fixture f;
        QVERIFY(f.connectAndReconcile());
        g_host->addBehindTheBack("one", v3ctl::VmState::Running);
        g_host->addBehindTheBack("two", v3ctl::VmState::Running);
        QTRY_VERIFY_WITH_TIMEOUT(f.vm("one") && f.vm("two"), 5000);
        TelemetryPane* pane = f.window.telemetryPane();
        QVERIFY(f.window.selectVm("one"));
        QTRY_VERIFY_WITH_TIMEOUT(pane->chart()->sampleCount() >= 3, 5000);
        QVERIFY(f.window.selectVm("two"));
        const int ofOne = pane->chartHistoryOf("one");
        QVERIFY(ofOne >= 3);
        QVERIFY2(pane->chart()->sampleCount() < ofOne,
                 qPrintable(QString::number(pane->chart()->sampleCount())));
        QTRY_VERIFY_WITH_TIMEOUT(pane->chart()->sampleCount() >= 1, 5000);
        QVERIFY(f.window.selectVm("one"));
        QVERIFY2(pane->chart()->sampleCount() >= ofOne,
                 qPrintable(QString("%1 samples after coming back, %2 before")
                                .arg(pane->chart()->sampleCount())
                                .arg(ofOne)));
        QVERIFY(pane->chartHistoryOf("two") >= 1);
    }

    void logLinesWrap() {
        Fixture f;
        QVERIFY(f.connectAndReconcile());
        QPlainTextEdit* log = f.window.telemetryPane()->logView();
        f.window.telemetryPane()->appendLog({}, QString("word ").repeated(200) + QString(300, 'x'));
        QCOMPARE(log->lineWrapMode(), QPlainTextEdit::WidgetWidth);
        QCOMPARE(log->horizontalScrollBarPolicy(), Qt::ScrollBarAlwaysOff);
        QTRY_COMPARE(log->horizontalScrollBar()->maximum(), 0);
    }

    // The window's Ctrl+Shift shortcuts work while a console has focus;
    // plain keys and the terminal's own Ctrl+Shift+C/V stay the terminal's.
    void shortcutsWorkWithAConsoleFocused() {
        Fixture f;
        QVERIFY(f.connectAndReconcile());
        g_host->addBehindTheBack("gamma", v3ctl::VmState::Running);
        QTRY_VERIFY_WITH_TIMEOUT(f.vm("gamma"), 5000);
        f.run(VmAction::OpenConsole, "gamma");
        QTRY_COMPARE_WITH_TIMEOUT(f.window.consoleTabs().size(), 1, 5000);
        StreamConsoleTab* console = f.window.consoleTabs().first();
        QTRY_VERIFY_WITH_TIMEOUT(console->isOpen(), 5000);
        f.window.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&f.window));
        TerminalWidget* terminal = console->terminal();
        terminal->setFocus();
        QTRY_VERIFY(terminal->hasFocus());

        QTest::keyClick(terminal, Qt::Key_A); // the guest's
        QTest::keyClick(terminal, Qt::Key_C, Qt::ControlModifier | Qt::ShiftModifier); // copy
        QVERIFY(f.vm("gamma")->status == VmStatus::Running);
        QTest::keyClick(terminal, Qt::Key_P, Qt::ControlModifier | Qt::ShiftModifier); // Pause
        QTRY_COMPARE_WITH_TIMEOUT(g_host->stateOf("gamma"), std::optional(v3ctl::VmState::Paused),
                                  5000);
        QTRY_VERIFY_WITH_TIMEOUT(f.vm("gamma")->status == VmStatus::Paused, 5000);
        QVERIFY(terminal->hasFocus());
        QTest::keyClick(terminal, Qt::Key_G, Qt::ControlModifier | Qt::ShiftModifier); // Continue
        QTRY_COMPARE_WITH_TIMEOUT(g_host->stateOf("gamma"), std::optional(v3ctl::VmState::Running),
                                  5000);
        QTRY_VERIFY_WITH_TIMEOUT(f.vm("gamma")->status == VmStatus::Running, 5000);
        const int before = f.window.reconcileCount();
        QTest::keyClick(terminal, Qt::Key_F5, Qt::ControlModifier | Qt::ShiftModifier); // Reload
        QTRY_VERIFY_WITH_TIMEOUT(f.window.reconcileCount() > before, 5000);

        // Only the plain key reached the guest.
        QByteArray typed;
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                char buffer[64];
                ssize_t n;
                while ((n = ::read(g_host->guestEnd(0), buffer, sizeof buffer)) > 0)
                    typed.append(buffer, n);
                return !typed.isEmpty();
            }(),
            5000);
        QCOMPARE(typed, QByteArray("a"));
    }

    void aVmFailingUnseenIsNotified() {
        Fixture f;
        QVERIFY(f.connectAndReconcile());
        QSignalSpy notified(f.window.notifier(), &DesktopNotifier::notified);
        const int gamma = g_host->addBehindTheBack("gamma", v3ctl::VmState::Running);
        QTRY_VERIFY_WITH_TIMEOUT(f.vm("gamma"), 5000);
        QWidget elsewhere; // the user looks at another window
        elsewhere.show();
        elsewhere.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&elsewhere));
        QVERIFY(!f.window.isActiveWindow());
        g_host->setState(gamma, v3ctl::VmState::Error, "unhandled exit 0x7b");
        QTRY_COMPARE_WITH_TIMEOUT(notified.count(), 1, 5000);
        QCOMPARE(notified.first().at(0).toString(), QString("gamma stopped with an error"));
        QVERIFY2(notified.first().at(1).toString().contains("unhandled exit 0x7b"),
                 qPrintable(notified.first().at(1).toString()));
    }

    void aVmFailingInTheActiveWindowIsNotNotified() {
        Fixture f;
        QVERIFY(f.connectAndReconcile());
        f.window.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&f.window));
        QSignalSpy notified(f.window.notifier(), &DesktopNotifier::notified);
        const int gamma = g_host->addBehindTheBack("gamma", v3ctl::VmState::Running);
        QTRY_VERIFY_WITH_TIMEOUT(f.vm("gamma"), 5000);
        g_host->setState(gamma, v3ctl::VmState::Error, "unhandled exit");
        QTRY_VERIFY_WITH_TIMEOUT(f.vm("gamma")->status == VmStatus::Error, 5000);
        QCOMPARE(notified.count(), 0);
    }

    // Consoles open when the window closed come back when it opens again
    // and their VMs still run; a VM that is gone is not asked for.
    void consolesAreReopenedAfterARestart() {
        g_seed = {{"one", v3ctl::VmState::Running}, {"two", v3ctl::VmState::Running}};
        {
            Fixture f;
            QVERIFY(f.connectAndReconcile());
            f.run(VmAction::OpenConsole, "one");
            f.run(VmAction::OpenConsole, "two");
            QTRY_COMPARE_WITH_TIMEOUT(f.window.consoleTabs().size(), 2, 5000);
            QTRY_VERIFY_WITH_TIMEOUT(f.window.consoleTabs().at(0)->isOpen() &&
                                         f.window.consoleTabs().at(1)->isOpen(),
                                     5000);
            QString asked;
            f.window.setConfirmer([&](const QString&, const QString& text) {
                asked = text;
                return true;
            });
            QVERIFY(f.window.close());
            QVERIFY2(asked.contains("keep running") && asked.contains("reattaches") &&
                         asked.contains("reopens the consoles"),
                     qPrintable(asked));
        }
        g_seed = {{"one", v3ctl::VmState::Running}}; // two was freed meanwhile
        Fixture f;
        QVERIFY(f.connectAndReconcile());
        QTRY_COMPARE_WITH_TIMEOUT(f.window.consoleTabs().size(), 1, 5000);
        QCOMPARE(f.window.consoleTabs().first()->vmName(), QString("one"));
        QCOMPARE(f.window.consoleTabs().first()->streamName(), QString("com1"));
        QVERIFY2(f.window.messageBar()->text().isEmpty(),
                 qPrintable(f.window.messageBar()->text()));
    }

    // The stages come from the files v3sandbox writes in its run folder.
    void sandboxBootStagesFromTheRunFolder() {
        const QString run = dir_->filePath("run");
        QVERIFY(QDir().mkpath(run));
        using Stage = SandboxBootProgress::Stage;
        QCOMPARE(SandboxBootProgress::readStage(run), Stage::Preparing);
        QVERIFY(writeFile(run + "/qemu.pid", "4242\n"));
        QCOMPARE(SandboxBootProgress::readStage(run), Stage::Booting);
        QVERIFY(writeFile(run + "/console.log", "[    0.0] Linux version 6.1\n"));
        QCOMPARE(SandboxBootProgress::readStage(run), Stage::Booting);
        QVERIFY(
            writeFile(run + "/console.log", "[    0.0] Linux\nV3SANDBOX-READY\nabi_version=1\n"));
        QCOMPARE(SandboxBootProgress::readStage(run), Stage::ModuleLoaded);
        QVERIFY(writeFile(run + "/console.log",
                          "x\nV3SANDBOX-READY\nabi_version=1\nV3SANDBOX-READY-END\n"));
        QCOMPARE(SandboxBootProgress::readStage(run), Stage::AgentReady);
    }

    // Cancel really ends the boot: it runs `v3sandbox stop --dir RUN`, and
    // the connection that opening still returns is closed again and reported
    // as cancelled.
    void cancellingTheSandboxBoot() {
        const QString run = dir_->filePath("run");
        QVERIFY(QDir().mkpath(run));
        const QString script = dir_->filePath("fake-v3sandbox");
        const QString calls = dir_->filePath("calls");
        QVERIFY(writeFile(script, "#!/bin/sh\necho \"$@\" >>" + calls.toUtf8() + "\n"));
        QVERIFY(
            QFile::setPermissions(script, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner));
        // The opener stands for a sandbox boot: it returns once the test
        // saw the stop asked for (as a killed QEMU ends a real boot).
        auto released = std::make_shared<QSemaphore>();
        auto shutDown = std::make_shared<std::atomic<int>>(0);
        struct BootedHost : StubHost {
            std::shared_ptr<std::atomic<int>> shutDowns;
            v3ctl::Result<v3ctl::Ok> shutDownIfStartedHere() override {
                ++*shutDowns;
                return v3ctl::Ok{};
            }
        };
        HostSession session(nullptr, [released, shutDown](const std::string&) {
            released->tryAcquire(1, 10000);
            auto host = std::make_unique<BootedHost>();
            host->shutDowns = shutDown;
            return v3ctl::Result<std::unique_ptr<v3ctl::HostConnection>>(
                std::unique_ptr<v3ctl::HostConnection>(std::move(host)));
        });
        SandboxBootProgress progress(&session, run, script);
        QSignalSpy cancelled(&progress, &SandboxBootProgress::cancelled);
        QSignalSpy failed(&session, &HostSession::connectionFailed);
        QSignalSpy connected(&session, &HostSession::connected);
        session.connectTo("sandbox");
        QVERIFY(!progress.isHidden());
        QCOMPARE(progress.stage(), SandboxBootProgress::Stage::Preparing);
        QVERIFY(progress.cancelButton()->isEnabled());
        progress.cancelButton()->click();
        QVERIFY(cancelled.wait(5000));
        QVERIFY2(cancelled.first().at(0).toBool(), qPrintable(cancelled.first().at(1).toString()));
        QFile called(calls);
        QVERIFY(called.open(QIODevice::ReadOnly));
        QCOMPARE(called.readAll(), QByteArray("stop --dir " + run.toUtf8() + "\n"));
        released->release();
        QVERIFY(failed.count() > 0 || failed.wait(5000));
        QVERIFY2(failed.first().at(1).toString().contains("cancelled"),
                 qPrintable(failed.first().at(1).toString()));
        QCOMPARE(connected.count(), 0);
        QVERIFY(!session.isConnected());
        QTRY_COMPARE_WITH_TIMEOUT(shutDown->load(), 1, 5000);
        QVERIFY(progress.isHidden());
    }

private:
    static bool writeFile(const QString& path, const QByteArray& bytes) {
        QFile file(path);
        return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size();
    }

    std::unique_ptr<QTemporaryDir> dir_;
    QString config_;
    QString image_;
};

QTEST_MAIN(TestWindowState)
#include "tst_window_state.moc"
