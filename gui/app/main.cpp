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
    QCommandLineOption hostOption("host", "Host to manage: auto, local or sandbox.", "URI", "auto");
    parser.addOption(hostOption);
    parser.process(app);

    HostSession session;
    MainWindow window(&session, parser.value(hostOption));
    window.show();
    int rc = app.exec();
    // No VM can outlive the window yet, so a sandbox this window booted goes
    // with it; the window is already closed, so this wait blocks nothing.
    session.shutdownOwnedSandbox();
    return rc;
}
