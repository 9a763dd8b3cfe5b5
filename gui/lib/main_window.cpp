#include "main_window.h"
#include "adopt_vm_dialog.h"
#include "desktop_notifier.h"
#include "host_connection_view.h"
#include "host_reconciliation.h"
#include "host_session.h"
#include "icon_factory.h"
#include "inventory_location.h"
#include "inventory_model.h"
#include "inventory_service.h"
#include "message_bar.h"
#include "new_vm_wizard.h"
#include "reconcile_scheduler.h"
#include "sandbox_boot_progress.h"
#include "telemetry_pane.h"
#include "vm_details_page.h"
#include "vm_operations.h"
#include "vm_tabs.h"
#include "window_actions.h"

#include <QCloseEvent>
#include <QDockWidget>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QMenu>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QSettings>
#include <QStatusBar>
#include <QToolBar>
#include <QTreeView>
#include <QVBoxLayout>

static void initPalaciosResources() {
    Q_INIT_RESOURCE(palacios); // the resources live in the static library
}

namespace {

bool askUser(QWidget* parent, const QString& title, const QString& text) {
    return QMessageBox::question(parent, title, text, QMessageBox::Yes | QMessageBox::Cancel,
                                 QMessageBox::Cancel) == QMessageBox::Yes;
}

} // namespace

MainWindow::MainWindow(HostSession* session, const QString& hostUri, QWidget* parent)
    : QMainWindow(parent), session_(session), hostUri_(hostUri),
      inventory_(new InventoryService(InventoryLocation::databasePath(), this)),
      model_(new InventoryModel(this)), ops_(new VmOperations(session, inventory_, this)),
      reconciler_(new ReconcileScheduler(session, inventory_, this)),
      actions_(new WindowActions(this)) {
    initPalaciosResources();
    qRegisterMetaType<VmEntry>();
    setWindowTitle(tr("Palacios"));
    setWindowIcon(IconFactory::application());
    setObjectName("PalaciosMainWindow");
    confirm_ = [this](const QString& title, const QString& text) {
        return askUser(this, title, text);
    };
    chooseDelete_ = [this](const VmEntry& vm) -> std::optional<DeleteScope> {
        DeleteVmDialog dialog(vm, this);
        if (dialog.exec() != QDialog::Accepted)
            return std::nullopt;
        return dialog.scope();
    };
    notifier_ = new DesktopNotifier(this);
    reconciler_->setHostUri(hostUri_);

    buildInventoryPane();
    buildCentre();
    buildTelemetryPane();
    buildStatusBar();
    actions_->buildMenusAndToolBar(); // after the docks: the View menu lists them
    restoreLayout();

    connectActions();
    connectOperations();
    connectModel();
    connectReconciliation();
    connectSession();
    updateActions();
}

MainWindow::~MainWindow() {
    // Queued host calls hold results for widgets about to go: let them end
    // first (they are bounded: one call each).
    session_->waitForHostCalls();
}

void MainWindow::buildInventoryPane() {
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
    auto* dock = new QDockWidget(tr("Inventory"), this);
    dock->setObjectName("inventoryDock");
    dock->setWidget(tree_);
    addDockWidget(Qt::LeftDockWidgetArea, dock);
}

void MainWindow::buildCentre() {
    tabs_ = new VmTabs(session_);
    connect(tabs_, &VmTabs::report, this, &MainWindow::report);
    messages_ = new MessageBar;
    auto* centre = new QWidget;
    auto* layout = new QVBoxLayout(centre);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addWidget(messages_);
    layout->addWidget(tabs_, 1);
    setCentralWidget(centre);
}

void MainWindow::buildTelemetryPane() {
    telemetry_ = new TelemetryPane(session_);
    auto* dock = new QDockWidget(tr("Telemetry"), this);
    dock->setObjectName("telemetryDock");
    dock->setWidget(telemetry_);
    addDockWidget(Qt::BottomDockWidgetArea, dock);
    connect(telemetry_, &TelemetryPane::statusReported, this,
            [this](const QString& name, VmStatus status, const QString& reason) {
                model_->updateStatus(name, status, reason);
            });
}

