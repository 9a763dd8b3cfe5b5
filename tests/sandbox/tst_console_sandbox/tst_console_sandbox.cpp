// The text console end to end: the console_echo guest (CGA_VIDEO +
// CURSES_CONSOLE + KEYBOARD) runs in v3vee.ko inside the sandbox; this side
// connects through V3_VM_CONSOLE_CONNECT over the agent (--host sandbox),
// decodes the screen with libv3ctl's ConsoleScreen, types set-1 scan codes
// and reads the echo back; two connections at once each get the whole
// screen; a VM without CGA_VIDEO answers ENOENT; freeing the VM ends an open
// console. Then v3_cons_sc runs in tmux (send-keys / capture-pane) against
// the same guest, and its debug log is checked.
#include "console_screen.h"
#include "guest_ops.h"
#include "host_connection.h"
#include "scan_codes.h"
#include "test_paths.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <cerrno>
#include <poll.h>
#include <unistd.h>

using namespace v3ctl;

namespace {

QString guestImage(const QString& name) {
    return testpaths::buildRoot() + "/guests/" + name + ".img";
}

QString rowText(const ConsoleScreen& screen, int row) {
    return QString::fromStdString(screen.rowText(row));
}

// Reads the console until `done` holds for the screen (checked after each
// frame) or `ms` pass. False on timeout or end of the console.
template <typename Done> bool readUntil(int fd, ConsoleScreen& screen, Done done, int ms = 30000) {
    QElapsedTimer clock;
    clock.start();
    while (clock.elapsed() < ms) {
        struct pollfd p = {fd, POLLIN, 0};
        if (::poll(&p, 1, 200) <= 0)
            continue;
        uint8_t buffer[16384];
        ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n <= 0)
            return false;
        auto frames = screen.feed(buffer, size_t(n));
        if (!frames)
            qFatal("bad console data: %s", frames.error().message.c_str());
        if (frames.value() > 0 && done(screen))
            return true;
    }
    return false;
}

bool typeText(int fd, const char* text) {
    std::vector<uint8_t> codes;
    for (const char* c = text; *c; ++c) {
        auto one = asciiScanCodes(uint8_t(*c));
        codes.insert(codes.end(), one.begin(), one.end());
    }
    size_t done = 0;
    while (done < codes.size()) {
        ssize_t n = ::write(fd, codes.data() + done, codes.size() - done);
        if (n < 0 && errno == EAGAIN) {
            struct pollfd p = {fd, POLLOUT, 0};
            ::poll(&p, 1, 1000);
            continue;
        }
        if (n <= 0)
            return false;
        done += size_t(n);
    }
    return true;
}

const char kTitle[] = "Palacios console_echo: type, and the keys appear below";

} // namespace

class TestConsoleSandbox : public QObject {
    Q_OBJECT

    QTemporaryDir runDir_;
    std::unique_ptr<HostConnection> host_;

    int run(const QString& tool, const QStringList& args, QString* out = nullptr) {
        QProcess p;
        p.start(testpaths::buildRoot() + "/bin/" + tool, QStringList{"--host", "sandbox"} + args);
        if (!p.waitForFinished(200000)) {
            p.kill();
            p.waitForFinished();
            return -1;
        }
        if (out)
            *out = QString::fromLocal8Bit(p.readAllStandardOutput()).trimmed();
        QByteArray err = p.readAllStandardError();
        if (p.exitCode() != 0)
            qWarning("%s: %s", qPrintable(tool), err.constData());
        return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    }

