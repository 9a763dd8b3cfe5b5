#include "main_window.h"
#include "adopt_vm_dialog.h"
#include "host_reconciliation.h"
#include "host_session.h"
#include "icon_factory.h"
#include "inventory_location.h"
#include "inventory_model.h"
#include "message_bar.h"
#include "new_vm_wizard.h"
#include "stream_console_tab.h"
#include "telemetry_pane.h"
#include "terminal_widget.h"
#include "vm_config_summary.h"
#include "vm_details_page.h"
#include "vm_operations.h"

#include "vm_record.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QFutureWatcher>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QSettings>
#include <QStatusBar>
#include <QTabBar>
#include <QTabWidget>
#include <QToolBar>
#include <QTreeView>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

static void initPalaciosResources() {
    Q_INIT_RESOURCE(palacios); // the resources live in the static library
}

namespace {

constexpr int kPollMs = 3000; // how often the host's VM list is checked

QString actionText(VmAction a) {
    switch (a) {
    case VmAction::Activate:
        return MainWindow::tr("&Activate");
    case VmAction::Start:
        return MainWindow::tr("&Start");
    case VmAction::Pause:
        return MainWindow::tr("&Pause");
    case VmAction::Continue:
        return MainWindow::tr("C&ontinue");
    case VmAction::Stop:
        return MainWindow::tr("S&top...");
    case VmAction::Delete:
        return MainWindow::tr("&Delete...");
    case VmAction::OpenConsole:
        return MainWindow::tr("Open &Console");
    }
    return {};
}

QString actionTip(VmAction a) {
    switch (a) {
    case VmAction::Activate:
        return MainWindow::tr(
            "Create the VM on the host (or add a VM the host has to the inventory)");
    case VmAction::Start:
        return MainWindow::tr("Launch the VM and open its consoles");
    case VmAction::Pause:
        return MainWindow::tr("Pause the VM");
    case VmAction::Continue:
        return MainWindow::tr("Let a paused VM run again");
    case VmAction::Stop:
        return MainWindow::tr("Stop the VM");
    case VmAction::Delete:
        return MainWindow::tr("Remove the VM from the host and/or the inventory");
    case VmAction::OpenConsole:
        return MainWindow::tr("Open a terminal on the VM's serial stream");
    }
    return {};
}

QKeySequence actionShortcut(VmAction a) {
    switch (a) {
    case VmAction::Activate:
        return QKeySequence(MainWindow::tr("Ctrl+Shift+A"));
    case VmAction::Start:
        return QKeySequence(MainWindow::tr("Ctrl+Shift+R"));
    case VmAction::Pause:
        return QKeySequence(MainWindow::tr("Ctrl+Shift+P"));
    case VmAction::Continue:
        return QKeySequence(MainWindow::tr("Ctrl+Shift+G"));
    case VmAction::Stop:
        return QKeySequence(MainWindow::tr("Ctrl+Shift+X"));
    case VmAction::Delete:
        return QKeySequence(QKeySequence::Delete);
    case VmAction::OpenConsole:
        return QKeySequence(MainWindow::tr("Ctrl+Shift+O"));
    }
    return {};
}

bool askUser(QWidget* parent, const QString& title, const QString& text) {
    return QMessageBox::question(parent, title, text, QMessageBox::Yes | QMessageBox::Cancel,
                                 QMessageBox::Cancel) == QMessageBox::Yes;
}

} // namespace

