// The window against a stand-in host: the three inventory groups after a
// reconciliation (every case), the VM lifecycle through the window's
// actions with the inventory kept in step, VMs the tools add behind the
// window's back, action enabling with and without a selection, the context
// menu, and every failure path (ENOSYS from a connection without VM
// support, a refused delete) shown as a non-modal message without a crash.
#include "host_session.h"
#include "inventory.h"
#include "inventory_model.h"
#include "main_window.h"
#include "message_bar.h"
#include "stream_console_tab.h"
#include "stub_host.h"
#include "terminal_screen.h"
#include "terminal_widget.h"
#include "telemetry_pane.h"
#include "cga_screen_widget.h"
#include "text_console_tab.h"
#include "vm_tabs.h"
#include "test_paths.h"
#include "vm_details_page.h"

#include <QAction>
#include <QMenu>
#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QToolBar>
#include <QComboBox>
#include <QTreeView>
#include <QTreeWidget>
#include <QtTest>

namespace {

StubHost* g_host = nullptr; // owned by the session

v3ctl::Result<std::unique_ptr<v3ctl::HostConnection>> openStub(const std::string&) {
    auto host = std::make_unique<StubHost>();
    g_host = host.get();
    return std::unique_ptr<v3ctl::HostConnection>(std::move(host));
}

struct Fixture {
    HostSession session{nullptr, openStub};
    MainWindow window{&session, "stub"};
    Fixture() {
        window.setConfirmer([](const QString&, const QString&) { return true; });
        // Delete as the original Palacios did: from the host and the
        // inventory, whichever the VM is in (tst_window_state tries each choice).
        window.setDeleteChooser([](const VmEntry& vm) {
            return DeleteChoices::offeredFor(vm).contains(DeleteScope::Inventory)
                       ? DeleteScope::Inventory
                       : DeleteScope::HostOnly;
        });
        window.setPollInterval(100);
    }
    bool connectAndReconcile() {
        QSignalSpy opened(&session, &HostSession::connected);
        window.show();
        return opened.wait(5000) && reconcileNow();
    }
    // Reconciles and waits until no reconciliation is under way any more
    // (one already running when asked is followed by another).
    bool reconcileNow() {
        const int before = window.reconcileCount();
        window.reload();
        QElapsedTimer clock;
        clock.start();
        while (clock.elapsed() < 5000) {
            if (window.reconcileCount() > before && !window.isReconciling())
                return true;
            QTest::qWait(10);
        }
        return false;
    }
    bool connect() {
        QSignalSpy opened(&session, &HostSession::connected);
        window.show();
        return opened.wait(5000);
    }
    const VmEntry* vm(const QString& name) { return window.inventoryModel()->findVm(name); }
};

inventory::Inventory openInventory() {
    auto inv = inventory::Inventory::open(qgetenv("PALACIOS_INVENTORY").toStdString());
    if (!inv)
        qFatal("%s", inv.error().message.c_str());
    return std::move(inv.value());
}

void addInventoryVm(const std::string& name,
                    inventory::VmState state = inventory::VmState::Inactive,
                    const std::string& device = {}, const QString& config = {}) {
    auto inv = openInventory();
    inventory::NewVm vm;
    vm.name = name;
    vm.host = "stub";
    vm.config_path =
        (config.isEmpty() ? testpaths::sourceRoot() + "/resources/configs/minimal-serial.xml"
                          : config)
            .toStdString();
    vm.image_path = "/bin/sh"; // any readable file: the stub takes any non-empty image
    vm.state = state;
    vm.device_file = device;
    auto added = inv.add(vm);
    if (!added)
        qFatal("%s", added.error().message.c_str());
}

QStringList actionTexts(const QList<QAction*>& actions) {
    QStringList texts;
    for (QAction* a : actions)
        if (!a->isSeparator())
            texts << a->text().remove('&').remove("...");
    return texts;
}

} // namespace

