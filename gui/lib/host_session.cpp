#include "host_session.h"

#include <QtConcurrent/QtConcurrentRun>

#include <cerrno>

HostSession::HostSession(QObject* parent, Opener opener)
    : QObject(parent), opener_(opener ? std::move(opener) : Opener(v3ctl::openHost)) {
    connect(&watcher_, &QFutureWatcherBase::finished, this, &HostSession::finish);
    hostPool_.setMaxThreadCount(1);
    // A VM operation may take a while (launch, a sandbox round trip): the
    // worker stays for the session instead of being recreated per call.
    hostPool_.setExpiryTimeout(-1);
}

HostSession::~HostSession() {
    // A call still waiting on a remote host would hold the window open for
    // as long as that host stays silent.
    if (connection_)
        connection_->abandon("the window closed its connection");
    watcher_.waitForFinished();
    hostPool_.waitForDone();
}

void HostSession::connectTo(const QString& uri) {
    if (connecting_)
        return;
    connecting_ = true;
    cancelled_ = false;
    uri_ = uri;
    emit connecting(uri);
    Opener opener = opener_;
    std::string target = uri.toStdString();
    watcher_.setFuture(QtConcurrent::run([opener, target]() {
        auto outcome = std::make_shared<Outcome>();
        auto opened = opener(target);
        if (!opened) {
            outcome->error = QString::fromStdString(opened.error().message);
            return outcome;
        }
        auto info = opened.value()->hostInfo();
        if (!info) {
            outcome->error = QString::fromStdString(info.error().message);
            return outcome;
        }
        outcome->info = info.value();
        outcome->connection = std::move(opened.value());
        return outcome;
    }));
}

void HostSession::cancelConnect() {
    if (connecting_)
        cancelled_ = true;
}

void HostSession::finish() {
    connecting_ = false;
    std::shared_ptr<Outcome> outcome = watcher_.result();
    if (std::exchange(cancelled_, false)) {
        if (outcome->connection) {
            // Opened after all (the boot was past stopping): close it again
            // on a worker, as shutdownOwnedSandbox would.
            std::shared_ptr<v3ctl::HostConnection> opened(std::move(outcome->connection));
            (void)QtConcurrent::run([opened]() { (void)opened->shutDownIfStartedHere(); });
        }
        emit connectionFailed(uri_, tr("connecting to %1 was cancelled").arg(uri_));
        return;
    }
    if (!outcome->connection) {
        emit connectionFailed(uri_, outcome->error);
        return;
    }
    connection_ = std::shared_ptr<v3ctl::HostConnection>(std::move(outcome->connection));
    info_ = outcome->info;
    hostKey_ = QString::fromStdString(connection_->uri());
    displayName_ = QString::fromStdString(connection_->displayName());
    emit connected(displayName_, QString::fromStdString(info_.summary()));
}

void HostSession::refreshHostInfo() {
    if (!connection_)
        return;
    if (infoPending_) {
        infoAgain_ = true;
        return;
    }
    infoPending_ = true;
    runOnHost(
        this,
        [](v3ctl::HostConnection* host) -> v3ctl::Result<v3ctl::HostInfo> {
            if (!host)
                return v3ctl::Error{ENOTCONN, "not connected to a host"};
            return host->hostInfo();
        },
        [this](const v3ctl::Result<v3ctl::HostInfo>& info) {
            infoPending_ = false;
            if (info) {
                info_ = info.value();
                emit hostInfoChanged(QString::fromStdString(info_.summary()));
            }
            if (infoAgain_) {
                infoAgain_ = false;
                refreshHostInfo();
            }
        });
}

void HostSession::addGuestMemory(quint64 mb) {
    runOnHost(
        this,
        [mb](v3ctl::HostConnection* host) -> v3ctl::Result<uint64_t> {
            if (!host)
                return v3ctl::Error{ENOTCONN, "not connected to a host"};
            return host->addMemory(mb << 20);
        },
        [this, mb](const v3ctl::Result<uint64_t>& added) {
            if (added)
                emit guestMemoryAdded(true,
                                      tr("%1 MB more guest memory reserved on the host").arg(mb));
            else
                emit guestMemoryAdded(false,
                                      tr("Reserving %1 MB of guest memory failed: %2")
                                          .arg(mb)
                                          .arg(QString::fromStdString(added.error().message)));
            refreshHostInfo();
        });
}

void HostSession::shutdownOwnedSandbox() {
    if (connection_)
        connection_->abandon("the window is powering the sandbox off");
    watcher_.waitForFinished();
    hostPool_.waitForDone();
    if (connection_)
        (void)connection_->shutDownIfStartedHere();
    connection_.reset();
}
