// The Palacios main window: the inventory pane (three groups) on the left,
// a tabbed centre whose first, fixed tab shows the selected VM's details
// (or the host's), console tabs after it, the telemetry pane at the bottom,
// and a status bar naming the connected host. Menus, toolbar and context
// menu offer exactly the VM actions valid for the selection
// (VmActionPolicy); every host call and file access runs on a worker.
#pragma once

#include "vm_action_policy.h"
#include "vm_entry.h"

#include <QHash>
#include <QMainWindow>
#include <QTimer>

#include <functional>

class HostSession;
class InventoryModel;
class MessageBar;
class QAction;
class QLabel;
class QPlainTextEdit;
class QProgressBar;
class QTabWidget;
class QToolBar;
class QTreeView;
class StreamConsoleTab;
class TelemetryPane;
class VmDetailsPage;
class VmOperations;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    // Asked before Stop, Delete and closing with VMs running; true goes ahead.
    using Confirmer = std::function<bool(const QString& title, const QString& text)>;

    // The window connects through `session` (not owned) to `hostUri` once shown.
    MainWindow(HostSession* session, const QString& hostUri, QWidget* parent = nullptr);
    ~MainWindow() override;

    InventoryModel* inventoryModel() const { return model_; }
    QTreeView* inventoryView() const { return tree_; }
    QLabel* hostLabel() const { return hostLabel_; }
    QPlainTextEdit* hostDetails() const;
    VmDetailsPage* detailsPage() const { return details_; }
    TelemetryPane* telemetryPane() const { return telemetry_; }
    QTabWidget* tabWidget() const { return tabs_; }
    MessageBar* messageBar() const { return messages_; }
    QToolBar* toolBar() const { return toolbar_; }
    QAction* action(VmAction action) const { return actions_.value(int(action)); }
    QAction* newVmAction() const { return newAction_; }
    QAction* reloadAction() const { return reloadAction_; }
    QList<StreamConsoleTab*> consoleTabs() const;
    // The selected VM (a copy), or an empty name.
    VmEntry selectedVm() const;
    bool selectVm(const QString& name);
    int reconcileCount() const { return reconciles_; }
    bool isReconciling() const { return reconcilePending_; }
    void setConfirmer(Confirmer confirmer) { confirm_ = std::move(confirmer); }
    void setPollInterval(int ms) { pollTimer_.setInterval(ms); }
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
    void onConnecting(const QString& uri);
    void onConnected(const QString& displayName, const QString& summary);
    void onConnectionFailed(const QString& uri, const QString& message);
    void chooseHost();
    void about();

private:
    void buildActions();
    void buildMenus();
    void buildToolBar();
    void restoreLayout();
    void updateActions();
    void selectionChanged();
    void reconcile();
    void poll();
    void openConsolesOf(const VmEntry& vm);
    void closeConsoleTab(int index);
    void showProgress(const QString& text);
    void hideProgressIfIdle();
    void report(const QString& vm, const QString& message, bool error);

    HostSession* session_;
    QString hostUri_;
    QString inventoryPath_;
    bool connectRequested_ = false;
    bool layoutRestored_ = false;
    InventoryModel* model_;
    QTreeView* tree_;
    QTabWidget* tabs_;
    VmDetailsPage* details_;
    TelemetryPane* telemetry_;
    MessageBar* messages_;
    VmOperations* ops_;
    QLabel* hostLabel_;
    QLabel* progressLabel_;
    QProgressBar* busy_;
    QToolBar* toolbar_ = nullptr;
    QHash<int, QAction*> actions_;
    QAction* newAction_ = nullptr;
    QAction* connectAction_ = nullptr;
    QAction* reloadAction_ = nullptr;
    QAction* quitAction_ = nullptr;
    QTimer pollTimer_;
    QString lastHostList_;
    QString lastReconcileError_;
    bool reconcilePending_ = false;
    bool reconcileAgain_ = false;
    bool pollPending_ = false;
    int reconciles_ = 0;
    Confirmer confirm_;
};