void MainWindow::buildStatusBar() {
    // Made first: it says "connected" before the window reconciles.
    hostView_ = new HostConnectionView(session_, tabs_->detailsPage(), telemetry_,
                                       inventory_->databasePath(), this);
    progressLabel_ = new QLabel;
    progressLabel_->setObjectName("progressLabel");
    busy_ = new QProgressBar;
    busy_->setRange(0, 0); // indeterminate while something runs on a worker
    busy_->setMaximumWidth(120);
    busy_->hide();
    vmCounts_ = new QLabel;
    vmCounts_->setObjectName("vmCounts");
    guestMemory_ = new QLabel;
    guestMemory_->setObjectName("guestMemory");
    statusBar()->addWidget(hostView_->label(), 1);
    statusBar()->addPermanentWidget(vmCounts_);
    statusBar()->addPermanentWidget(guestMemory_);
    sandboxBoot_ = new SandboxBootProgress(session_);
    connect(sandboxBoot_, &SandboxBootProgress::cancelled, this,
            [this](bool ok, const QString& message) { report({}, message, !ok); });
    statusBar()->addPermanentWidget(sandboxBoot_);
    statusBar()->addPermanentWidget(progressLabel_);
    statusBar()->addPermanentWidget(busy_);
}

void MainWindow::connectActions() {
    connect(actions_, &WindowActions::vmActionTriggered, this, &MainWindow::trigger);
    connect(actions_, &WindowActions::newVmRequested, this, &MainWindow::newVm);
    connect(actions_, &WindowActions::connectRequested, this, &MainWindow::chooseHost);
    connect(actions_, &WindowActions::reloadRequested, this, &MainWindow::reload);
    connect(actions_, &WindowActions::aboutRequested, this, &MainWindow::about);
    connect(actions_, &WindowActions::addGuestMemoryRequested, this, &MainWindow::askGuestMemory);
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
}

void MainWindow::connectOperations() {
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
                        tabs_->openConsolesOf(started);
                    }
                }
                reconciler_->reconcile();
                session_->refreshHostInfo(); // the VM count and guest memory changed
            });
}

void MainWindow::connectReconciliation() {
    connect(reconciler_, &ReconcileScheduler::started, this,
            [this]() { showProgress(tr("Reconciling the inventory with the host...")); });
    connect(reconciler_, &ReconcileScheduler::finished, this,
            [this](const std::shared_ptr<HostReconciliation>& result) {
                hideProgressIfIdle();
                showReconciliation(*result);
                reopenSavedConsoles();
                emit reconciled();
            });
    connect(reconciler_, &ReconcileScheduler::hostListChanged, this,
            [this]() { telemetry_->appendLog({}, tr("the host's VMs changed")); });
}

QLabel* MainWindow::hostLabel() const {
    return hostView_->label();
}
QPlainTextEdit* MainWindow::hostDetails() const {
    return tabs_->detailsPage()->hostDetails();
}
VmDetailsPage* MainWindow::detailsPage() const {
    return tabs_->detailsPage();
}
QTabWidget* MainWindow::tabWidget() const {
    return tabs_;
}
QToolBar* MainWindow::toolBar() const {
    return actions_->toolBar();
}
QAction* MainWindow::action(VmAction action) const {
    return actions_->action(action);
}
QAction* MainWindow::newVmAction() const {
    return actions_->newVm();
}
QAction* MainWindow::reloadAction() const {
    return actions_->reload();
}
QAction* MainWindow::addGuestMemoryAction() const {
    return actions_->addGuestMemory();
}
QList<StreamConsoleTab*> MainWindow::consoleTabs() const {
    return tabs_->consoleTabs();
}
int MainWindow::reconcileCount() const {
    return reconciler_->count();
}
bool MainWindow::isReconciling() const {
    return reconciler_->isReconciling();
}
void MainWindow::setPollInterval(int ms) {
    reconciler_->setPollInterval(ms);
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
                     "after the window closes: the window finds them again next time it "
                     "connects, reattaches to them and reopens the consoles open now. Close "
                     "the window?",
                     "", live))) {
        event->ignore();
        return;
    }
    QSettings settings;
    settings.setValue("mainWindow/geometry", saveGeometry());
    settings.setValue("mainWindow/state", saveState());
    settings.setValue("mainWindow/inventoryHeader", tree_->header()->saveState());
    saveOpenConsoles();
    reconciler_->stopPolling();
    event->accept();
}

void MainWindow::connectToHost(const QString& uri) {
    hostUri_ = uri;
    reconciler_->setHostUri(uri);
    session_->connectTo(uri);
}