MainWindow::MainWindow(HostSession* session, const QString& hostUri, QWidget* parent)
    : QMainWindow(parent), session_(session), hostUri_(hostUri),
      inventoryPath_(InventoryLocation::databasePath()) {
    initPalaciosResources();
    qRegisterMetaType<VmEntry>();
    setWindowTitle(tr("Palacios"));
    setWindowIcon(IconFactory::application());
    setObjectName("PalaciosMainWindow");
    confirm_ = [this](const QString& title, const QString& text) {
        return askUser(this, title, text);
    };

    model_ = new InventoryModel(this);
    tree_ = new QTreeView;
    tree_->setObjectName("inventoryView");
    tree_->setModel(model_);
    tree_->setUniformRowHeights(true);
    tree_->setAlternatingRowColors(true);
    tree_->setContextMenuPolicy(Qt::CustomContextMenu);
    tree_->setSelectionMode(QAbstractItemView::SingleSelection);
    tree_->expandAll();
    tree_->setMinimumWidth(300); // name, state, memory and cores stay readable
    tree_->header()->setStretchLastSection(false);
    tree_->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    tree_->header()->setSectionResizeMode(InventoryModel::NameColumn, QHeaderView::Stretch);
    auto* inventoryDock = new QDockWidget(tr("Inventory"), this);
    inventoryDock->setObjectName("inventoryDock");
    inventoryDock->setWidget(tree_);
    addDockWidget(Qt::LeftDockWidgetArea, inventoryDock);

    details_ = new VmDetailsPage;
    tabs_ = new QTabWidget;
    tabs_->setObjectName("centralTabs");
    tabs_->setDocumentMode(true);
    tabs_->setTabsClosable(true);
    tabs_->addTab(details_, tr("Details"));
    // The details tab is fixed: no close button.
    tabs_->tabBar()->setTabButton(0, QTabBar::RightSide, nullptr);
    tabs_->tabBar()->setTabButton(0, QTabBar::LeftSide, nullptr);
    connect(tabs_, &QTabWidget::tabCloseRequested, this, &MainWindow::closeConsoleTab);
    messages_ = new MessageBar;
    auto* centre = new QWidget;
    auto* centreLayout = new QVBoxLayout(centre);
    centreLayout->setContentsMargins(0, 0, 0, 0);
    centreLayout->setSpacing(2);
    centreLayout->addWidget(messages_);
    centreLayout->addWidget(tabs_, 1);
    setCentralWidget(centre);

    telemetry_ = new TelemetryPane(session_);
    auto* telemetryDock = new QDockWidget(tr("Telemetry"), this);
    telemetryDock->setObjectName("telemetryDock");
    telemetryDock->setWidget(telemetry_);
    addDockWidget(Qt::BottomDockWidgetArea, telemetryDock);

    hostLabel_ = new QLabel(tr("Not connected"));
    hostLabel_->setObjectName("hostLabel");
    progressLabel_ = new QLabel;
    progressLabel_->setObjectName("progressLabel");
    busy_ = new QProgressBar;
    busy_->setRange(0, 0); // indeterminate while something runs on a worker
    busy_->setMaximumWidth(120);
    busy_->hide();
    statusBar()->addWidget(hostLabel_, 1);
    statusBar()->addPermanentWidget(progressLabel_);
    statusBar()->addPermanentWidget(busy_);

    ops_ = new VmOperations(session_, inventoryPath_, this);
    connect(ops_, &VmOperations::operationStarted, this,
            [this](const QString& name, VmAction, const QString& description) {
                showProgress(description);
                telemetry_->appendLog(name, description);
            });
    connect(ops_, &VmOperations::operationFinished, this,
            [this](const QString& name, VmAction action, bool ok, const QString& message) {
                hideProgressIfIdle();
                report(name, message, !ok);
                if (ok && action == VmAction::Start) {
                    // Open the consoles once the reconciliation shows it running.
                    if (const VmEntry* vm = model_->findVm(name)) {
                        VmEntry started = *vm;
                        started.status = VmStatus::Running;
                        openConsolesOf(started);
                    }
                }
                reconcile();
            });

    buildActions();
    buildMenus();
    buildToolBar();
    restoreLayout();

    connect(tree_->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &MainWindow::selectionChanged);
    connect(tree_, &QTreeView::customContextMenuRequested, this, [this](const QPoint& pos) {
        QMenu* menu = buildContextMenu(pos);
        menu->setAttribute(Qt::WA_DeleteOnClose);
        menu->popup(tree_->viewport()->mapToGlobal(pos));
    });
    connect(tree_, &QTreeView::doubleClicked, this, [this](const QModelIndex& index) {
        const VmEntry* vm = model_->vmAt(index);
        if (vm && VmActionPolicy::isValid(VmAction::OpenConsole, vm))
            trigger(VmAction::OpenConsole);
    });
    connect(model_, &InventoryModel::stateChanged, this,
            [this](const QString& name, VmStatus status) {
                for (StreamConsoleTab* tab : consoleTabs())
                    if (tab->vmName() == name)
                        tab->setVmStatus(status);
                telemetry_->appendLog(name, tr("state: %1").arg(vmStatusName(status)));
            });
    connect(model_, &InventoryModel::vmChanged, this, [this](const QString& name) {
        if (selectedVm().name == name) {
            details_->showVm(model_->findVm(name));
            telemetry_->setVm(model_->findVm(name));
        }
        updateActions();
    });
    connect(model_, &InventoryModel::vmAdded, this, [this](const QString& name) {
        // Only the new row's group: expandAll() per added VM made filling
        // the window with N VMs cost N^2 (bench/gui/bench_gui_startup).
        tree_->expand(model_->indexOf(name).parent());
        telemetry_->setVmNames({name});
    });
    connect(model_, &InventoryModel::vmRemoved, this, [this](const QString& name) {
        for (StreamConsoleTab* tab : consoleTabs())
            if (tab->vmName() == name)
                tab->setVmStatus(VmStatus::Stopped);
        updateActions();
    });
    connect(telemetry_, &TelemetryPane::statusReported, this,
            [this](const QString& name, VmStatus status, const QString& reason) {
                model_->updateStatus(name, status, reason);
            });

    pollTimer_.setInterval(kPollMs);
    connect(&pollTimer_, &QTimer::timeout, this, &MainWindow::poll);

    connect(session_, &HostSession::connecting, this, &MainWindow::onConnecting);
    connect(session_, &HostSession::connected, this, &MainWindow::onConnected);
    connect(session_, &HostSession::connectionFailed, this, &MainWindow::onConnectionFailed);
    updateActions();
}

