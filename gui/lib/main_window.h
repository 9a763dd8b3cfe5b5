// The Palacios main window: the inventory pane (three groups) on the left,
// a tabbed centre whose first, fixed tab shows the selected VM's details
// (or the host's), console tabs after it (VmTabs), the telemetry pane at the
// bottom, and a status bar naming the connected host. Menus, toolbar and
// context menu (WindowActions) offer exactly the VM actions valid for the
// selection; every host call and inventory access runs on a worker, the
// inventory's through the one InventoryService the window owns.
#pragma once

#include "delete_vm_dialog.h"
#include "vm_action_policy.h"
#include "vm_entry.h"

#include <QMainWindow>

#include <functional>
#include <memory>
#include <optional>

class DesktopNotifier;
class HostConnectionView;
class HostSession;
class InventoryModel;
class InventoryService;
class MessageBar;
class QAction;
class QLabel;
class QPlainTextEdit;
class QProgressBar;
class QTabWidget;
class QToolBar;
class QTreeView;
class ReconcileScheduler;
class SandboxBootProgress;
class StreamConsoleTab;
class TelemetryPane;
class VmDetailsPage;
class VmOperations;
class VmTabs;
class WindowActions;
struct HostReconciliation;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    // Asked before Stop, Delete and closing with VMs running; true goes ahead.
    using Confirmer = std::function<bool(const QString& title, const QString& text)>;
    // Asked what Delete should remove (DeleteVmDialog); nothing cancels.
    using DeleteChooser = std::function<std::optional<DeleteScope>(const VmEntry& vm)>;

    // The window connects through `session` (not owned) to `hostUri` once
    // shown; its inventory is the one InventoryLocation names.
    MainWindow(HostSession* session, const QString& hostUri, QWidget* parent = nullptr);
    ~MainWindow() override;

    InventoryModel* inventoryModel() const { return model_; }
    InventoryService* inventoryService() const { return inventory_; }
    QTreeView* inventoryView() const { return tree_; }
    QLabel* hostLabel() const;
    QPlainTextEdit* hostDetails() const;
    VmDetailsPage* detailsPage() const;
    TelemetryPane* telemetryPane() const { return telemetry_; }
    QTabWidget* tabWidget() const;
    MessageBar* messageBar() const { return messages_; }
    QToolBar* toolBar() const;
    QAction* action(VmAction action) const;
    QAction* newVmAction() const;
    QAction* reloadAction() const;
    QAction* addGuestMemoryAction() const;
    QList<StreamConsoleTab*> consoleTabs() const;
    // The selected VM (a copy), or an empty name.
    VmEntry selectedVm() const;
    bool selectVm(const QString& name);
    int reconcileCount() const;
    bool isReconciling() const;
    void setConfirmer(Confirmer confirmer) { confirm_ = std::move(confirmer); }
    void setDeleteChooser(DeleteChooser chooser) { chooseDelete_ = std::move(chooser); }
    // "N VMs on the host (R running, ...)": follows the model's signals.
    QLabel* vmCountLabel() const { return vmCounts_; }
    // "Guest memory: F of T MB free": follows the host info.
    QLabel* guestMemoryLabel() const { return guestMemory_; }
    DesktopNotifier* notifier() const { return notifier_; }
    SandboxBootProgress* sandboxBoot() const { return sandboxBoot_; }
    void setPollInterval(int ms);
    // The context menu the inventory view shows at pos (viewport coordinates).
    QMenu* buildContextMenu(const QPoint& pos);

public slots:
    void connectToHost(const QString& uri);
    void reload();
    void newVm();
    void trigger(VmAction action);
    void openConsole(const VmEntry& vm, const QString& stream);
    // Reserves mb more host memory for guest RAM (V3_ADD_MEMORY).
    void addGuestMemory(int mb);

signals:
    // A reconciliation finished and the model shows its result.
    void reconciled();

protected:
    void showEvent(QShowEvent* event) override;
    void closeEvent(QCloseEvent* event) override;

private slots:
    void chooseHost();
    void askGuestMemory();
    void about();

private:
    void buildInventoryPane();
    void buildCentre();
    void buildTelemetryPane();
    void buildStatusBar();
    void connectActions();
    void connectOperations();
    void connectModel();
    void connectReconciliation();
    void connectSession();
    void restoreLayout();
    void updateActions();
    void selectionChanged();
    void showReconciliation(const HostReconciliation& result);
    void confirmAndDelete(const VmEntry& vm);
    void showProgress(const QString& text);
    void hideProgressIfIdle();
    void report(const QString& vm, const QString& message, bool error);
    // main_window_tracking.cpp: what follows the VM objects' signals.
    void vmRemoved(const QString& name);
    void updateVmCounts(); // soon: countVms() once the signals in flight are in
    void countVms();
    void notifyIfUnseen(const QString& name, VmStatus status);
    void saveOpenConsoles();
    void reopenSavedConsoles();

    HostSession* session_;
    QString hostUri_;
    InventoryService* inventory_;
    bool connectRequested_ = false;
    bool layoutRestored_ = false;
    InventoryModel* model_;
    QTreeView* tree_ = nullptr;
    VmTabs* tabs_ = nullptr;
    TelemetryPane* telemetry_ = nullptr;
    MessageBar* messages_ = nullptr;
    VmOperations* ops_;
    ReconcileScheduler* reconciler_;
    WindowActions* actions_;
    HostConnectionView* hostView_ = nullptr;
    QLabel* progressLabel_ = nullptr;
    QProgressBar* busy_ = nullptr;
    QString lastReconcileError_;
    Confirmer confirm_;
    DeleteChooser chooseDelete_;
    QLabel* vmCounts_ = nullptr;
    bool vmCountsPending_ = false;
    QLabel* guestMemory_ = nullptr;
    DesktopNotifier* notifier_ = nullptr;
    SandboxBootProgress* sandboxBoot_ = nullptr;
    // Consoles open when the window last closed ("vm\tstream"), reopened
    // once their VMs are seen running after the first reconciliation.
    QStringList consolesToReopen_;
    bool consolesRestoreDone_ = false;
};
