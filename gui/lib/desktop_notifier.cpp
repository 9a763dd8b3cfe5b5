#include "desktop_notifier.h"

#include <QCoreApplication>
#include <QDBusConnection>
#include <QDBusMessage>
#include <QVariantMap>

DesktopNotifier::DesktopNotifier(QObject* parent) : QObject(parent) {}

void DesktopNotifier::notify(const QString& title, const QString& body) {
    ++sent_;
    bool sent = false;
    // Only an existing session bus: connecting without one may start
    // dbus-launch, which a desktop session never needs and a test run must
    // not do.
    if (!qEnvironmentVariableIsEmpty("DBUS_SESSION_BUS_ADDRESS")) {
        QDBusConnection bus = QDBusConnection::sessionBus();
        if (bus.isConnected()) {
            QDBusMessage call = QDBusMessage::createMethodCall(
                "org.freedesktop.Notifications", "/org/freedesktop/Notifications",
                "org.freedesktop.Notifications", "Notify");
            call << QCoreApplication::applicationName() << uint(0) << QString("palacios") << title
                 << body << QStringList() << QVariantMap() << int(-1);
            // Fire and forget: the reply (an id) is of no use here.
            sent = bus.send(call);
        }
    }
    emit notified(title, body, sent);
}
