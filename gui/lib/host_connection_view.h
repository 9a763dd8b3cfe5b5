// What the window says about its connection: the status bar's host label
// ("Connecting to...", "Connected to HOST: summary", "Not connected: why"),
// the host page of the details tab (module, kernel, SVM, memory, and the
// inventory in use) and a log line for each change. It follows the
// session's signals by itself, and the host info it refreshes (VM count,
// reserved and free guest memory) stays true.
#pragma once

#include <QObject>
#include <QString>

class HostSession;
class QLabel;
class TelemetryPane;
class VmDetailsPage;

class HostConnectionView : public QObject {
    Q_OBJECT
public:
    // None owned; the label it makes goes to the caller's status bar.
    HostConnectionView(HostSession* session, VmDetailsPage* details, TelemetryPane* log,
                       QString inventoryPath, QObject* parent = nullptr);

    QLabel* label() const { return label_; }

private:
    void connecting(const QString& uri);
    void connected(const QString& displayName, const QString& summary);
    // The label and host page from the session's current host info.
    void showHost(const QString& summary);
    void failed(const QString& uri, const QString& message);

    HostSession* session_;
    VmDetailsPage* details_;
    TelemetryPane* log_;
    QString inventoryPath_;
    QLabel* label_;
};
