#include "reconcile_scheduler.h"
#include "host_reconciliation.h"
#include "host_session.h"

#include "vm_record.h"

namespace {

constexpr int kPollMs = 3000; // how often the host's VM list is checked

} // namespace

ReconcileScheduler::ReconcileScheduler(HostSession* session, InventoryService* inventory,
                                       QObject* parent)
    : QObject(parent), session_(session), inventory_(inventory) {
    pollTimer_.setInterval(kPollMs);
    connect(&pollTimer_, &QTimer::timeout, this, &ReconcileScheduler::poll);
}

void ReconcileScheduler::reconcile() {
    if (pending_) {
        again_ = true;
        return;
    }
    pending_ = true;
    emit started();
    QString hostKey = session_->hostKey();
    if (hostKey.isEmpty()) // not connected: the inventory of the host asked for
        hostKey = hostUri_ == "sandbox" ? hostUri_ : QString(inventory::kLocalHost);
    InventoryService* inventory = inventory_;
    session_->runOnHost(
        this,
        [inventory, hostKey](v3ctl::HostConnection* host) {
            return std::make_shared<HostReconciliation>(
                HostReconciliation::run(host, inventory, hostKey));
        },
        [this](const std::shared_ptr<HostReconciliation>& result) {
            pending_ = false;
            ++count_;
            lastHostList_ = result->hostList;
            emit finished(result);
            if (again_) {
                again_ = false;
                reconcile();
            }
        });
}

void ReconcileScheduler::poll() {
    if (pollPending_ || pending_ || !session_->isConnected())
        return;
    pollPending_ = true;
    session_->runOnHost(
        this,
        [](v3ctl::HostConnection* host) {
            QString error;
            QString list = HostReconciliation::listSignature(host, &error);
            return std::make_shared<std::pair<QString, QString>>(list, error);
        },
        [this](const std::shared_ptr<std::pair<QString, QString>>& result) {
            pollPending_ = false;
            // A connection that cannot list VMs says so once, at reconciliation.
            if (result->second.isEmpty() && result->first != lastHostList_) {
                emit hostListChanged();
                reconcile();
            }
        });
}