MainWindow::~MainWindow() {
    // Queued host calls hold results for widgets about to go: let them end
    // first (they are bounded: one call each).
    session_->waitForHostCalls();
}

QPlainTextEdit* MainWindow::hostDetails() const {
    return details_->hostDetails();
}

void MainWindow::buildActions() {
    newAction_ = new QAction(IconFactory::newVm(), tr("&New VM..."), this);
    newAction_->setShortcut(QKeySequence::New);
    newAction_->setToolTip(tr("Create a VM with the New VM wizard"));
    connect(newAction_, &QAction::triggered, this, &MainWindow::newVm);
    connectAction_ = new QAction(tr("&Connect to Host..."), this);
    connectAction_->setShortcut(QKeySequence::Open);
    connect(connectAction_, &QAction::triggered, this, &MainWindow::chooseHost);
    reloadAction_ = new QAction(IconFactory::reload(), tr("&Reload"), this);
    reloadAction_->setShortcut(QKeySequence::Refresh);
    reloadAction_->setToolTip(tr("Reconcile the inventory with the host (F5)"));
    connect(reloadAction_, &QAction::triggered, this, &MainWindow::reload);
    quitAction_ = new QAction(tr("&Quit"), this);
    quitAction_->setShortcut(QKeySequence::Quit);
    connect(quitAction_, &QAction::triggered, this, &QWidget::close);
    for (VmAction a : VmActionPolicy::allActions()) {
        auto* act = new QAction(IconFactory::forAction(a), actionText(a), this);
        act->setShortcut(actionShortcut(a));
        act->setStatusTip(actionTip(a));
        act->setToolTip(QString(actionText(a)).remove('&').remove("...") + " (" +
                        act->shortcut().toString(QKeySequence::NativeText) + ")");
        connect(act, &QAction::triggered, this, [this, a]() { trigger(a); });
        actions_.insert(int(a), act);
    }
}

void MainWindow::buildMenus() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(newAction_);
    file->addAction(connectAction_);
    file->addAction(reloadAction_);
    file->addSeparator();
    file->addAction(quitAction_);

    QMenu* vm = menuBar()->addMenu(tr("&VM"));
    for (VmAction a : VmActionPolicy::allActions()) {
        if (a == VmAction::Delete || a == VmAction::OpenConsole)
            vm->addSeparator();
        vm->addAction(action(a));
    }

    QMenu* view = menuBar()->addMenu(tr("Vie&w"));
    view->setObjectName("viewMenu");
    for (QDockWidget* dock : findChildren<QDockWidget*>())
        view->addAction(dock->toggleViewAction());

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About Palacios"), this, &MainWindow::about);
}

