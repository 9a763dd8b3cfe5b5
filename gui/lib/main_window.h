// The Palacios main window: the inventory pane (three groups) on the left,
// a tabbed centre whose first, fixed tab shows the selected VM's details
// (or the host's), console tabs after it (VmTabs), the telemetry pane at the
// bottom, and a status bar naming the connected host. Menus, toolbar and
// context menu (WindowActions) offer exactly the VM actions valid for the
// selection; every host call and inventory access runs on a worker, the
// inventory's through the one InventoryService the window owns.
#pragma once

#include "vm_action_policy.h"
#include "vm_entry.h"

#include <QMainWindow>

#include <functional>
#include <memory>

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
    QList<StreamConsoleTab*> consoleTabs() const;
    // The selected VM (a copy), or an empty name.
    VmEntry selectedVm() const;
    bool selectVm(const QString& name);
    int reconcileCount() const;
    bool isReconciling() const;
    void setConfirmer(Confirmer confirmer) { confirm_ = std::move(confirmer); }
    void setPollInterval(int ms);
    // The context menu the inventory view shows at pos (viewport coordinates).
    QMenu* buildContextMenu(const QPoint& pos);

public slots:
    void connectToHost(const QString& uri);
    void reload();
    void newVm();
    void trigger(VmAction action);
    void openConsole(const VmEntry& vm, const QString& stream);

signals:
    // A reconciliation finished and the model shows its result.
    void reconciled();

protected:
    void showEvent(QShowEvent* event) override;
    void closeEvent(QCloseEvent* event) override;

private slots:
    void chooseHost();
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
};