class TestGuiLifecycle : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void init() {
        dir_.reset(new QTemporaryDir);
        qputenv("PALACIOS_INVENTORY", dir_->filePath("inventory.db").toLocal8Bit());
    }

    void reconcileShowsEveryGroup() {
        addInventoryVm("alpha");                                            // inactive
        addInventoryVm("beta", inventory::VmState::Running, "/dev/v3-vm7"); // stale
        addInventoryVm("epsilon");                                          // tools created it
        Fixture f;
        QVERIFY(f.connect());
        g_host->addBehindTheBack("gamma", v3ctl::VmState::Running);  // not in inventory
        g_host->addBehindTheBack("epsilon", v3ctl::VmState::Paused); // inventory name
        QVERIFY(f.reconcileNow());

        QCOMPARE(f.vm("alpha")->group, VmGroup::Inactive);
        QCOMPARE(f.vm("beta")->group, VmGroup::Inactive);
        QCOMPARE(f.vm("beta")->status, VmStatus::Inactive);
        QCOMPARE(f.vm("gamma")->group, VmGroup::NotInInventory);
        QCOMPARE(f.vm("gamma")->status, VmStatus::Running);
        QCOMPARE(f.vm("gamma")->memoryMb, 16);
        QCOMPARE(f.vm("epsilon")->group, VmGroup::Active);
        QCOMPARE(f.vm("epsilon")->status, VmStatus::Paused);
        QCOMPARE(f.vm("alpha")->memoryMb, 16); // from its config
        InventoryModel* model = f.window.inventoryModel();
        QCOMPARE(model->rowCount(model->groupIndex(VmGroup::Active)), 1);
        QCOMPARE(model->rowCount(model->groupIndex(VmGroup::Inactive)), 2);
        QCOMPARE(model->rowCount(model->groupIndex(VmGroup::NotInInventory)), 1);

        // The inventory followed the host: beta is inactive, epsilon activated and paused.
        auto inv = openInventory();
        QCOMPARE(inv.find("beta").value().state, inventory::VmState::Inactive);
        QCOMPARE(inv.find("epsilon").value().state, inventory::VmState::Paused);
        QCOMPARE(inv.find("epsilon").value().device_file, std::string("/dev/v3-vm1"));

        QVERIFY(f.window.selectVm("alpha"));
        QTRY_VERIFY(f.window.detailsPage()->deviceList()->topLevelItemCount() > 0);
        QCOMPARE(f.window.detailsPage()->field("Memory"), QString("16 MB"));
        QCOMPARE(f.window.detailsPage()->field("Paging"), QString("nested"));
        f.window.grab().save(testpaths::outputDir() + "/main_window_inventory.png");
    }

    void lifecycleThroughTheActions() {
        addInventoryVm("alpha");
        Fixture f;
        QVERIFY(f.connectAndReconcile());
        QVERIFY(f.window.selectVm("alpha"));
        auto enabled = [&](VmAction a) { return f.window.action(a)->isEnabled(); };
        QVERIFY(enabled(VmAction::Activate));
        QVERIFY(!enabled(VmAction::Start));
        QVERIFY(enabled(VmAction::Delete));

        auto step = [&](VmAction a, VmStatus expected) {
            QSignalSpy reconciled(&f.window, &MainWindow::reconciled);
            f.window.action(a)->trigger();
            QTRY_VERIFY_WITH_TIMEOUT(f.vm("alpha") && f.vm("alpha")->status == expected, 5000);
        };
        step(VmAction::Activate, VmStatus::Created);
        QCOMPARE(f.vm("alpha")->group, VmGroup::Active);
        QVERIFY(enabled(VmAction::Start));
        QVERIFY(!enabled(VmAction::Activate));

        step(VmAction::Start, VmStatus::Running);
        QVERIFY(enabled(VmAction::Pause) && enabled(VmAction::Stop));
        QVERIFY(!enabled(VmAction::Delete)); // refused while running
        QVERIFY(!enabled(VmAction::Continue));
        // Start opens the consoles the config has (com1), connected to the stream.
        QTRY_COMPARE(f.window.consoleTabs().size(), 1);
        StreamConsoleTab* console = f.window.consoleTabs().first();
        QTRY_VERIFY(
            console->terminal()->screen()->lineText(0).startsWith("stream com1 of /dev/v3-vm0"));
        (void)!::write(g_host->guestEnd(0), "\x1b[1;32mlogin:\x1b[0m ", 18);
        QTRY_VERIFY(console->terminal()->screen()->lineText(1).startsWith("login:"));
        console->terminal()->setFocus();
        QTest::keyClicks(console->terminal(), "root");
        QTest::keyClick(console->terminal(), Qt::Key_Return);
        QByteArray typed;
        auto drain = [&]() {
            char buffer[64];
            ssize_t n;
            while ((n = ::read(g_host->guestEnd(0), buffer, sizeof buffer)) > 0)
                typed.append(buffer, n);
            return typed;
        };
        QTRY_COMPARE(drain(), QByteArray("root\r"));

        step(VmAction::Pause, VmStatus::Paused);
        QVERIFY(enabled(VmAction::Continue));
        QVERIFY(!enabled(VmAction::Pause));
        QTRY_VERIFY(f.window.consoleTabs().first()->statusText().contains("paused"));

        step(VmAction::Continue, VmStatus::Running); // never left marked paused
        QCOMPARE(openInventory().find("alpha").value().state, inventory::VmState::Running);
        QVERIFY(!f.window.consoleTabs().first()->statusText().contains("paused"));

        step(VmAction::Stop, VmStatus::Stopped);
        QVERIFY(enabled(VmAction::Start) && enabled(VmAction::Delete));
        f.window.grab().save(testpaths::outputDir() + "/main_window_lifecycle.png");

        f.window.action(VmAction::Delete)->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(!f.vm("alpha"), 5000);
        QCOMPARE(g_host->count(), size_t(0));
        QVERIFY(!openInventory().find("alpha"));
        QVERIFY(f.window.messageBar()->text().isEmpty());
    }

    void startOpensTheChosenTextConsole() {
        const QString config = dir_->filePath("cga.xml");
        QFile file(config);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("<vm class='PC'><memory>16</memory><devices>"
                   "<device class='KEYBOARD' id='keyboard'/>"
                   "<device class='SERIAL' id='serial'/>"
                   "<device class='CHAR_STREAM' id='com1_stream' name='com1'>"
                   "<frontend tag='serial' com_port='1'/></device>"
                   "<device class='CGA_VIDEO' id='cga' passthrough='disable'/>"
                   "<device class='CURSES_CONSOLE' id='curses'><frontend tag='cga'/></device>"
                   "</devices></vm>");
        file.close();
        addInventoryVm("delta", inventory::VmState::Inactive, {}, config);
        Fixture f;
        auto* tabs = qobject_cast<VmTabs*>(f.window.tabWidget());
        QVERIFY(tabs);
        QStringList offered;
        tabs->setConsoleChooser([&](const VmEntry&, const QList<ConsoleOption>& options,
                                    const std::optional<ConsoleOption>&,
                                    std::function<void(const ConsoleChoice&)> chosen) {
            for (const ConsoleOption& o : options)
                offered << o.key();
            chosen({options.last(), false});
        });
        QVERIFY(f.connectAndReconcile());
        QVERIFY(f.window.selectVm("delta"));
        f.window.action(VmAction::Activate)->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(f.vm("delta") && f.vm("delta")->status == VmStatus::Created, 5000);
        f.window.action(VmAction::Start)->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(f.vm("delta") && f.vm("delta")->status == VmStatus::Running, 5000);
        QTRY_COMPARE(tabs->textConsoleTabs().size(), 1);
        QCOMPARE(offered, QStringList({"stream:com1", "text"}));
        QCOMPARE(f.window.consoleTabs().size(), 0); // only the chosen console
        TextConsoleTab* console = tabs->textConsoleTabs().first();
        QTRY_VERIFY(console->isOpen());
        QTRY_VERIFY(QString::fromStdString(console->screen()->screen().rowText(0))
                        .startsWith("console of /dev/v3-vm0"));
        QVERIFY(f.window.isActiveWindow() || QTest::qWaitForWindowActive(&f.window));
        console->screen()->setFocus();
        QTest::keyClick(console->screen(), Qt::Key_A);
        QByteArray typed;
        auto drain = [&]() {
            char buffer[64];
            ssize_t n;
            while ((n = ::read(g_host->guestEnd(0), buffer, sizeof buffer)) > 0)
                typed.append(buffer, n);
            return typed.toHex();
        };
        QTRY_COMPARE(drain(), QByteArray("1e9e"));
        // The window's shortcut still works with the console focused.
        QTest::keyClick(console->screen(), Qt::Key_P, Qt::ControlModifier | Qt::ShiftModifier);
        QTRY_VERIFY_WITH_TIMEOUT(f.vm("delta") && f.vm("delta")->status == VmStatus::Paused, 5000);
        QTRY_VERIFY(console->statusText().contains("paused"));
        f.window.grab().save(testpaths::outputDir() + "/main_window_text_console.png");
    }

    void deleteRemovesPerTheOriginalRules() {
        addInventoryVm("idle");
        Fixture f;
        QVERIFY(f.connect());
        g_host->addBehindTheBack("stray", v3ctl::VmState::Stopped);
        QVERIFY(f.reconcileNow());
        // inactive -> inventory only
        QVERIFY(f.window.selectVm("idle"));
        f.window.action(VmAction::Delete)->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(!f.vm("idle"), 5000);
        QVERIFY(!openInventory().find("idle"));
        // not in inventory -> host only
        QVERIFY(f.window.selectVm("stray"));
        f.window.action(VmAction::Delete)->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(!f.vm("stray"), 5000);
        QCOMPARE(g_host->count(), size_t(0));
    }

    void vmsAddedBehindTheWindowsBackAppear() {
        Fixture f;
        QVERIFY(f.connectAndReconcile());
        const int before = f.window.reconcileCount();
        g_host->addBehindTheBack("delta", v3ctl::VmState::Running);
        QTRY_VERIFY_WITH_TIMEOUT(f.vm("delta") != nullptr, 5000);
        QCOMPARE(f.vm("delta")->group, VmGroup::NotInInventory);
        // An unchanged list costs no reconciliation.
        const int after = f.window.reconcileCount();
        QVERIFY(after > before);
        QTest::qWait(500);
        QCOMPARE(f.window.reconcileCount(), after);
    }

    void pausedByTheToolsIsNoticed() {
        Fixture f;
        QVERIFY(f.connect());
        const int index = g_host->addBehindTheBack("delta", v3ctl::VmState::Running);
        QVERIFY(f.reconcileNow());
        QVERIFY(f.window.selectVm("delta"));
        f.window.telemetryPane()->setRefreshInterval(100);
        g_host->setState(index, v3ctl::VmState::Paused); // v3_pause, not the window
        QTRY_COMPARE_WITH_TIMEOUT(f.vm("delta")->status, VmStatus::Paused, 5000);
        QVERIFY(f.window.action(VmAction::Continue)->isEnabled());
        QTRY_VERIFY(f.window.telemetryPane()->counterText().contains("exits in all"));
    }

    void nothingSelected() {
        Fixture f;
        QVERIFY(f.connectAndReconcile());
        for (VmAction a : VmActionPolicy::allActions()) {
            QVERIFY(!f.window.action(a)->isEnabled());
            f.window.trigger(a); // a shortcut fired anyway: nothing happens, no crash
        }
        QVERIFY(f.window.newVmAction()->isEnabled());
        QVERIFY(f.window.reloadAction()->isEnabled());
        // Toolbar buttons with nothing selected
        for (QAction* a : f.window.toolBar()->actions())
            if (a != f.window.newVmAction() && a != f.window.reloadAction() && !a->isSeparator())
                QVERIFY2(!a->isEnabled(), qPrintable(a->text()));
    }

    void contextMenus() {
        addInventoryVm("alpha");
        Fixture f;
        QVERIFY(f.connect());
        g_host->addBehindTheBack("gamma", v3ctl::VmState::Paused);
        QVERIFY(f.reconcileNow());
        QTreeView* view = f.window.inventoryView();

        // Empty space below the rows.
        const QPoint empty(10, view->viewport()->height() - 5);
        QVERIFY(!view->indexAt(empty).isValid());
        std::unique_ptr<QMenu> menu(f.window.buildContextMenu(empty));
        QCOMPARE(actionTexts(menu->actions()), QStringList({"New VM", "Reload"}));
        // A group title.
        const QRect group =
            view->visualRect(f.window.inventoryModel()->groupIndex(VmGroup::Active));
        menu.reset(f.window.buildContextMenu(group.center()));
        QCOMPARE(actionTexts(menu->actions()), QStringList({"New VM", "Reload"}));
        // Right-click through the real event path on empty space: no crash.
        QTest::mouseClick(view->viewport(), Qt::RightButton, {}, empty);

        const QRect alpha = view->visualRect(f.window.inventoryModel()->indexOf("alpha"));
        menu.reset(f.window.buildContextMenu(alpha.center()));
        QCOMPARE(actionTexts(menu->actions()), QStringList({"Activate", "Delete"}));
        const QRect gamma = view->visualRect(f.window.inventoryModel()->indexOf("gamma"));
        menu.reset(f.window.buildContextMenu(gamma.center()));
        QCOMPARE(actionTexts(menu->actions()),
                 QStringList({"Activate (Add to Inventory)", "Continue", "Stop", "Open Console"}));
    }

    void hostWithoutVmOperations() {
        addInventoryVm("alpha");
        Fixture f;
        QVERIFY(f.connect());
        g_host->vmOpsSupported = false; // as the sandbox before the agent lands
        QVERIFY(f.reconcileNow());
        QVERIFY(f.window.messageBar()->text().contains("listing VMs is not available"));
        QCOMPARE(f.vm("alpha")->group, VmGroup::Inactive); // the inventory still shows

        QVERIFY(f.window.selectVm("alpha"));
        f.window.action(VmAction::Activate)->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(
            f.window.messageBar()->text().startsWith("Activating alpha failed: creating a VM is "
                                                     "not available over the 'stub' connection"),
            5000);
        QVERIFY(f.window.messageBar()->isError());
        QCOMPARE(f.vm("alpha")->group, VmGroup::Inactive);
        QVERIFY(
            f.window.telemetryPane()->logView()->toPlainText().contains("Activating alpha failed"));
        f.window.grab().save(testpaths::outputDir() + "/main_window_host_error.png");
    }

    void hostRefusalIsShownWithItsSentence() {
        addInventoryVm("alpha");
        Fixture f;
        QVERIFY(f.connectAndReconcile());
        QVERIFY(f.window.selectVm("alpha"));
        f.window.action(VmAction::Activate)->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(f.vm("alpha")->status == VmStatus::Created, 5000);
        // The host launched it meanwhile (v3_launch): our Start is now refused.
        g_host->setState(0, v3ctl::VmState::Running);
        f.window.trigger(VmAction::Start);
        QTRY_VERIFY_WITH_TIMEOUT(
            f.window.messageBar()->text().contains("Invalid argument (the VM is running)"), 5000);
        QTRY_COMPARE_WITH_TIMEOUT(f.vm("alpha")->status, VmStatus::Running, 5000);
    }

    void telemetryLogOnlyGrows() {
        Fixture f;
        QVERIFY(f.connectAndReconcile());
        TelemetryPane* pane = f.window.telemetryPane();
        const int before = pane->logView()->blockCount();
        pane->appendLog("vm1", "first");
        pane->appendLog("vm2", "second");
        pane->appendLog("vm1", "third");
        QCOMPARE(pane->logView()->blockCount(), before + 3);
        pane->vmFilter()->setCurrentIndex(pane->vmFilter()->findData("vm1"));
        QString text = pane->logView()->toPlainText();
        QVERIFY(text.contains("[vm1] first") && text.contains("[vm1] third"));
        QVERIFY(!text.contains("second"));
        pane->appendLog("vm1", "fourth");
        QVERIFY(pane->logView()->toPlainText().contains("[vm1] fourth"));
        QVERIFY(pane->logView()->toPlainText().contains("[vm1] first")); // appended, not replaced
        // Every line carries a timestamp.
        QVERIFY(QRegularExpression(R"(^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}  \[vm1\] first)",
                                   QRegularExpression::MultilineOption)
                    .match(pane->logView()->toPlainText())
                    .hasMatch());
    }

    // The module's kernel lines are appended once, attributed to the VM they
    // name, and only new ones arrive on later polls.
    void kernelLogLinesAreAppendedPerVm() {
        Fixture f;
        QVERIFY(f.connectAndReconcile());
        g_host->addKernelLine({10, 1500000, "v3vee: cpu 0: SVM enabled"});
        g_host->addKernelLine({11, 2250000, "v3vee: VM alpha launched"});
        TelemetryPane* pane = f.window.telemetryPane();
        QTRY_VERIFY_WITH_TIMEOUT(
            pane->logView()->toPlainText().contains("[alpha] kernel [2.250000] v3vee: VM alpha "
                                                    "launched"),
            5000);
        QVERIFY(pane->logView()->toPlainText().contains("kernel [1.500000] v3vee: cpu 0: SVM "
                                                        "enabled"));
        g_host->addKernelLine({12, 3000000, "v3vee: VM alpha stopped: x"});
        QTRY_VERIFY_WITH_TIMEOUT(pane->logView()->toPlainText().contains("alpha stopped"), 5000);
        QTest::qWait(1500); // more polls: nothing is appended twice
        QCOMPARE(pane->logView()->toPlainText().count("VM alpha launched"), 1);
        QVERIFY(pane->vmFilter()->findData("alpha") >= 0);
    }

    void closingWithRunningVmsAsks() {
        addInventoryVm("alpha");
        Fixture f;
        QVERIFY(f.connectAndReconcile());
        QVERIFY(f.window.selectVm("alpha"));
        f.window.action(VmAction::Activate)->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(f.vm("alpha")->status == VmStatus::Created, 5000);
        f.window.action(VmAction::Start)->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(f.vm("alpha")->status == VmStatus::Running, 5000);
        QString asked;
        f.window.setConfirmer([&](const QString&, const QString& text) {
            asked = text;
            return false;
        });
        QVERIFY(!f.window.close());
        QVERIFY(asked.contains("keep running"));
        QVERIFY(asked.contains("finds them again"));
        f.window.setConfirmer([](const QString&, const QString&) { return true; });
        QVERIFY(f.window.close());
        QCOMPARE(g_host->stateOf("alpha"), std::optional(v3ctl::VmState::Running));
    }

private:
    std::unique_ptr<QTemporaryDir> dir_;
};

QTEST_MAIN(TestGuiLifecycle)
#include "tst_gui_lifecycle.moc"