    // Through this test's own connection: while it has console channels
    // open, the lifecycle goes through it too.
    int createAndLaunch(const QString& guest) {
        QFile file(guestImage(guest));
        if (!file.open(QIODevice::ReadOnly))
            return -1;
        QByteArray bytes = file.readAll();
        std::vector<uint8_t> image(bytes.begin(), bytes.end());
        auto index = host_->createGuest(image, guest.toStdString());
        if (!index) {
            qWarning("create %s: %s", qPrintable(guest), index.error().message.c_str());
            return -1;
        }
        auto launched = host_->launch(index.value());
        if (!launched) {
            qWarning("launch %s: %s", qPrintable(guest), launched.error().message.c_str());
            return -1;
        }
        return index.value();
    }
    bool stopAndFree(int vm) {
        (void)host_->stop(vm); // refused when the guest stopped itself
        return host_->freeGuest(vm).ok();
    }

    static bool titleShown(const ConsoleScreen& s) {
        return s.hasMode() && rowText(s, 0).startsWith(kTitle) && s.cursor().row == 4;
    }

private slots:
    void initTestCase() {
        for (const char* g : {"console_echo", "hello"})
            QVERIFY2(QFile::exists(guestImage(g)),
                     qPrintable("missing " + guestImage(g) + "; build first"));
        QVERIFY(runDir_.isValid());
        qputenv("PALACIOS_SANDBOX_DIR", runDir_.path().toLocal8Bit());
        qputenv("PALACIOS_BUILD", testpaths::buildRoot().toLocal8Bit());
        QCOMPARE(run("v3_mem", {"64"}), 0); // boots the sandbox
        auto opened = openHost("sandbox");
        QVERIFY2(opened.ok(), opened.ok() ? "" : opened.error().message.c_str());
        host_ = opened.release_value();
    }

    void cleanupTestCase() {
        host_.reset();
        QProcess::execute(testpaths::sandboxScript(), {"stop", "--dir", runDir_.path()});
    }

    void screenCursorAndEchoedKeys() {
        int vm = createAndLaunch("console_echo");
        QVERIFY(vm >= 0);
        auto fd = host_->openConsole(vm);
        QVERIFY2(fd.ok(), fd.ok() ? "" : fd.error().message.c_str());
        ConsoleScreen screen;
        QVERIFY2(readUntil(fd.value(), screen, titleShown),
                 qPrintable("screen row 0: " + rowText(screen, 0)));
        QCOMPARE(screen.cols(), 80);
        QCOMPARE(screen.rows(), 25);
        // The start address scrolled buffer row 0 away.
        for (int row = 0; row < 25; ++row)
            QVERIFY(!rowText(screen, row).contains("SCROLLED AWAY"));
        QCOMPARE(int(screen.cell(0, 0).attr), 0x1f);
        for (int i = 0; i < 16; ++i) {
            QCOMPARE(int(screen.cell(1, i).ch), int("0123456789ABCDEF"[i]));
            QCOMPARE(int(screen.cell(1, i).attr), i);
        }
        for (int i = 0; i < 8; ++i)
            QCOMPARE(int(screen.cell(2, i).attr), i << 4);
        QCOMPARE(screen.cursor().col, 0);
        QVERIFY(screen.cursor().visible);

        // A second connection at the same time gets the whole screen too.
        auto second = host_->openConsole(vm);
        QVERIFY(second.ok());
        ConsoleScreen other;
        QVERIFY(readUntil(second.value(), other, titleShown));

        QVERIFY(typeText(fd.value(), "Hi 42\rok"));
        auto echoed = [](const ConsoleScreen& s) {
            return rowText(s, 4).startsWith("Hi 42 ") && rowText(s, 5).startsWith("ok") &&
                   s.cursor().row == 5 && s.cursor().col == 2;
        };
        QVERIFY2(readUntil(fd.value(), screen, echoed),
                 qPrintable("row 4: " + rowText(screen, 4) + " row 5: " + rowText(screen, 5)));
        QCOMPARE(int(screen.cell(4, 0).attr), 0x0e);
        QVERIFY2(readUntil(second.value(), other, echoed), qPrintable(rowText(other, 4)));
        ::close(second.value());

        // Freeing the VM ends the open console (no oops: the sandbox lives on).
        QVERIFY(stopAndFree(vm));
        uint8_t buffer[8192];
        struct pollfd p = {fd.value(), POLLIN, 0};
        QVERIFY(::poll(&p, 1, 10000) == 1);
        ssize_t n;
        do
            n = ::read(fd.value(), buffer, sizeof buffer);
        while (n > 0);
        QVERIFY(n == 0 || errno == ENODEV);
        ::close(fd.value());
        QVERIFY(host_->hostInfo().ok());
    }