void MainWindow::buildToolBar() {
    toolbar_ = addToolBar(tr("Main Toolbar"));
    toolbar_->setObjectName("mainToolBar");
    toolbar_->setToolButtonStyle(Qt::ToolButtonTextUnderIcon);
    toolbar_->setIconSize(QSize(24, 24));
    toolbar_->addAction(newAction_);
    toolbar_->addSeparator();
    for (VmAction a :
         {VmAction::Activate, VmAction::Start, VmAction::Pause, VmAction::Continue, VmAction::Stop})
        toolbar_->addAction(action(a));
    toolbar_->addSeparator();
    toolbar_->addAction(reloadAction_);
    if (QMenu* view = findChild<QMenu*>("viewMenu")) {
        view->addSeparator();
        view->addAction(toolbar_->toggleViewAction());
    }
}

void MainWindow::restoreLayout() {
    QSettings settings;
    if (!restoreGeometry(settings.value("mainWindow/geometry").toByteArray()))
        resize(1100, 720);
    layoutRestored_ = restoreState(settings.value("mainWindow/state").toByteArray());
    tree_->header()->restoreState(settings.value("mainWindow/inventoryHeader").toByteArray());
}

void MainWindow::showEvent(QShowEvent* event) {
    QMainWindow::showEvent(event);
    if (!layoutRestored_) {
        // First run: room for the inventory's columns and a useful log.
        layoutRestored_ = true;
        resizeDocks({findChild<QDockWidget*>("inventoryDock")}, {380}, Qt::Horizontal);
        resizeDocks({findChild<QDockWidget*>("telemetryDock")}, {230}, Qt::Vertical);
    }
    if (!connectRequested_) {
        connectRequested_ = true;
        connectToHost(hostUri_);
    }
}

void MainWindow::closeEvent(QCloseEvent* event) {
    int live = 0;
    for (const VmEntry& vm : model_->vms())
        if (vm.onHost() && (vm.status == VmStatus::Running || vm.status == VmStatus::Paused))
            ++live;
    if (live > 0 &&
        !confirm_(tr("Close Palacios"),
                  tr("%n VM(s) are running or paused. They keep running in the v3vee module "
                     "after the window closes, and the window finds them again next time it "
                     "connects. Close the window?",
                     "", live))) {
        event->ignore();
        return;
    }
    QSettings settings;
    settings.setValue("mainWindow/geometry", saveGeometry());
    settings.setValue("mainWindow/state", saveState());
    settings.setValue("mainWindow/inventoryHeader", tree_->header()->saveState());
    pollTimer_.stop();
    event->accept();
}

void MainWindow::connectToHost(const QString& uri) {
    hostUri_ = uri;
    session_->connectTo(uri);
}

void MainWindow::onConnecting(const QString& uri) {
    hostLabel_->setText(
        uri == "sandbox" || uri == "auto"
            ? tr("Connecting to %1 (booting the sandbox may take a few seconds)...").arg(uri)
            : tr("Connecting to %1...").arg(uri));
    busy_->show();
    connectAction_->setEnabled(false);
    reloadAction_->setEnabled(false);
}

void MainWindow::onConnected(const QString& displayName, const QString& summary) {
    hideProgressIfIdle();
    connectAction_->setEnabled(true);
    reloadAction_->setEnabled(true);
    hostLabel_->setText(tr("Connected to %1: %2").arg(displayName, summary));
    const v3ctl::HostInfo& info = session_->hostInfo();
    details_->setHostText(tr("Host: %1\nModule: v3vee %2 (ABI %3)\nKernel: Linux %4\n"
                             "Features: %5\nSVM: revision %6, %7 ASIDs\n"
                             "CPUs with SVM enabled: %8 of %9\nVMs: %10\n"
                             "Guest memory reserved: %11 MB (%12 MB free)\n\n"
                             "Inventory: %13\n")
                              .arg(displayName, QString::fromStdString(info.moduleVersion))
                              .arg(info.abiVersion)
                              .arg(QString::fromStdString(info.kernelRelease),
                                   QString::fromStdString(info.featureList()))
                              .arg(info.svmRevision)
                              .arg(info.numAsids)
                              .arg(info.cpusEnabled)
                              .arg(info.cpusPossible)
                              .arg(info.numGuests)
                              .arg(info.guestMemoryTotal >> 20)
                              .arg(info.guestMemoryFree >> 20)
                              .arg(inventoryPath_));
    telemetry_->appendLog({}, tr("connected to %1: %2").arg(displayName, summary));
    lastHostList_.clear();
    lastReconcileError_.clear();
    reconcile();
    pollTimer_.start();
}

