// Importing the original Palacios GUI's virtual_machines_list.txt
// ("name,config,devfile,state,image" a line; state 0 stopped, 1 paused,
// 2 running): what is imported, how paths are made absolute, and every kind
// of line it cannot use, reported by number.
#include "inventory.h"
#include "inventory_checks.h"
#include "legacy_import.h"
#include "reconcile.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <cerrno>

using namespace inventory;

class TstLegacyImport : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    int counter_ = 0;

    std::string fresh_db() {
        return dir_.filePath(QStringLiteral("inv%1.db").arg(++counter_)).toStdString();
    }

    // Writes the list under a directory of its own (what relative paths resolve against).
    std::string write_list(const QByteArray& contents) {
        const QString folder = dir_.filePath(QStringLiteral("gui%1").arg(++counter_));
        QDir().mkpath(folder);
        QFile file(folder + QStringLiteral("/virtual_machines_list.txt"));
        if (!file.open(QIODevice::WriteOnly))
            return {};
        file.write(contents);
        return file.fileName().toStdString();
    }

    static std::string folder_of(const std::string& path) {
        return QFileInfo(QString::fromStdString(path)).absolutePath().toStdString();
    }

private slots:
    void initTestCase() { QVERIFY(dir_.isValid()); }

    void importsEveryUsableLine() {
        const std::string list = write_list("stopped-vm,stopped.xml,/dev/v3-vm0,0,stopped.img\n"
                                            "paused-vm,/etc/vms/p.xml,/dev/v3-vm1,1,/images/p.img\n"
                                            "running-vm,conf/r.xml,v3-vm2,2,../images/r.img\n"
                                            "never-created,n.xml,,0,n.img\n");
        const std::string base = folder_of(list);
        TAKE_OK(inv, Inventory::open(fresh_db()));
        TAKE_OK(report, import_legacy_list(inv, list));
        QVERIFY(report.problems.empty());
        QCOMPARE(report.imported, (std::vector<std::string>{"stopped-vm", "paused-vm", "running-vm",
                                                            "never-created"}));

        TAKE_OK(stopped, inv.find("stopped-vm"));
        QCOMPARE(stopped.state, VmState::Stopped);
        QCOMPARE(stopped.device_file, std::string("/dev/v3-vm0"));
        // The original stored bare names: they are made absolute against the list's folder.
        QCOMPARE(stopped.config_path, base + "/stopped.xml");
        QCOMPARE(stopped.image_path, base + "/stopped.img");
        QCOMPARE(stopped.host, std::string("local"));

        TAKE_OK(paused, inv.find("paused-vm"));
        QCOMPARE(paused.state, VmState::Paused);
        QCOMPARE(paused.config_path, std::string("/etc/vms/p.xml")); // absolute: as given
        QCOMPARE(paused.image_path, std::string("/images/p.img"));

        TAKE_OK(running, inv.find("running-vm"));
        QCOMPARE(running.state, VmState::Running);
        QCOMPARE(running.device_file, std::string("/dev/v3-vm2")); // a bare name lives in /dev
        QCOMPARE(running.config_path, base + "/conf/r.xml");
        QCOMPARE(running.image_path,
                 QDir::cleanPath(QString::fromStdString(base + "/../images/r.img")).toStdString());

        // Without a device file the VM cannot be reached: it starts over as inactive.
        TAKE_OK(never, inv.find("never-created"));
        QCOMPARE(never.state, VmState::Inactive);
        QCOMPARE(never.device_file, std::string());
        QCOMPARE(never.state_reason, std::string("imported as stopped without a device file"));

        TAKE_OK(history, inv.events("running-vm"));
        QCOMPARE(history.size(), size_t(1));
        QCOMPARE(history[0].kind, std::string("added"));
        QCOMPARE(history[0].to_state, std::optional(VmState::Running));
        QCOMPARE(history[0].message, "imported from " + list + " line 3");
    }

    void resolvesAgainstAGivenBaseDirectory() {
        const std::string list = write_list("vm,vm.xml,,0,disks/vm.img\n");
        TAKE_OK(inv, Inventory::open(fresh_db()));
        LegacyImportOptions options;
        options.base_dir = "/home/olduser/palacios";
        options.host = "lab-server";
        TAKE_OK(report, import_legacy_list(inv, list, options));
        QCOMPARE(report.imported.size(), size_t(1));
        TAKE_OK(vm, inv.find("vm"));
        QCOMPARE(vm.config_path, std::string("/home/olduser/palacios/vm.xml"));
        QCOMPARE(vm.image_path, std::string("/home/olduser/palacios/disks/vm.img"));
        QCOMPARE(vm.host, std::string("lab-server"));
    }

    void toleratesBlanksAroundFieldsCrlfAndBlankLines() {
        const std::string list = write_list("\n  a , a.xml , /dev/v3-vm0 , 2 , a.img \r\n"
                                            "   \n"
                                            "b,b.xml,,0,b.img"); // no final newline
        TAKE_OK(inv, Inventory::open(fresh_db()));
        TAKE_OK(report, import_legacy_list(inv, list));
        QVERIFY(report.problems.empty());
        QCOMPARE(report.imported, (std::vector<std::string>{"a", "b"}));
        TAKE_OK(a, inv.find("a"));
        QCOMPARE(a.device_file, std::string("/dev/v3-vm0"));
        QCOMPARE(a.image_path, folder_of(list) + "/a.img");
    }

    void reportsLinesItCannotUse_data() {
        QTest::addColumn<QByteArray>("line");
        QTest::addColumn<QString>("reason");
        QTest::newRow("four fields") << QByteArray("vm,vm.xml,/dev/v3-vm0,2")
                                     << "expected 5 comma-separated fields "
                                        "(name,config,devfile,state,image), found 4";
        QTest::newRow("six fields")
            << QByteArray("vm,vm.xml,/dev/v3-vm0,2,vm.img,extra") << "found 6";
        QTest::newRow("state 3") << QByteArray("vm,vm.xml,/dev/v3-vm0,3,vm.img")
                                 << "state '3' is not 0 (stopped), 1 (paused) or 2 (running)";
        QTest::newRow("state word")
            << QByteArray("vm,vm.xml,/dev/v3-vm0,running,vm.img") << "state 'running' is not 0";
        QTest::newRow("state empty")
            << QByteArray("vm,vm.xml,/dev/v3-vm0,,vm.img") << "state '' is not 0";
        QTest::newRow("state negative")
            << QByteArray("vm,vm.xml,/dev/v3-vm0,-1,vm.img") << "state '-1' is not 0";
        QTest::newRow("empty name")
            << QByteArray(",vm.xml,/dev/v3-vm0,2,vm.img") << "a VM name cannot be empty";
        QTest::newRow("name with space")
            << QByteArray("my vm,vm.xml,/dev/v3-vm0,2,vm.img") << "contains white space";
        QTest::newRow("empty image")
            << QByteArray("vm,vm.xml,/dev/v3-vm0,2,") << "the image path is empty";
        QTest::newRow("relative device path") << QByteArray("vm,vm.xml,dev/v3-vm0,2,vm.img")
                                              << "device file 'dev/v3-vm0' is neither absolute";
        QTest::newRow("duplicate in file")
            << QByteArray("first,x.xml,,0,x.img") << "VM 'first' is already listed on line 1";
        QTest::newRow("already in inventory") << QByteArray("existing,e.xml,,0,e.img")
                                              << "cannot add VM 'existing': a VM by that name "
                                                 "is already in the inventory";
        QTest::newRow("binary junk") << QByteArray("\x7f\x45\x4c\x46\x02\x01") << "found 1";
    }

    void reportsLinesItCannotUse() {
        QFETCH(QByteArray, line);
        QFETCH(QString, reason);
        const std::string list = write_list("first,first.xml,/dev/v3-vm0,2,first.img\n" + line +
                                            "\nlast,l.xml,,1,l.img\n");
        TAKE_OK(inv, Inventory::open(fresh_db()));
        NewVm existing;
        existing.name = "existing";
        existing.image_path = "/srv/existing.img";
        existing.notes = "added by hand";
        QVERIFY_OK(inv.add(existing));

        TAKE_OK(report, import_legacy_list(inv, list));
        // The lines around it are imported.
        QCOMPARE(report.imported, (std::vector<std::string>{"first", "last"}));
        QCOMPARE(report.problems.size(), size_t(1));
        QCOMPARE(report.problems[0].line, 2);
        QCOMPARE(report.problems[0].text, line.toStdString());
        QVERIFY2(QString::fromStdString(report.problems[0].reason).contains(reason),
                 report.problems[0].reason.c_str());
        TAKE_OK(all, inv.list());
        QCOMPARE(all.size(), size_t(3));
        TAKE_OK(kept, inv.find("existing")); // never overwritten
        QCOMPARE(kept.notes, std::string("added by hand"));
    }

    void problemsComeInLineOrder() {
        const std::string list = write_list("dup,a.xml,,0,a.img\n"
                                            "taken,t.xml,,0,t.img\n"
                                            "bad,line\n"
                                            "dup,b.xml,,0,b.img\n");
        TAKE_OK(inv, Inventory::open(fresh_db()));
        NewVm taken;
        taken.name = "taken";
        taken.image_path = "/srv/taken.img";
        QVERIFY_OK(inv.add(taken));
        TAKE_OK(report, import_legacy_list(inv, list));
        QCOMPARE(report.imported, (std::vector<std::string>{"dup"}));
        QCOMPARE(report.problems.size(), size_t(3));
        QCOMPARE(report.problems[0].line, 2);
        QCOMPARE(report.problems[1].line, 3);
        QCOMPARE(report.problems[2].line, 4);
    }

    void importingTwiceAddsNothingTheSecondTime() {
        const std::string list = write_list("a,a.xml,,0,a.img\nb,b.xml,,2,b.img\n");
        TAKE_OK(inv, Inventory::open(fresh_db()));
        TAKE_OK(first, import_legacy_list(inv, list));
        QCOMPARE(first.imported.size(), size_t(2));
        TAKE_OK(second, import_legacy_list(inv, list));
        QVERIFY(second.imported.empty());
        QCOMPARE(second.problems.size(), size_t(2));
        TAKE_OK(all, inv.list());
        QCOMPARE(all.size(), size_t(2));
    }

    void missingListFailsAndImportsNothing() {
        TAKE_OK(inv, Inventory::open(fresh_db()));
        QVERIFY_FAILS(
            import_legacy_list(inv, dir_.filePath(QStringLiteral("nope.txt")).toStdString()),
            ENOENT, "cannot read the VM list");
        TAKE_OK(all, inv.list());
        QVERIFY(all.empty());
    }

    void textWithoutABaseRefusesRelativePaths() {
        TAKE_OK(inv, Inventory::open(fresh_db()));
        TAKE_OK(report, import_legacy_text(inv, "rel,r.xml,,0,r.img\nabs,/a.xml,,0,/a.img\n",
                                           "pasted text", LegacyImportOptions{}));
        QCOMPARE(report.imported, (std::vector<std::string>{"abs"}));
        QCOMPARE(report.problems.size(), size_t(1));
        QVERIFY2(QString::fromStdString(report.problems[0].reason)
                     .contains(QStringLiteral("'r.xml' is relative and no base directory")),
                 report.problems[0].reason.c_str());
    }

    // The old GUI's "running" VMs after the host rebooted: reconciliation
    // finds them stale and marking makes them inactive.
    void importedRunningVmsMissingFromTheHostAreStale() {
        const std::string list = write_list("old-web,w.xml,/dev/v3-vm0,2,w.img\n"
                                            "old-db,d.xml,/dev/v3-vm1,2,d.img\n");
        TAKE_OK(inv, Inventory::open(fresh_db()));
        QVERIFY_OK(import_legacy_list(inv, list));
        TAKE_OK(entries, inv.list(kLocalHost));
        const auto r = reconcile(v3ctl::parseGuestList("old-db /dev/v3-vm1\n").guests, entries);
        QCOMPARE(r.active.size(), size_t(1));
        QCOMPARE(r.stale.size(), size_t(1));
        QCOMPARE(r.stale[0].name, std::string("old-web"));
        TAKE_OK(marked, inv.mark_stale(r.stale));
        QCOMPARE(marked.size(), size_t(1));
        QCOMPARE(marked[0].state, VmState::Inactive);
    }
};

QTEST_GUILESS_MAIN(TstLegacyImport)
#include "tst_legacy_import.moc"
