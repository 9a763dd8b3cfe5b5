#include "main_window.h"
#include "host_session.h"
#include "inventory_model.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QSettings>
#include <QStatusBar>
#include <QTabWidget>
#include <QTreeView>

MainWindow::MainWindow(HostSession* session, const QString& hostUri, QWidget* parent)
    : QMainWindow(parent), session_(session), hostUri_(hostUri) {
    setWindowTitle(tr("Palacios"));
    setObjectName("PalaciosMainWindow");

    model_ = new InventoryModel(this);
    tree_ = new QTreeView;
    tree_->setObjectName("inventoryView");
    tree_->setModel(model_);
    tree_->expandAll();
    tree_->header()->setStretchLastSection(false);
    tree_->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    tree_->header()->setSectionResizeMode(InventoryModel::NameColumn, QHeaderView::Stretch);
    auto* inventoryDock = new QDockWidget(tr("Inventory"), this);
    inventoryDock->setObjectName("inventoryDock");
    inventoryDock->setWidget(tree_);
    addDockWidget(Qt::LeftDockWidgetArea, inventoryDock);
    resizeDocks({inventoryDock}, {340}, Qt::Horizontal);

    tabs_ = new QTabWidget;
    details_ = new QPlainTextEdit;
    details_->setObjectName("hostDetails");
    details_->setReadOnly(true);
    details_->setPlainText(tr("Not connected."));
    tabs_->addTab(details_, tr("Details"));
    setCentralWidget(tabs_);

    hostLabel_ = new QLabel(tr("Not connected"));
    hostLabel_->setObjectName("hostLabel");
    busy_ = new QProgressBar;
    busy_->setRange(0, 0); // indeterminate while a host is being reached
    busy_->setMaximumWidth(120);
    busy_->hide();
    statusBar()->addWidget(hostLabel_, 1);
    statusBar()->addPermanentWidget(busy_);

    buildActions();
    buildMenus();
    restoreLayout();

    connect(session_, &HostSession::connecting, this, &MainWindow::onConnecting);
    connect(session_, &HostSession::connected, this, &MainWindow::onConnected);
    connect(session_, &HostSession::connectionFailed, this, &MainWindow::onConnectionFailed);
}

void MainWindow::buildActions() {
    connectAction_ = new QAction(tr("&Connect to Host..."), this);
    connect(connectAction_, &QAction::triggered, this, &MainWindow::chooseHost);
    reloadAction_ = new QAction(tr("&Reload"), this);
    reloadAction_->setShortcut(QKeySequence::Refresh);
    connect(reloadAction_, &QAction::triggered, this, [this] { connectToHost(hostUri_); });
    quitAction_ = new QAction(tr("&Quit"), this);
    quitAction_->setShortcut(QKeySequence::Quit);
    connect(quitAction_, &QAction::triggered, this, &QWidget::close);
}

void MainWindow::buildMenus() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(connectAction_);
    file->addAction(reloadAction_);
    file->addSeparator();
    file->addAction(quitAction_);

    QMenu* view = menuBar()->addMenu(tr("&View"));
    for (QDockWidget* dock : findChildren<QDockWidget*>())
        view->addAction(dock->toggleViewAction());

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About Palacios"), this, &MainWindow::about);
}

void MainWindow::restoreLayout() {
    QSettings settings;
    if (!restoreGeometry(settings.value("mainWindow/geometry").toByteArray()))
        resize(1000, 640);
    restoreState(settings.value("mainWindow/state").toByteArray());
}

void MainWindow::showEvent(QShowEvent* event) {
    QMainWindow::showEvent(event);
    if (!connectRequested_) {
        connectRequested_ = true;
        connectToHost(hostUri_);
    }
}

void MainWindow::closeEvent(QCloseEvent* event) {
    QSettings settings;
    settings.setValue("mainWindow/geometry", saveGeometry());
    settings.setValue("mainWindow/state", saveState());
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
    busy_->hide();
    connectAction_->setEnabled(true);
    reloadAction_->setEnabled(true);
    hostLabel_->setText(tr("Connected to %1: %2").arg(displayName, summary));
    const v3ctl::HostInfo& info = session_->hostInfo();
    details_->setPlainText(tr("Host: %1\nModule: v3vee %2 (ABI %3)\nKernel: Linux %4\n"
                              "Features: %5\nSVM: revision %6, %7 ASIDs\n"
                              "CPUs with SVM enabled: %8 of %9\nVMs: %10\n")
                               .arg(displayName, QString::fromStdString(info.moduleVersion))
                               .arg(info.abiVersion)
                               .arg(QString::fromStdString(info.kernelRelease),
                                    QString::fromStdString(info.featureList()))
                               .arg(info.svmRevision)
                               .arg(info.numAsids)
                               .arg(info.cpusEnabled)
                               .arg(info.cpusPossible)
                               .arg(info.numGuests));
}

void MainWindow::onConnectionFailed(const QString& uri, const QString& message) {
    busy_->hide();
    connectAction_->setEnabled(true);
    reloadAction_->setEnabled(true);
    hostLabel_->setText(tr("Not connected: %1").arg(message));
    details_->setPlainText(tr("Could not connect to %1:\n%2\n\nUse File > Connect to Host... "
                              "to try again or pick another host.")
                               .arg(uri, message));
}

void MainWindow::chooseHost() {
    bool ok = false;
    const QStringList hosts{"auto", "local", "sandbox"};
    QString uri = QInputDialog::getItem(this, tr("Connect to Host"), tr("Host:"), hosts,
                                        hosts.indexOf(hostUri_), false, &ok);
    if (ok)
        connectToHost(uri);
}

void MainWindow::about() {
    QMessageBox::about(this, tr("About Palacios"),
                       tr("<b>Palacios</b><p>A desktop manager for virtual machines run by "
                          "the v3vee kernel module, a VMM in the lineage of the V3VEE project's "
                          "Palacios.</p>"));
}