void MainWindow::onConnectionFailed(const QString& uri, const QString& message) {
    hideProgressIfIdle();
    connectAction_->setEnabled(true);
    reloadAction_->setEnabled(true);
    hostLabel_->setText(tr("Not connected: %1").arg(message));
    details_->setHostText(tr("Could not connect to %1:\n%2\n\nUse File > Connect to Host... "
                             "to try again or pick another host.")
                              .arg(uri, message));
    telemetry_->appendLog({}, tr("could not connect to %1: %2").arg(uri, message));
    // The inventory is still worth showing, as it last knew its VMs.
    reconcile();
}

void MainWindow::reload() {
    if (!session_->isConnected() && !session_->isConnecting()) {
        connectToHost(hostUri_);
        return;
    }
    reconcile();
}

void MainWindow::reconcile() {
    if (reconcilePending_) {
        reconcileAgain_ = true;
        return;
    }
    reconcilePending_ = true;
    showProgress(tr("Reconciling the inventory with the host..."));
    const QString path = inventoryPath_;
    QString hostKey = session_->hostKey();
    if (hostKey.isEmpty()) // not connected: the inventory of the host asked for
        hostKey = hostUri_ == "sandbox" ? hostUri_ : QString(inventory::kLocalHost);
    session_->runOnHost(
        this,
        [path, hostKey](v3ctl::HostConnection* host) {
            return std::make_shared<HostReconciliation>(
                HostReconciliation::run(host, path, hostKey));
        },
        [this](const std::shared_ptr<HostReconciliation>& result) {
            reconcilePending_ = false;
            ++reconciles_;
            hideProgressIfIdle();
            lastHostList_ = result->hostList;
            const QString selected = selectedVm().name;
            model_->setVms(result->vms);
            if (!selected.isEmpty() && model_->findVm(selected))
                selectVm(selected);
            // The same complaint on every reconciliation is said once (it
            // would otherwise hide the message of the operation just done).
            if (result->error != lastReconcileError_ && session_->isConnected()) {
                lastReconcileError_ = result->error;
                if (!result->error.isEmpty())
                    report({}, result->error, true);
            }
            for (const QString& problem : result->problems)
                telemetry_->appendLog({}, problem);
            QStringList names;
            for (const VmEntry& vm : result->vms)
                names << vm.name;
            telemetry_->setVmNames(names);
            updateActions();
            emit reconciled();
            if (reconcileAgain_) {
                reconcileAgain_ = false;
                reconcile();
            }
        });
}

void MainWindow::poll() {
    if (pollPending_ || reconcilePending_ || !session_->isConnected())
        return;
    pollPending_ = true;
    session_->runOnHost(
        this,
        [](v3ctl::HostConnection* host) {
            QString error;
            QString list = HostReconciliation::listSignature(host, &error);
            return std::make_shared<std::pair<QString, QString>>(list, error);
        },
        [this](const std::shared_ptr<std::pair<QString, QString>>& result) {
            pollPending_ = false;
            // A connection that cannot list VMs says so once, at reconciliation.
            if (result->second.isEmpty() && result->first != lastHostList_) {
                telemetry_->appendLog({}, tr("the host's VM list changed"));
                reconcile();
            }
        });
}

VmEntry MainWindow::selectedVm() const {
    const QModelIndexList rows = tree_->selectionModel()->selectedRows();
    if (rows.isEmpty())
        return {};
    const VmEntry* vm = model_->vmAt(rows.first());
    return vm ? *vm : VmEntry();
}

