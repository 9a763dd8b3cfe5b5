#include "window_actions.h"
#include "icon_factory.h"

#include <QAction>
#include <QDockWidget>
#include <QMainWindow>
#include <QMenu>
#include <QMenuBar>
#include <QToolBar>

namespace {

QString tr(const char* text) {
    return WindowActions::tr(text);
}

QString actionText(VmAction a) {
    switch (a) {
    case VmAction::Activate:
        return tr("&Activate");
    case VmAction::Start:
        return tr("&Start");
    case VmAction::Pause:
        return tr("&Pause");
    case VmAction::Continue:
        return tr("C&ontinue");
    case VmAction::Stop:
        return tr("S&top...");
    case VmAction::Delete:
        return tr("&Delete...");
    case VmAction::OpenConsole:
        return tr("Open &Console");
    }
    return {};
}

QString actionTip(VmAction a) {
    switch (a) {
    case VmAction::Activate:
        return tr("Create the VM on the host (or add a VM the host has to the inventory)");
    case VmAction::Start:
        return tr("Launch the VM and open its consoles");
    case VmAction::Pause:
        return tr("Pause the VM");
    case VmAction::Continue:
        return tr("Let a paused VM run again");
    case VmAction::Stop:
        return tr("Stop the VM");
    case VmAction::Delete:
        return tr("Remove the VM from the host and/or the inventory");
    case VmAction::OpenConsole:
        return tr("Open one of the VM's consoles: a stream's terminal or the text screen");
    }
    return {};
}

QKeySequence actionShortcut(VmAction a) {
    switch (a) {
    case VmAction::Activate:
        return QKeySequence(tr("Ctrl+Shift+A"));
    case VmAction::Start:
        return QKeySequence(tr("Ctrl+Shift+R"));
    case VmAction::Pause:
        return QKeySequence(tr("Ctrl+Shift+P"));
    case VmAction::Continue:
        return QKeySequence(tr("Ctrl+Shift+G"));
    case VmAction::Stop:
        return QKeySequence(tr("Ctrl+Shift+X"));
    case VmAction::Delete:
        return QKeySequence(QKeySequence::Delete);
    case VmAction::OpenConsole:
        return QKeySequence(tr("Ctrl+Shift+O"));
    }
    return {};
}

} // namespace

WindowActions::WindowActions(QMainWindow* window) : QObject(window), window_(window) {
    newVm_ = new QAction(IconFactory::newVm(), tr("&New VM..."), window);
    newVm_->setShortcut(QKeySequence::New);
    newVm_->setToolTip(tr("Create a VM with the New VM wizard"));
    connect(newVm_, &QAction::triggered, this, &WindowActions::newVmRequested);
    connect_ = new QAction(tr("&Connect to Host..."), window);
    connect_->setShortcut(QKeySequence::Open);
    connect(connect_, &QAction::triggered, this, &WindowActions::connectRequested);
    reload_ = new QAction(IconFactory::reload(), tr("&Reload"), window);
    // Ctrl+Shift+F5 too: F5 belongs to the guest while a console has focus.
    reload_->setShortcuts({QKeySequence(QKeySequence::Refresh), QKeySequence(tr("Ctrl+Shift+F5"))});
    reload_->setToolTip(tr("Reconcile the inventory with the host, or reconnect (F5, "
                           "Ctrl+Shift+F5 in a console)"));
    connect(reload_, &QAction::triggered, this, &WindowActions::reloadRequested);
    addMemory_ = new QAction(tr("Add &Guest Memory..."), window);
    addMemory_->setStatusTip(tr("Reserve more of the host's memory for guest RAM (V3_ADD_MEMORY)"));
    addMemory_->setEnabled(false);
    connect(addMemory_, &QAction::triggered, this, &WindowActions::addGuestMemoryRequested);
    quit_ = new QAction(tr("&Quit"), window);
    quit_->setShortcut(QKeySequence::Quit);
    connect(quit_, &QAction::triggered, window, &QWidget::close);
    for (VmAction a : VmActionPolicy::allActions()) {
        auto* act = new QAction(IconFactory::forAction(a), actionText(a), window);
        act->setShortcut(actionShortcut(a));
        act->setStatusTip(actionTip(a));
        act->setToolTip(QString(actionText(a)).remove('&').remove("...") + " (" +
                        act->shortcut().toString(QKeySequence::NativeText) + ")");
        connect(act, &QAction::triggered, this, [this, a]() { emit vmActionTriggered(a); });
        vmActions_.insert(int(a), act);
    }
}

