// The Palacios main window: inventory pane, tabbed centre (host details
// first), status bar naming the connected host.
#pragma once

#include <QMainWindow>

class HostSession;
class InventoryModel;
class QAction;
class QLabel;
class QPlainTextEdit;
class QProgressBar;
class QTabWidget;
class QTreeView;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    // The window connects through `session` (not owned) to `hostUri` once shown.
    MainWindow(HostSession* session, const QString& hostUri, QWidget* parent = nullptr);

    InventoryModel* inventoryModel() const { return model_; }
    QTreeView* inventoryView() const { return tree_; }
    QLabel* hostLabel() const { return hostLabel_; }
    QPlainTextEdit* hostDetails() const { return details_; }

public slots:
    void connectToHost(const QString& uri);

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
    void restoreLayout();

    HostSession* session_;
    QString hostUri_;
    bool connectRequested_ = false;
    InventoryModel* model_;
    QTreeView* tree_;
    QTabWidget* tabs_;
    QPlainTextEdit* details_;
    QLabel* hostLabel_;
    QProgressBar* busy_;
    QAction* connectAction_ = nullptr;
    QAction* reloadAction_ = nullptr;
    QAction* quitAction_ = nullptr;
};