bool MainWindow::selectVm(const QString& name) {
    const QModelIndex at = model_->indexOf(name);
    if (!at.isValid())
        return false;
    tree_->selectionModel()->select(at, QItemSelectionModel::ClearAndSelect |
                                            QItemSelectionModel::Rows);
    tree_->setCurrentIndex(at);
    return true;
}

void MainWindow::selectionChanged() {
    const VmEntry vm = selectedVm();
    const VmEntry* shown = vm.name.isEmpty() ? nullptr : model_->findVm(vm.name);
    details_->showVm(shown);
    telemetry_->setVm(shown);
    updateActions();
}

void MainWindow::updateActions() {
    const VmEntry vm = selectedVm();
    const VmEntry* selected = vm.name.isEmpty() ? nullptr : &vm;
    for (VmAction a : VmActionPolicy::allActions())
        action(a)->setEnabled(VmActionPolicy::isValid(a, selected));
    if (selected && selected->group == VmGroup::NotInInventory)
        action(VmAction::Activate)->setText(tr("&Activate (Add to Inventory)..."));
    else
        action(VmAction::Activate)->setText(actionText(VmAction::Activate));
}

QMenu* MainWindow::buildContextMenu(const QPoint& pos) {
    auto* menu = new QMenu(this);
    const QModelIndex at = tree_->indexAt(pos);
    const VmEntry* vm = model_->vmAt(at);
    if (!vm) {
        // Empty space or a group title: nothing VM-specific to offer.
        tree_->clearSelection();
        menu->addAction(newAction_);
        menu->addAction(reloadAction_);
        return menu;
    }
    selectVm(vm->name);
    const VmEntry copy = *vm;
    for (VmAction a : VmActionPolicy::validActions(&copy))
        menu->addAction(action(a));
    return menu;
}

void MainWindow::trigger(VmAction a) {
    const VmEntry vm = selectedVm();
    // Shortcuts and stale toolbars can fire anyway: check again.
    if (vm.name.isEmpty() || !VmActionPolicy::isValid(a, &vm)) {
        statusBar()->showMessage(
            vm.name.isEmpty()
                ? tr("Select a VM first.")
                : tr("%1 cannot do that while %2.").arg(vm.name, vmStatusName(vm.status)),
            4000);
        return;
    }
    switch (a) {
    case VmAction::Activate:
        if (vm.group == VmGroup::NotInInventory) {
            AdoptVmDialog dialog(vm.name, this);
            if (dialog.exec() == QDialog::Accepted)
                ops_->adopt(vm, dialog.configPath(), dialog.imagePath());
        } else {
            ops_->activate(vm);
        }
        break;
    case VmAction::Start:
        ops_->start(vm);
        break;
    case VmAction::Pause:
        ops_->pause(vm);
        break;
    case VmAction::Continue:
        ops_->resume(vm);
        break;
    case VmAction::Stop:
        if (confirm_(tr("Stop %1").arg(vm.name),
                     tr("Stop %1? The guest is halted where it is; its consoles stay open "
                        "until you close them.")
                         .arg(vm.name)))
            ops_->stop(vm);
        break;
    case VmAction::Delete: {
        const QString what = vm.group == VmGroup::Active
                                 ? tr("Free %1 on the host and remove it from the inventory?")
                             : vm.group == VmGroup::Inactive
                                 ? tr("Remove %1 from the inventory? Its config and image files "
                                      "stay on disk.")
                                 : tr("Free %1 on the host? (It is not in the inventory.)");
        if (confirm_(tr("Delete %1").arg(vm.name), what.arg(vm.name)))
            ops_->remove(vm);
        break;
    }
    case VmAction::OpenConsole:
        openConsolesOf(vm);
        break;
    }
}

void MainWindow::openConsolesOf(const VmEntry& vm) {
    if (vm.configPath.isEmpty()) {
        openConsole(vm, "com1"); // the usual stream; a wrong guess says so in the tab
        return;
    }
    const QString path = vm.configPath;
    auto* watcher = new QFutureWatcher<VmConfigSummary>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, vm]() {
        watcher->deleteLater();
        const VmConfigSummary config = watcher->result();
        if (config.streams.isEmpty()) {
            report(
                vm.name,
                tr("%1's config has no CHAR_STREAM device: no stream console to open").arg(vm.name),
                false);
            return;
        }
        for (const QString& stream : config.streams)
            openConsole(vm, stream);
    });
    watcher->setFuture(QtConcurrent::run([path]() { return VmConfigSummary::read(path); }));
}

