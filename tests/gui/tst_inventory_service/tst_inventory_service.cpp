// The window's one way to the inventory: work handed to run() happens on
// the service's worker and its result arrives on the UI thread; use() on the
// UI thread is refused before anything is opened; a database that cannot be
// opened is the outer error, the work's own failure the inner one; the
// wizard's folder for composed VMs sits next to the database.
#include "inventory_service.h"

#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QThread>
#include <QtTest>

#include <optional>

class TestInventoryService : public QObject {
    Q_OBJECT

private slots:
    void runWorksOnItsWorkerAndReportsOnTheUiThread() {
        QTemporaryDir dir;
        InventoryService service(dir.filePath("inventory.db"));
        QThread* worker = nullptr;
        std::optional<v3ctl::Result<v3ctl::Result<inventory::VmRecord>>> added;
        QThread* reportedOn = nullptr;
        service.run(
            this,
            [&worker](inventory::Inventory& inv) {
                worker = QThread::currentThread();
                inventory::NewVm vm;
                vm.name = "alpha";
                vm.image_path = "/srv/alpha.img";
                return inv.add(vm);
            },
            [&](const v3ctl::Result<v3ctl::Result<inventory::VmRecord>>& result) {
                reportedOn = QThread::currentThread();
                added = result;
            });
        QTRY_VERIFY(added.has_value());
        QVERIFY(added->ok() && added->value().ok());
        QVERIFY(worker != nullptr && worker != QThread::currentThread());
        QCOMPARE(reportedOn, QThread::currentThread());
        // Written for everyone: another connection sees it.
        auto other = inventory::Inventory::open(dir.filePath("inventory.db").toStdString());
        QVERIFY(other && other.value().find("alpha"));
    }

    void useRefusesTheUiThread() {
        QTemporaryDir dir;
        InventoryService service(dir.filePath("inventory.db"));
        bool ran = false;
        auto result = service.use([&](inventory::Inventory&) {
            ran = true;
            return 0;
        });
        QVERIFY(!result);
        QCOMPARE(result.error().errnum, EDEADLK);
        QVERIFY(!ran);
        QVERIFY(!QFile::exists(dir.filePath("inventory.db"))); // nothing was opened
        QVERIFY(!service.remove("alpha")); // the typed writes go through use() too
    }

    void openAndWorkFailuresAreTold() {
        QTemporaryDir dir;
        QFile blocker(dir.filePath("not-a-directory"));
        QVERIFY(blocker.open(QIODevice::WriteOnly));
        blocker.close();
        InventoryService broken(dir.filePath("not-a-directory/inventory.db"));
        std::optional<v3ctl::Result<v3ctl::Result<inventory::VmRecord>>> outcome;
        broken.run(
            this, [](inventory::Inventory& inv) { return inv.find("alpha"); },
            [&](const auto& result) { outcome = result; });
        QTRY_VERIFY(outcome.has_value());
        QVERIFY(!outcome->ok()); // the database could not be opened
        QVERIFY(QString::fromStdString(outcome->error().message).contains("not-a-directory"));

        InventoryService fine(dir.filePath("inventory.db"));
        outcome.reset();
        fine.run(
            this, [](inventory::Inventory& inv) { return inv.find("alpha"); },
            [&](const auto& result) { outcome = result; });
        QTRY_VERIFY(outcome.has_value());
        QVERIFY(outcome->ok());          // opened
        QVERIFY(!outcome->value().ok()); // but there is no alpha
        QCOMPARE(outcome->value().error().errnum, ENOENT);
    }

    void composedVmsLiveNextToTheDatabase() {
        InventoryService service("/data/palacios/inventory.db");
        QCOMPARE(service.vmFolder("web"), QString("/data/palacios/vms/web"));
        QCOMPARE(service.databasePath(), QString("/data/palacios/inventory.db"));
    }
};

QTEST_MAIN(TestInventoryService)
#include "tst_inventory_service.moc"
