// The main window's logic with a stand-in host connection: title, inventory
// groups, the connection reported in the status bar and details, and the
// failure path. The real sandbox is exercised in tests/sandbox.
#include "host_session.h"
#include "inventory_model.h"
#include "main_window.h"
#include "test_paths.h"

#include <QLabel>
#include <QMenuBar>
#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTreeView>
#include <QtTest>

#include <atomic>
#include <cerrno>

namespace {

class StubHost : public v3ctl::HostConnection {
public:
    std::string uri() const override { return "stub"; }
    std::string displayName() const override { return "stub host"; }
    // Host info only: every other operation is refused (ENOSYS).
    void perform(v3ctl::ops::AnyCall call) override { dispatch(call, *this); }
    v3ctl::Result<v3ctl::HostInfo> handle(v3ctl::ops::GetHostInfo, const v3ctl::ops::NoArgs&) {
        v3ctl::HostInfo info;
        info.abiVersion = 1;
        info.features = 3;
        info.cpusPossible = 4;
        info.cpusEnabled = 4;
        info.moduleVersion = "9.9";
        info.kernelRelease = "6.1.0-test";
        return info;
    }
};

std::atomic<int> g_opens{0};

v3ctl::Result<std::unique_ptr<v3ctl::HostConnection>> openStub(const std::string&) {
    ++g_opens;
    return std::unique_ptr<v3ctl::HostConnection>(new StubHost);
}

v3ctl::Result<std::unique_ptr<v3ctl::HostConnection>> openFailing(const std::string& uri) {
    ++g_opens;
    return v3ctl::Error{EIO, "the sandbox did not start: qemu is missing (" + uri + ")"};
}

} // namespace

class TestMainWindow : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true); // QSettings away from the user's
        QVERIFY(inventoryDir_.isValid());
        qputenv("PALACIOS_INVENTORY", inventoryDir_.filePath("inventory.db").toLocal8Bit());
    }
    void init() { g_opens = 0; }

    void titleGroupsAndMenus() {
        HostSession session(nullptr, openStub);
        MainWindow window(&session, "stub");
        QCOMPARE(window.windowTitle(), QString("Palacios"));
        InventoryModel* model = window.inventoryModel();
        QCOMPARE(model->rowCount(), 3);
        QCOMPARE(model->index(0, 0).data().toString(), QString("Active"));
        QCOMPARE(model->index(1, 0).data().toString(), QString("Inactive"));
        QCOMPARE(model->index(2, 0).data().toString(), QString("Not in inventory"));
        QCOMPARE(model->headerData(InventoryModel::MemoryColumn, Qt::Horizontal).toString(),
                 QString("Memory"));
        QStringList menus;
        for (QAction* a : window.menuBar()->actions())
            menus << a->text().remove('&');
        QCOMPARE(menus, QStringList({"File", "VM", "View", "Help"}));
        QCOMPARE(g_opens.load(), 0); // nothing is opened before the window shows
    }

    void reportsTheConnectedHost() {
        HostSession session(nullptr, openStub);
        MainWindow window(&session, "stub");
        QSignalSpy connected(&session, &HostSession::connected);
        window.show();
        QVERIFY(connected.wait(5000));
        QCOMPARE(g_opens.load(), 1);
        QCOMPARE(window.hostLabel()->text(),
                 QString("Connected to stub host: v3vee 9.9 (ABI 1) on Linux 6.1.0-test, SVM on "
                         "4/4 CPUs, nested paging, 0 VMs"));
        const QString details = window.hostDetails()->toPlainText();
        QVERIFY(details.contains("Kernel: Linux 6.1.0-test"));
        QVERIFY(details.contains("CPUs with SVM enabled: 4 of 4"));
        QVERIFY(details.contains("Features: svm nested-paging"));
        window.grab().save(testpaths::outputDir() + "/main_window_stub.png");
    }

    void connectionFailureIsShownAndRetryable() {
        HostSession session(nullptr, openFailing);
        MainWindow window(&session, "sandbox");
        QSignalSpy failed(&session, &HostSession::connectionFailed);
        window.show();
        QVERIFY(failed.wait(5000));
        QVERIFY(window.hostLabel()->text().startsWith("Not connected: the sandbox did not start"));
        QVERIFY(window.hostDetails()->toPlainText().contains("qemu is missing (sandbox)"));
        QVERIFY(!session.isConnected());

        window.connectToHost("sandbox"); // Reload / Connect again
        QVERIFY(failed.wait(5000));
        QCOMPARE(g_opens.load(), 2);
    }

    void showsProgressWhileConnecting() {
        HostSession session(nullptr, openStub);
        MainWindow window(&session, "sandbox");
        QSignalSpy connected(&session, &HostSession::connected);
        window.show();
        // The UI thread is free while the worker connects: the label already
        // says what is happening before the result arrives.
        QVERIFY(window.hostLabel()->text().startsWith("Connecting to sandbox"));
        QVERIFY(connected.wait(5000));
    }

    void inventoryGroupsAreNotSelectable() {
        HostSession session(nullptr, openStub);
        MainWindow window(&session, "stub");
        QModelIndex active = window.inventoryModel()->groupIndex(VmGroup::Active);
        QVERIFY(!(window.inventoryModel()->flags(active) & Qt::ItemIsSelectable));
        QVERIFY(!(window.inventoryModel()->flags(active) & Qt::ItemIsEditable));
    }

private:
    QTemporaryDir inventoryDir_;
};

QTEST_MAIN(TestMainWindow)
#include "tst_main_window.moc"
