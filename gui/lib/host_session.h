// The window's connection to one host. Opening a host may boot the sandbox
// (seconds), so it runs on a worker thread and reports back by signal; the
// UI thread never waits for it.
#pragma once

#include "host_connection.h"

#include <QFutureWatcher>
#include <QObject>
#include <QString>

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
    bool isConnecting() const { return connecting_; }
    bool isConnected() const { return connection_ != nullptr; }
    QString displayName() const { return displayName_; }
    const v3ctl::HostInfo& hostInfo() const { return info_; }

    // Powers off a sandbox this session booted (called once the window is gone).
    void shutdownOwnedSandbox();

signals:
    void connecting(const QString& uri);
    void connected(const QString& displayName, const QString& summary);
    void connectionFailed(const QString& uri, const QString& message);

private:
    struct Outcome {
        std::unique_ptr<v3ctl::HostConnection> connection;
        v3ctl::HostInfo info;
        QString error;
    };
    void finish();

    Opener opener_;
    QFutureWatcher<std::shared_ptr<Outcome>> watcher_;
    std::unique_ptr<v3ctl::HostConnection> connection_;
    v3ctl::HostInfo info_;
    QString uri_;
    QString displayName_;
    bool connecting_ = false;
};
