// When the window reconciles the inventory with its host: on request
// (connected, an operation finished, Reload), and whenever the cheap poll of
// the host's VM list sees it change. At most one reconciliation runs at a
// time (on the session's host worker); one asked for meanwhile follows it.
#pragma once

#include <QObject>
#include <QString>
#include <QTimer>

#include <memory>

class HostSession;
class InventoryService;
struct HostReconciliation;

class ReconcileScheduler : public QObject {
    Q_OBJECT
public:
    // session and inventory are not owned.
    ReconcileScheduler(HostSession* session, InventoryService* inventory,
                       QObject* parent = nullptr);

    // The host asked for: its inventory is the one shown while not connected.
    void setHostUri(const QString& uri) { hostUri_ = uri; }
    // Reconciles now, or right after the one under way.
    void reconcile();
    // Polls the host's list every interval while connected.
    void startPolling() { pollTimer_.start(); }
    void stopPolling() { pollTimer_.stop(); }
    void setPollInterval(int ms) { pollTimer_.setInterval(ms); }
    // A new connection: whatever it lists is news.
    void forgetHostList() { lastHostList_.clear(); }

    bool isReconciling() const { return pending_; }
    int count() const { return count_; }

signals:
    void started();
    // The reconciliation's result (shared: it may be large).
    void finished(const std::shared_ptr<HostReconciliation>& result);
    // The poll saw the host's list change (a reconciliation follows).
    void hostListChanged();

private:
    void poll();

    HostSession* session_;
    InventoryService* inventory_;
    QString hostUri_;
    QTimer pollTimer_;
    QString lastHostList_;
    bool pending_ = false;
    bool again_ = false;
    bool pollPending_ = false;
    int count_ = 0;
};