    void vmWithoutCgaHasNoConsole() {
        int vm = createAndLaunch("hello");
        QVERIFY(vm >= 0);
        auto fd = host_->openConsole(vm);
        QVERIFY(!fd.ok());
        QCOMPARE(fd.error().errnum, ENOENT);
        QVERIFY(stopAndFree(vm));
    }

    void consScUnderTmux() {
        int vm = createAndLaunch("console_echo");
        QVERIFY(vm >= 0);
        QTemporaryDir dir;
        const QString socket = dir.filePath("tmux.sock");
        const QString debug = dir.filePath("debug.log");
        auto tmux = [&](const QStringList& args) {
            QProcess p;
            p.start("tmux", QStringList{"-S", socket, "-f", "/dev/null"} + args);
            p.waitForFinished(10000);
            return QString::fromLocal8Bit(p.readAllStandardOutput());
        };
        QString command = QString("TERM=screen %1/bin/v3_cons_sc --host sandbox /dev/v3-vm%2 2>%3; "
                                  "echo exited $? >>%3; sleep 30")
                              .arg(testpaths::buildRoot())
                              .arg(vm)
                              .arg(debug);
        tmux({"new-session", "-d", "-x", "90", "-y", "30", command});
        auto waitFor = [&](auto check) {
            QElapsedTimer clock;
            clock.start();
            QString pane;
            while (clock.elapsed() < 30000) {
                pane = tmux({"capture-pane", "-p"});
                if (check(pane))
                    return pane;
                QTest::qWait(200);
            }
            return "TIMEOUT\n" + pane;
        };
        QString pane = waitFor([](const QString& p) { return p.startsWith(kTitle); });
        QVERIFY2(pane.startsWith(kTitle), qPrintable(pane));
        QVERIFY2(pane.contains("v3_cons_sc /dev/v3-vm"), qPrintable(pane)); // status line
        tmux({"send-keys", "-l", "Typed Keys 7"});
        tmux({"send-keys", "Enter"});
        tmux({"send-keys", "-l", "x"});
        pane = waitFor([](const QString& p) {
            QStringList lines = p.split('\n');
            return lines.size() > 5 && lines[4].startsWith("Typed Keys 7") &&
                   lines[5].startsWith("x");
        });
        QVERIFY2(!pane.startsWith("TIMEOUT"), qPrintable(pane));
        // Esc leaves, restoring the terminal.
        tmux({"send-keys", "Escape"});
        QElapsedTimer clock;
        clock.start();
        QString log;
        while (clock.elapsed() < 10000 && !log.contains("exited")) {
            QTest::qWait(200);
            QFile f(debug);
            if (f.open(QIODevice::ReadOnly))
                log = QString::fromLocal8Bit(f.readAll());
        }
        QVERIFY2(log.contains("exited 0"), qPrintable(log));
        QVERIFY2(log.contains("v3_cons_sc: key T -> 2a 14 94 aa"), qPrintable(log));
        QVERIFY2(log.contains("v3_cons_sc: key ^M -> 1c 9c"), qPrintable(log));
        pane = tmux({"capture-pane", "-p"});
        QVERIFY2(!pane.contains(kTitle), qPrintable(pane)); // the screen was given back
        tmux({"kill-server"});
        QVERIFY(stopAndFree(vm));
    }
};

QTEST_GUILESS_MAIN(TestConsoleSandbox)
#include "tst_console_sandbox.moc"