QList<StreamConsoleTab*> MainWindow::consoleTabs() const {
    QList<StreamConsoleTab*> tabs;
    for (int i = 0; i < tabs_->count(); ++i)
        if (auto* tab = qobject_cast<StreamConsoleTab*>(tabs_->widget(i)))
            tabs << tab;
    return tabs;
}

void MainWindow::openConsole(const VmEntry& vm, const QString& stream) {
    for (StreamConsoleTab* tab : consoleTabs()) {
        if (tab->vmName() == vm.name && tab->streamName() == stream && tab->isOpen()) {
            tabs_->setCurrentWidget(tab);
            return;
        }
    }
    auto* tab = new StreamConsoleTab(session_, vm, stream);
    connect(tab, &StreamConsoleTab::failed, this, [this, vm, stream](const QString& message) {
        report(vm.name, tr("Opening the stream %1 of %2 failed: %3").arg(stream, vm.name, message),
               true);
    });
    const int index = tabs_->addTab(tab, IconFactory::forAction(VmAction::OpenConsole),
                                    QString("%1: %2").arg(vm.name, stream));
    tabs_->setCurrentIndex(index);
    tab->terminal()->setFocus();
}

void MainWindow::closeConsoleTab(int index) {
    if (index <= 0) // the details tab stays
        return;
    QWidget* page = tabs_->widget(index);
    tabs_->removeTab(index);
    page->deleteLater();
}

void MainWindow::showProgress(const QString& text) {
    progressLabel_->setText(text);
    busy_->show();
}

void MainWindow::hideProgressIfIdle() {
    if (ops_->pending() == 0 && !reconcilePending_ && !session_->isConnecting()) {
        busy_->hide();
        progressLabel_->clear();
    }
}

void MainWindow::report(const QString& vm, const QString& message, bool error) {
    telemetry_->appendLog(vm, message);
    if (error)
        messages_->showError(message);
    else
        statusBar()->showMessage(message, 5000);
}

void MainWindow::newVm() {
    QStringList taken;
    for (const VmEntry& vm : model_->vms())
        taken << vm.name;
    auto* wizard = new NewVmWizard(taken, inventoryPath_, session_->hostKey(), this);
    wizard->setAttribute(Qt::WA_DeleteOnClose);
    connect(wizard, &NewVmWizard::vmCreated, this, [this](const QString& name) {
        report(name, tr("%1 was added to the inventory as inactive").arg(name), false);
        reconcile();
    });
    connect(wizard, &NewVmWizard::creationFailed, this,
            [this](const QString& message) { telemetry_->appendLog({}, message); });
    wizard->open(); // window-modal, the event loop keeps running
}

void MainWindow::chooseHost() {
    bool ok = false;
    // Editable: any URI libv3ctl accepts, e.g. ssh://user@host (v3agent
    // --stdio over ssh) or unix:/path/to/agent.sock.
    QStringList hosts{"auto", "local", "sandbox"};
    if (!hosts.contains(hostUri_))
        hosts << hostUri_;
    QString uri =
        QInputDialog::getItem(this, tr("Connect to Host"),
                              tr("Host (auto, local, sandbox, ssh://[user@]host or unix:PATH):"),
                              hosts, std::max(0, int(hosts.indexOf(hostUri_))), true, &ok);
    if (ok && !uri.trimmed().isEmpty())
        connectToHost(uri.trimmed());
}

void MainWindow::about() {
    QMessageBox::about(this, tr("About Palacios"),
                       tr("<b>Palacios</b><p>A desktop manager for virtual machines run by "
                          "the v3vee kernel module, a VMM in the lineage of the V3VEE project's "
                          "Palacios.</p><p>Inventory: %1</p>")
                           .arg(inventoryPath_.toHtmlEscaped()));
}
