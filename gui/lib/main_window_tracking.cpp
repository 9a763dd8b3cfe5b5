// The parts of the main window that follow the VM objects' signals
// (InventoryModel: vmAdded, vmRemoved, stateChanged, vmChanged) and the
// host's info: the status bar's counts and guest memory, the error banner,
// console tabs and telemetry of a deleted VM, the desktop notification for
// a VM that failed unseen, and the consoles reopened after a restart.
#include "desktop_notifier.h"
#include "host_session.h"
#include "inventory_model.h"
#include "main_window.h"
#include "message_bar.h"
#include "stream_console_tab.h"
#include "telemetry_pane.h"
#include "vm_details_page.h"
#include "vm_tabs.h"
#include "window_actions.h"

#include <QInputDialog>
#include <QLabel>
#include <QSettings>
#include <QTreeView>

namespace {

constexpr char kOpenConsolesKey[] = "mainWindow/openConsoles";

} // namespace

void MainWindow::connectModel() {
    connect(model_, &InventoryModel::stateChanged, this,
            [this](const QString& name, VmStatus status) {
                tabs_->setVmStatus(name, status);
                telemetry_->appendLog(name, tr("state: %1").arg(vmStatusName(status)));
                notifyIfUnseen(name, status);
                updateVmCounts();
                session_->refreshHostInfo(); // its guest memory may have changed
            });
    connect(model_, &InventoryModel::vmChanged, this, [this](const QString& name) {
        if (selectedVm().name == name) {
            tabs_->detailsPage()->showVm(model_->findVm(name));
            telemetry_->setVm(model_->findVm(name));
        }
        updateActions();
        updateVmCounts(); // a group change (freed, activated) moves it on or off the host
    });
    connect(model_, &InventoryModel::vmAdded, this, [this](const QString& name) {
        // Only the new row's group: expandAll() per added VM made filling
        // the window with N VMs cost N^2 (bench/gui/bench_gui_startup).
        tree_->expand(model_->indexOf(name).parent());
        telemetry_->setVmNames({name});
        updateVmCounts();
        session_->refreshHostInfo(); // the host's VM count and guest memory
    });
    connect(model_, &InventoryModel::vmRemoved, this, &MainWindow::vmRemoved);
    auto showMemory = [this]() {
        const v3ctl::HostInfo& info = session_->hostInfo();
        guestMemory_->setText(tr("Guest memory: %1 of %2 MB free")
                                  .arg(info.guestMemoryFree >> 20)
                                  .arg(info.guestMemoryTotal >> 20));
    };
    connect(session_, &HostSession::connected, this, showMemory);
    connect(session_, &HostSession::hostInfoChanged, this, showMemory);
    connect(session_, &HostSession::guestMemoryAdded, this,
            [this](bool ok, const QString& message) { report({}, message, !ok); });
    updateVmCounts();
}

void MainWindow::vmRemoved(const QString& name) {
    // Gone from the host and the inventory: nothing of it stays on screen
    // (its log lines stay under "All VMs").
    tabs_->closeConsolesOf(name);
    messages_->dismissFor(name);
    telemetry_->forgetVm(name);
    updateActions();
    updateVmCounts();
    session_->refreshHostInfo();
}

void MainWindow::updateVmCounts() {
    // Many signals come in one burst (a reconciliation adding 1,000 VMs):
    // count once, after it, not once per VM.
    if (vmCountsPending_)
        return;
    vmCountsPending_ = true;
    QMetaObject::invokeMethod(this, &MainWindow::countVms, Qt::QueuedConnection);
}

void MainWindow::countVms() {
    vmCountsPending_ = false;
    int onHost = 0, running = 0, paused = 0, inventory = 0;
    for (const VmEntry& vm : model_->vms()) {
        if (vm.inInventory())
            ++inventory;
        if (!vm.onHost())
            continue;
        ++onHost;
        running += vm.status == VmStatus::Running;
        paused += vm.status == VmStatus::Paused;
    }
    QString text = onHost == 1 ? tr("1 VM on the host") : tr("%1 VMs on the host").arg(onHost);
    if (onHost > 0)
        text += tr(" (%1 running, %2 paused)").arg(running).arg(paused);
    text += tr(", %1 in the inventory").arg(inventory);
    vmCounts_->setText(text);
}

void MainWindow::notifyIfUnseen(const QString& name, VmStatus status) {
    // Seen in the window already when it is the active one; otherwise the
    // desktop says it.
    if (status != VmStatus::Error || isActiveWindow())
        return;
    const VmEntry* vm = model_->findVm(name);
    const QString reason =
        vm && !vm->statusReason.isEmpty() ? vm->statusReason : tr("the VMM stopped it");
    notifier_->notify(tr("%1 stopped with an error").arg(name), reason);
}

void MainWindow::saveOpenConsoles() {
    QStringList open;
    for (StreamConsoleTab* tab : tabs_->consoleTabs())
        if (tab->isOpen())
            open << tab->vmName() + '\t' + tab->streamName();
    QSettings().setValue(kOpenConsolesKey, open);
}

void MainWindow::reopenSavedConsoles() {
    // Once, after the first reconciliation that saw the host: the consoles
    // of VMs still running or paused come back; the others are forgotten.
    if (!session_->isConnected())
        return;
    if (!consolesRestoreDone_) {
        consolesRestoreDone_ = true;
        consolesToReopen_ = QSettings().value(kOpenConsolesKey).toStringList();
    }
    const QStringList saved = std::exchange(consolesToReopen_, {});
    for (const QString& entry : saved) {
        const QStringList parts = entry.split('\t');
        const VmEntry* vm = parts.size() == 2 ? model_->findVm(parts[0]) : nullptr;
        if (vm && vm->onHost() && VmActionPolicy::isValid(VmAction::OpenConsole, vm) &&
            v3ctl::isLaunched(vm->status))
            tabs_->openConsole(*vm, parts[1]);
    }
}

void MainWindow::askGuestMemory() {
    const v3ctl::HostInfo& info = session_->hostInfo();
    bool ok = false;
    const int mb = QInputDialog::getInt(
        this, tr("Add Guest Memory"),
        tr("The host has %1 MB reserved for guest RAM, %2 MB of it free.\n"
           "Reserve how many MB more (the module keeps a floor of free memory for the host)?")
            .arg(info.guestMemoryTotal >> 20)
            .arg(info.guestMemoryFree >> 20),
        64, 1, 1 << 20, 16, &ok);
    if (ok)
        addGuestMemory(mb);
}

void MainWindow::addGuestMemory(int mb) {
    if (mb <= 0)
        return;
    telemetry_->appendLog({}, tr("reserving %1 MB more guest memory...").arg(mb));
    session_->addGuestMemory(quint64(mb));
}
