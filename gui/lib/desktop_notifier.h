// Desktop notifications (org.freedesktop.Notifications over the session
// bus): the window tells the user about a VM that failed while they were
// looking elsewhere. The call is asynchronous (the UI thread never waits for
// the notification daemon); without a session bus nothing is shown, and
// notified() is emitted either way.
#pragma once

#include <QObject>
#include <QString>

class DesktopNotifier : public QObject {
    Q_OBJECT
public:
    explicit DesktopNotifier(QObject* parent = nullptr);

    void notify(const QString& title, const QString& body);
    int sentCount() const { return sent_; }

signals:
    // A notification was asked for (sentToBus: the session bus took it).
    void notified(const QString& title, const QString& body, bool sentToBus);

private:
    int sent_ = 0;
};