void WindowActions::buildMenusAndToolBar() {
    buildMenus();
    buildToolBar();
}

void WindowActions::buildMenus() {
    QMenuBar* bar = window_->menuBar();
    QMenu* file = bar->addMenu(tr("&File"));
    file->addAction(newVm_);
    file->addAction(connect_);
    file->addAction(reload_);
    file->addAction(addMemory_);
    file->addSeparator();
    file->addAction(quit_);

    QMenu* vm = bar->addMenu(tr("&VM"));
    for (VmAction a : VmActionPolicy::allActions()) {
        if (a == VmAction::Delete || a == VmAction::OpenConsole)
            vm->addSeparator();
        vm->addAction(action(a));
    }

    viewMenu_ = bar->addMenu(tr("Vie&w"));
    viewMenu_->setObjectName("viewMenu");
    for (QDockWidget* dock : window_->findChildren<QDockWidget*>())
        viewMenu_->addAction(dock->toggleViewAction());

    QMenu* help = bar->addMenu(tr("&Help"));
    help->addAction(tr("&About Palacios"), this, &WindowActions::aboutRequested);
}

void WindowActions::buildToolBar() {
    toolBar_ = window_->addToolBar(tr("Main Toolbar"));
    toolBar_->setObjectName("mainToolBar");
    toolBar_->setToolButtonStyle(Qt::ToolButtonTextUnderIcon);
    toolBar_->setIconSize(QSize(24, 24));
    toolBar_->addAction(newVm_);
    toolBar_->addSeparator();
    for (VmAction a :
         {VmAction::Activate, VmAction::Start, VmAction::Pause, VmAction::Continue, VmAction::Stop})
        toolBar_->addAction(action(a));
    toolBar_->addAction(action(VmAction::OpenConsole));
    toolBar_->addSeparator();
    toolBar_->addAction(reload_);
    viewMenu_->addSeparator();
    viewMenu_->addAction(toolBar_->toggleViewAction());
}

void WindowActions::updateFor(const VmEntry* selected) {
    for (VmAction a : VmActionPolicy::allActions())
        action(a)->setEnabled(VmActionPolicy::isValid(a, selected));
    if (selected && selected->group == VmGroup::NotInInventory)
        action(VmAction::Activate)->setText(tr("&Activate (Add to Inventory)..."));
    else
        action(VmAction::Activate)->setText(actionText(VmAction::Activate));
    // Start on a stopped VM resets it and boots it again: it says so.
    QAction* start = action(VmAction::Start);
    if (selected && v3ctl::resets(selected->status, v3ctl::VmOperation::Launch)) {
        start->setText(tr("&Restart"));
        start->setStatusTip(tr("Reset the stopped VM (cores, devices, memory) and boot it again"));
    } else {
        start->setText(actionText(VmAction::Start));
        start->setStatusTip(actionTip(VmAction::Start));
    }
}

void WindowActions::setConnecting(bool connecting) {
    connect_->setEnabled(!connecting);
    reload_->setEnabled(!connecting);
    if (connecting)
        addMemory_->setEnabled(false);
}

void WindowActions::setConnected(bool connected) {
    addMemory_->setEnabled(connected);
}

QMenu* WindowActions::contextMenu(const VmEntry* vm, QWidget* parent) const {
    auto* menu = new QMenu(parent);
    if (!vm) {
        // Empty space or a group title: nothing VM-specific to offer.
        menu->addAction(newVm_);
        menu->addAction(reload_);
        return menu;
    }
    for (VmAction a : VmActionPolicy::validActions(vm))
        menu->addAction(action(a));
    return menu;
}
