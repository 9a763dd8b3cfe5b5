// The main window's actions: New VM, Connect, Reload, Quit and one per VM
// action, with their texts, shortcuts and tips; the menus and the toolbar
// built from them; and their enablement, which follows VmActionPolicy for
// the selected VM. Triggering an action only emits a signal: the window
// decides what it does.
#pragma once

#include "vm_action_policy.h"
#include "vm_entry.h"

#include <QHash>
#include <QObject>

class QAction;
class QMainWindow;
class QMenu;
class QToolBar;

class WindowActions : public QObject {
    Q_OBJECT
public:
    // The actions belong to window (their shortcuts work anywhere in it).
    explicit WindowActions(QMainWindow* window);

    // File, VM, View (a toggle for each of the window's docks and the
    // toolbar) and Help; then the toolbar. Call once the docks exist.
    void buildMenusAndToolBar();

    QAction* action(VmAction action) const { return vmActions_.value(int(action)); }
    QAction* newVm() const { return newVm_; }
    QAction* reload() const { return reload_; }
    QAction* addGuestMemory() const { return addMemory_; }
    QToolBar* toolBar() const { return toolBar_; }

    // Enables exactly the VM actions valid for selected (nullptr: none).
    void updateFor(const VmEntry* selected);
    // While connecting, Connect and Reload wait; Add Guest Memory needs a host.
    void setConnecting(bool connecting);
    void setConnected(bool connected);
    // The context menu for vm (nullptr: empty space or a group title), owned
    // by parent.
    QMenu* contextMenu(const VmEntry* vm, QWidget* parent) const;

signals:
    void vmActionTriggered(VmAction action);
    void newVmRequested();
    void connectRequested();
    void reloadRequested();
    void addGuestMemoryRequested();
    void aboutRequested();

private:
    void buildMenus();
    void buildToolBar();

    QMainWindow* window_;
    QHash<int, QAction*> vmActions_;
    QAction* newVm_ = nullptr;
    QAction* connect_ = nullptr;
    QAction* reload_ = nullptr;
    QAction* addMemory_ = nullptr;
    QAction* quit_ = nullptr;
    QMenu* viewMenu_ = nullptr;
    QToolBar* toolBar_ = nullptr;
};
