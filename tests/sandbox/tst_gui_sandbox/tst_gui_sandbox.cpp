// End to end: the real Palacios window connects to the real sandbox (QEMU
// booting Debian's kernel, v3vee.ko loaded inside) and reports the host; the
// sandbox it booted is powered off when the window is done with it.
#include "host_session.h"
#include "main_window.h"
#include "sandbox_host.h"
#include "test_paths.h"

#include <QLabel>
#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QProcess>
#include <QScopeGuard>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>

class TestGuiSandbox : public QObject {
    Q_OBJECT

private slots:
    void windowConnectsToTheSandboxAndReportsIt() {
        QTemporaryDir runDir;
        qputenv("PALACIOS_SANDBOX_DIR", runDir.path().toLocal8Bit());
        // Whatever happens below, no QEMU outlives the test.
        auto powerOff = qScopeGuard([&] {
            QProcess::execute(testpaths::sandboxScript(), {"stop", "--dir", runDir.path()});
        });

        HostSession session;
        MainWindow window(&session, "sandbox");
        QSignalSpy connected(&session, &HostSession::connected);
        QSignalSpy failed(&session, &HostSession::connectionFailed);
        QElapsedTimer clock;
        clock.start();
        window.show();
        QVERIFY(window.hostLabel()->text().startsWith("Connecting to sandbox"));
        QTRY_VERIFY_WITH_TIMEOUT(connected.count() + failed.count() > 0, 180000);
        QVERIFY2(failed.isEmpty(),
                 failed.isEmpty() ? "" : qPrintable(failed.first().at(1).toString()));
        qInfo("sandbox connected %lld ms after the window was shown", clock.elapsed());

        const QString label = window.hostLabel()->text();
        QVERIFY2(label.startsWith("Connected to sandbox (QEMU "), qPrintable(label));
        QVERIFY2(label.contains("SVM on 2/2 CPUs, nested paging"), qPrintable(label));
        QVERIFY(label.contains("-amd64"));
        QVERIFY(window.hostDetails()->toPlainText().contains("CPUs with SVM enabled: 2 of 2"));
        window.grab().save(testpaths::outputDir() + "/main_window_sandbox.png");

        QFile pidFile(runDir.filePath("qemu.pid"));
        QVERIFY(pidFile.open(QIODevice::ReadOnly));
        const pid_t qemu = pid_t(pidFile.readAll().trimmed().toLong());
        pidFile.close();
        QVERIFY(qemu > 0);
        QCOMPARE(::kill(qemu, 0), 0);

        window.close();
        session.shutdownOwnedSandbox();
        QTRY_VERIFY_WITH_TIMEOUT(::kill(qemu, 0) != 0, 10000);
        QVERIFY(!QFile::exists(runDir.filePath("qemu.pid")));
    }
};

QTEST_MAIN(TestGuiSandbox)
#include "tst_gui_sandbox.moc"
