// palacios [--host URI]: the Palacios window. URI is auto (default: this
// machine's /dev/v3vee where it exists, otherwise the sandbox), local or
// sandbox.
#include "host_session.h"
#include "main_window.h"

#include <install_paths.h>

#include <QApplication>
#include <QCommandLineParser>
#include <QCoreApplication>

#include <cstdio>

namespace {

void describeOptions(QCommandLineParser& parser, const QCommandLineOption& hostOption) {
    parser.setApplicationDescription(
        "Palacios virtual machine manager: the window for the VMs of the v3vee module on this "
        "machine (/dev/v3vee), in the sandbox (QEMU), or on another host running v3agent.");
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOption(hostOption);
}

// --help and --version print and exit; they must work where no display is
// (a terminal over ssh, help2man at build time), so they get no QApplication.
bool onlyPrints(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        const QByteArray arg(argv[i]);
        if (arg == "--help" || arg == "-h" || arg == "--help-all" || arg == "--version" ||
            arg == "-v")
            return true;
    }
    return false;
}

void nameApplication() {
    QCoreApplication::setApplicationName("Palacios"); // also names QSettings' file
    QCoreApplication::setOrganizationName("Palacios");
    QCoreApplication::setApplicationVersion(v3ctl::palaciosVersion());
}

} // namespace

int main(int argc, char** argv) {
    const QCommandLineOption hostOption(
        "host", "Host to manage: auto, local, sandbox, ssh://[user@]host or unix:PATH.", "URI",
        "auto");
    if (onlyPrints(argc, argv)) {
        // The same --version text as every other Palacios program (and the
        // program's name, which help2man puts in the page's NAME).
        for (int i = 1; i < argc; ++i)
            if (QByteArray(argv[i]) == "--version" || QByteArray(argv[i]) == "-v") {
                std::fputs(v3ctl::versionText("palacios").c_str(), stdout);
                return 0;
            }
        QCoreApplication app(argc, argv);
        nameApplication();
        QCommandLineParser parser;
        describeOptions(parser, hostOption);
        parser.process(app); // prints and exits
        return 0;
    }

    QApplication app(argc, argv);
    nameApplication();
    QCommandLineParser parser;
    describeOptions(parser, hostOption);
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
