#include "host_session.h"

#include <QtConcurrent/QtConcurrentRun>

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

void HostSession::finish() {
    connecting_ = false;
    std::shared_ptr<Outcome> outcome = watcher_.result();
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

void HostSession::shutdownOwnedSandbox() {
    if (connection_)
        connection_->abandon("the window is powering the sandbox off");
    watcher_.waitForFinished();
    hostPool_.waitForDone();
    if (connection_)
        (void)connection_->shutDownIfStartedHere();
    connection_.reset();
}