void MainWindow::connectSession() {
    connect(session_, &HostSession::connecting, this, [this]() {
        busy_->show();
        actions_->setConnecting(true);
    });
    connect(session_, &HostSession::connected, this, [this]() {
        hideProgressIfIdle();
        actions_->setConnecting(false);
        actions_->setConnected(true);
        reconciler_->forgetHostList();
        lastReconcileError_.clear();
        reconciler_->reconcile();
        reconciler_->startPolling();
    });
    connect(session_, &HostSession::connectionFailed, this, [this]() {
        hideProgressIfIdle();
        actions_->setConnecting(false);
        actions_->setConnected(session_->isConnected());
        // The inventory is still worth showing, as it last knew its VMs.
        reconciler_->reconcile();
    });
}

void MainWindow::reload() {
    if (!session_->isConnected() && !session_->isConnecting()) {
        connectToHost(hostUri_);
        return;
    }
    reconciler_->reconcile();
}

void MainWindow::showReconciliation(const HostReconciliation& result) {
    const QString selected = selectedVm().name;
    model_->setVms(result.vms);
    if (!selected.isEmpty() && model_->findVm(selected))
        selectVm(selected);
    // The same complaint on every reconciliation is said once (it would
    // otherwise hide the message of the operation just done).
    if (result.error != lastReconcileError_ && session_->isConnected()) {
        lastReconcileError_ = result.error;
        if (!result.error.isEmpty())
            report({}, result.error, true);
    }
    for (const QString& problem : result.problems)
        telemetry_->appendLog({}, problem);
    QStringList names;
    for (const VmEntry& vm : result.vms)
        names << vm.name;
    telemetry_->setVmNames(names);
    updateActions();
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
    tabs_->detailsPage()->showVm(shown);
    telemetry_->setVm(shown);
    updateActions();
}

void MainWindow::updateActions() {
    const VmEntry vm = selectedVm();
    actions_->updateFor(vm.name.isEmpty() ? nullptr : &vm);
}

QMenu* MainWindow::buildContextMenu(const QPoint& pos) {
    const VmEntry* vm = model_->vmAt(tree_->indexAt(pos));
    if (!vm) {
        tree_->clearSelection();
        return actions_->contextMenu(nullptr, this);
    }
    const VmEntry copy = *vm;
    selectVm(copy.name);
    return actions_->contextMenu(&copy, this);
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
            AdoptVmDialog dialog(vm, this);
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
    case VmAction::Delete:
        confirmAndDelete(vm);
        break;
    case VmAction::OpenConsole:
        tabs_->openConsolesOf(vm, VmTabs::Ask::Always);
        break;
    }
}

void MainWindow::confirmAndDelete(const VmEntry& vm) {
    if (const std::optional<DeleteScope> scope = chooseDelete_(vm))
        ops_->remove(vm, *scope);
}

void MainWindow::openConsole(const VmEntry& vm, const QString& stream) {
    tabs_->openConsole(vm, stream);
}

void MainWindow::showProgress(const QString& text) {
    progressLabel_->setText(text);
    busy_->show();
}

void MainWindow::hideProgressIfIdle() {
    if (ops_->pending() == 0 && !reconciler_->isReconciling() && !session_->isConnecting()) {
        busy_->hide();
        progressLabel_->clear();
    }
}

void MainWindow::report(const QString& vm, const QString& message, bool error) {
    telemetry_->appendLog(vm, message);
    if (error)
        messages_->showError(message, vm);
    else
        statusBar()->showMessage(message, 5000);
}

void MainWindow::newVm() {
    QStringList taken;
    for (const VmEntry& vm : model_->vms())
        taken << vm.name;
    auto* wizard = new NewVmWizard(taken, inventory_, session_->hostKey(), this);
    wizard->setAttribute(Qt::WA_DeleteOnClose);
    if (session_->isConnected())
        wizard->setHostGuestMemory(int(session_->hostInfo().guestMemoryTotal >> 20),
                                   int(session_->hostInfo().guestMemoryFree >> 20));
    connect(wizard, &NewVmWizard::reserveMemoryRequested, this, &MainWindow::addGuestMemory);
    connect(wizard, &NewVmWizard::vmCreated, this, [this](const QString& name) {
        report(name, tr("%1 was added to the inventory as inactive").arg(name), false);
        reconciler_->reconcile();
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
                           .arg(inventory_->databasePath().toHtmlEscaped()));
}
