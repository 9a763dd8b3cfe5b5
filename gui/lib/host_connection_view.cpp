#include "host_connection_view.h"
#include "host_session.h"
#include "telemetry_pane.h"
#include "vm_details_page.h"

#include <QLabel>

HostConnectionView::HostConnectionView(HostSession* session, VmDetailsPage* details,
                                       TelemetryPane* log, QString inventoryPath, QObject* parent)
    : QObject(parent), session_(session), details_(details), log_(log),
      inventoryPath_(std::move(inventoryPath)), label_(new QLabel(tr("Not connected"))) {
    label_->setObjectName("hostLabel");
    connect(session_, &HostSession::connecting, this, &HostConnectionView::connecting);
    connect(session_, &HostSession::connected, this, &HostConnectionView::connected);
    connect(session_, &HostSession::connectionFailed, this, &HostConnectionView::failed);
    connect(session_, &HostSession::hostInfoChanged, this, &HostConnectionView::showHost);
}

void HostConnectionView::connecting(const QString& uri) {
    // A sandbox boot shows its stages beside (SandboxBootProgress).
    label_->setText(tr("Connecting to %1...").arg(uri));
}

void HostConnectionView::connected(const QString& displayName, const QString& summary) {
    showHost(summary);
    log_->appendLog({}, tr("connected to %1: %2").arg(displayName, summary));
}

void HostConnectionView::showHost(const QString& summary) {
    const QString displayName = session_->displayName();
    const v3ctl::HostInfo& info = session_->hostInfo();
    label_->setText(tr("Connected to %1: %2").arg(displayName, summary));
    label_->setToolTip(tr("Guest memory reserved: %1 MB, %2 MB free")
                           .arg(info.guestMemoryTotal >> 20)
                           .arg(info.guestMemoryFree >> 20));
    details_->setHostText(tr("Host: %1\nModule: v3vee %2 (ABI %3)\nKernel: Linux %4\n"
                             "Features: %5\nSVM: revision %6, %7 ASIDs\n"
                             "CPUs with SVM enabled: %8 of %9\nVMs: %10\n"
                             "Guest memory reserved: %11 MB (%12 MB free)\n\n"
                             "Inventory: %13\n")
                              .arg(displayName, QString::fromStdString(info.moduleVersion))
                              .arg(info.abiVersion)
                              .arg(QString::fromStdString(info.kernelRelease),
                                   QString::fromStdString(info.featureList()))
                              .arg(info.svmRevision)
                              .arg(info.numAsids)
                              .arg(info.cpusEnabled)
                              .arg(info.cpusPossible)
                              .arg(info.numGuests)
                              .arg(info.guestMemoryTotal >> 20)
                              .arg(info.guestMemoryFree >> 20)
                              .arg(inventoryPath_));
}

void HostConnectionView::failed(const QString& uri, const QString& message) {
    label_->setText(tr("Not connected: %1").arg(message));
    details_->setHostText(tr("Could not connect to %1:\n%2\n\nUse File > Connect to Host... "
                             "to try again or pick another host.")
                              .arg(uri, message));
    log_->appendLog({}, tr("could not connect to %1: %2").arg(uri, message));
}
