// palacios [--host URI]: the Palacios window. URI is auto (default: this
// machine's /dev/v3vee where it exists, otherwise the sandbox), local or
// sandbox.
#include "host_session.h"
#include "main_window.h"

#include <QApplication>
#include <QCommandLineParser>

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    QApplication::setApplicationName("Palacios");
    QApplication::setOrganizationName("Palacios");

    QCommandLineParser parser;
    parser.setApplicationDescription("Palacios virtual machine manager");
    parser.addHelpOption();
    QCommandLineOption hostOption(
        "host", "Host to manage: auto, local, sandbox, ssh://[user@]host or unix:PATH.", "URI",
        "auto");
    parser.addOption(hostOption);
    parser.process(app);

    HostSession session;
    MainWindow window(&session, parser.value(hostOption));
    window.show();
    int rc = app.exec();
    // VMs outlive the window: a sandbox this window booted keeps running
    // while it has VMs (the next window finds them), and goes with the
    // window otherwise. The window is already closed, so this waits on nothing
    // the user sees.
    auto connection = session.connection();
    bool vmsLeft = false;
    if (connection) {
        auto guests = connection->listGuests();
        vmsLeft = guests && !guests.value().empty();
    }
    if (vmsLeft)
        qInfo("palacios: VMs are still running on %s; they stay there for the next window",
              connection->displayName().c_str());
    else
        session.shutdownOwnedSandbox();
    return rc;
}
