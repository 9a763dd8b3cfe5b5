// The window's connection to one host. Opening a host may boot the sandbox
// (seconds), so it runs on a worker thread and reports back by signal; the
// UI thread never waits for it.
#pragma once

#include "host_connection.h"

#include <QFutureWatcher>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QThreadPool>
#include <QtConcurrent/QtConcurrentRun>

#include <functional>
#include <memory>

class HostSession : public QObject {
    Q_OBJECT
public:
    using Opener = std::function<v3ctl::Result<std::unique_ptr<v3ctl::HostConnection>>(
        const std::string& uri)>;

    // opener defaults to v3ctl::openHost; tests hand in a double.
    explicit HostSession(QObject* parent = nullptr, Opener opener = {});
    ~HostSession() override;

    // Starts connecting; emits connected() or connectionFailed() later.
    void connectTo(const QString& uri);
    // Gives up the connection under way: when opening ends, what it opened
    // is closed again (a sandbox it booted is powered off) and
    // connectionFailed() says it was cancelled. The caller ends the boot
    // itself (SandboxBootProgress stops the sandbox) so that comes soon.
    void cancelConnect();
    bool isCancelling() const { return cancelled_; }
    bool isConnecting() const { return connecting_; }
    bool isConnected() const { return connection_ != nullptr; }
    QString displayName() const { return displayName_; }
    const v3ctl::HostInfo& hostInfo() const { return info_; }
    // The host the inventory files this connection's VMs under ("local",
    // "sandbox"); empty while not connected.
    QString hostKey() const { return hostKey_; }
    std::shared_ptr<v3ctl::HostConnection> connection() const { return connection_; }

    // Runs work(connection) on the session's host worker (one thread, so
    // calls reach the host in the order they were made and never overlap)
    // and hands the result to done(result) on context's thread, unless
    // context is gone by then. Without a connection, work gets nullptr.
    template <typename Work, typename Done> void runOnHost(QObject* context, Work work, Done done) {
        using R = std::invoke_result_t<Work, v3ctl::HostConnection*>;
        auto connection = connection_;
        auto* watcher = new QFutureWatcher<R>(this);
        QPointer<QObject> guard(context);
        connect(watcher, &QFutureWatcherBase::finished, this, [watcher, guard, done]() {
            watcher->deleteLater();
            if (guard)
                done(watcher->result());
        });
        watcher->setFuture(
            QtConcurrent::run(&hostPool_, [connection, work]() { return work(connection.get()); }));
    }
    // Asks the host for its info again (VM count, guest memory) on the host
    // worker; hostInfoChanged() follows when it answered. Asks made while
    // one is under way are folded into one more ask after it.
    void refreshHostInfo();
    // Reserves mb more megabytes of host memory for guest RAM
    // (V3_ADD_MEMORY) on the host worker; guestMemoryAdded() says how it
    // went, and the host info is refreshed after it.
    void addGuestMemory(quint64 mb);

    // Waits for every queued host call (the window is closing).
    void waitForHostCalls() { hostPool_.waitForDone(); }

    // Ends what this session's connection started, such as a sandbox it
    // booted (called once the window is gone; may block).
    void shutdownOwnedSandbox();

signals:
    void connecting(const QString& uri);
    void connected(const QString& displayName, const QString& summary);
    void connectionFailed(const QString& uri, const QString& message);
    // hostInfo() was refreshed (summary: its one-line summary).
    void hostInfoChanged(const QString& summary);
    // ok false: message is the host's reason.
    void guestMemoryAdded(bool ok, const QString& message);

private:
    struct Outcome {
        std::unique_ptr<v3ctl::HostConnection> connection;
        v3ctl::HostInfo info;
        QString error;
    };
    void finish();

    Opener opener_;
    QFutureWatcher<std::shared_ptr<Outcome>> watcher_;
    std::shared_ptr<v3ctl::HostConnection> connection_;
    QThreadPool hostPool_;
    v3ctl::HostInfo info_;
    QString hostKey_;
    QString uri_;
    QString displayName_;
    bool connecting_ = false;
    bool cancelled_ = false;
    bool infoPending_ = false;
    bool infoAgain_ = false;
};
