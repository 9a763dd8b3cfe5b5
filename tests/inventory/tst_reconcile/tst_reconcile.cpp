// Reading the host's /proc/v3vee/v3-guests (libv3ctl's parser, the one the
// local host uses) and reconciling it with the inventory: the three groups of
// the Palacios window plus stale entries, over every combination, and the
// stale update applied through the inventory.
#include "guest_ops.h"
#include "inventory.h"
#include "inventory_checks.h"
#include "reconcile.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <cerrno>

using namespace inventory;

namespace {

VmRecord record(const std::string& name, VmState state, const std::string& device_file = {}) {
    VmRecord vm;
    static std::int64_t next_id = 1;
    vm.id = next_id++;
    vm.name = name;
    vm.host = kLocalHost;
    vm.image_path = "/srv/" + name + ".img";
    vm.state = state;
    vm.device_file = device_file;
    if (state == VmState::Error)
        vm.state_reason = "triple fault";
    return vm;
}

v3ctl::GuestEntry guest(const std::string& name, const std::string& device_file) {
    return v3ctl::GuestEntry{name, device_file};
}

std::vector<std::string> names(const std::vector<VmRecord>& vms) {
    std::vector<std::string> out;
    for (const auto& vm : vms)
        out.push_back(vm.name);
    return out;
}

std::vector<std::string> names(const std::vector<v3ctl::GuestEntry>& guests) {
    std::vector<std::string> out;
    for (const auto& g : guests)
        out.push_back(g.name);
    return out;
}

std::vector<std::string> names(const std::vector<ActiveVm>& active) {
    std::vector<std::string> out;
    for (const auto& a : active)
        out.push_back(a.vm.name);
    return out;
}

using Names = std::vector<std::string>;

} // namespace

class TstReconcile : public QObject {
    Q_OBJECT

private slots:
    // --- parsing /proc/v3vee/v3-guests ---

    void parsesTheModulesFormat() {
        const auto list = v3ctl::parseGuestList("alpha /dev/v3-vm0\nbeta /dev/v3-vm1\n");
        QVERIFY(list.problems.empty());
        QCOMPARE(list.guests.size(), size_t(2));
        QCOMPARE(list.guests[0].name, std::string("alpha"));
        QCOMPARE(list.guests[0].deviceFile, std::string("/dev/v3-vm0"));
        QCOMPARE(list.guests[1].name, std::string("beta"));
        QCOMPARE(list.guests[1].deviceFile, std::string("/dev/v3-vm1"));
    }

    void acceptsTabsRunsOfBlanksAndExtraFields() {
        const auto list = v3ctl::parseGuestList("a\t/dev/v3-vm0\n"
                                                "  b   \t /dev/v3-vm1  \n"
                                                "c /dev/v3-vm2 running 2 cores 256MB\n"
                                                "d\t/dev/v3-vm3\tpaused\r\n"
                                                "e /dev/v3-vm4"); // no final newline
        QVERIFY(list.problems.empty());
        QCOMPARE(names(list.guests), (Names{"a", "b", "c", "d", "e"}));
        for (size_t i = 0; i < list.guests.size(); ++i)
            QCOMPARE(list.guests[i].deviceFile, "/dev/v3-vm" + std::to_string(i));
    }

    void emptyListHasNoGuestsAndNoProblems() {
        QVERIFY(v3ctl::parseGuestList("").guests.empty());
        QVERIFY(v3ctl::parseGuestList("").problems.empty());
    }

    void skipsAndReportsBadLines_data() {
        QTest::addColumn<QByteArray>("line");
        QTest::addColumn<QString>("reason");
        QTest::newRow("empty") << QByteArray("") << "blank line";
        QTest::newRow("blanks only") << QByteArray(" \t ") << "blank line";
        QTest::newRow("name only") << QByteArray("lonely") << "only one field";
        QTest::newRow("device not a path")
            << QByteArray("vm v3-vm0") << "the second field 'v3-vm0' is not a device file path";
        QTest::newRow("fields swapped") << QByteArray("/dev/v3-vm0") << "only one field";
        QTest::newRow("control character")
            << QByteArray("v\x01m /dev/v3-vm0") << "contains a control character";
        QTest::newRow("duplicate")
            << QByteArray("good /dev/v3-vm9") << "VM 'good' is already listed on line 1";
    }

    void skipsAndReportsBadLines() {
        QFETCH(QByteArray, line);
        QFETCH(QString, reason);
        // The bad line sits between two good ones; both good ones survive.
        const std::string text = "good /dev/v3-vm0\n" + line.toStdString() + "\nfine /dev/v3-vm1\n";
        const auto list = v3ctl::parseGuestList(text);
        QCOMPARE(names(list.guests), (Names{"good", "fine"}));
        QCOMPARE(list.problems.size(), size_t(1));
        QCOMPARE(list.problems[0].line, 2);
        QCOMPARE(list.problems[0].text, line.toStdString());
        QVERIFY2(QString::fromStdString(list.problems[0].reason).contains(reason),
                 list.problems[0].reason.c_str());
    }

    void countsLinesAcrossBlankOnesAndCarriageReturns() {
        const auto list = v3ctl::parseGuestList("vm1 /dev/v3-vm0\r\n\nvm2 /dev/v3-vm1\n");
        QCOMPARE(names(list.guests), (Names{"vm1", "vm2"}));
        QCOMPARE(list.guests[0].deviceFile, std::string("/dev/v3-vm0"));
        QCOMPARE(list.problems.size(), size_t(1));
        QCOMPARE(list.problems[0].line, 2);
    }

    // --- reconcile ---

    void inProcOnlyIsNotInInventory() {
        const auto r = reconcile({guest("stray", "/dev/v3-vm4")}, {});
        QVERIFY(r.active.empty());
        QVERIFY(r.inactive.empty());
        QVERIFY(r.stale.empty());
        QCOMPARE(names(r.not_in_inventory), (Names{"stray"}));
        QCOMPARE(r.not_in_inventory[0].deviceFile, std::string("/dev/v3-vm4"));
    }

    void inInventoryOnlyIsInactive() {
        const auto r = reconcile(
            {}, {record("idle", VmState::Inactive), record("failed-to-create", VmState::Error)});
        QCOMPARE(names(r.inactive), (Names{"idle", "failed-to-create"}));
        QVERIFY(r.active.empty());
        QVERIFY(r.not_in_inventory.empty());
        QVERIFY(r.stale.empty());
    }

    void inBothIsActive_data() {
        QTest::addColumn<int>("state");
        QTest::addColumn<QString>("device");
        QTest::newRow("running") << int(VmState::Running) << "/dev/v3-vm0";
        QTest::newRow("paused") << int(VmState::Paused) << "/dev/v3-vm0";
        QTest::newRow("created") << int(VmState::Created) << "/dev/v3-vm0";
        QTest::newRow("stopped") << int(VmState::Stopped) << "/dev/v3-vm0";
        QTest::newRow("error on host") << int(VmState::Error) << "/dev/v3-vm0";
        // Created by a tool behind the GUI's back: on the host, still inactive here.
        QTest::newRow("inactive here") << int(VmState::Inactive) << "";
    }

    void inBothIsActive() {
        QFETCH(int, state);
        QFETCH(QString, device);
        const auto r = reconcile({guest("both", "/dev/v3-vm0")},
                                 {record("both", VmState(state), device.toStdString())});
        QCOMPARE(names(r.active), (Names{"both"}));
        QCOMPARE(r.active[0].guest.deviceFile, std::string("/dev/v3-vm0"));
        QCOMPARE(r.active[0].vm.state, VmState(state));
        QCOMPARE(r.active[0].device_file_differs(), device.isEmpty());
        QVERIFY(r.inactive.empty());
        QVERIFY(r.not_in_inventory.empty());
        QVERIFY(r.stale.empty());
    }

    void deviceFileChangeIsFlagged() {
        const auto r = reconcile({guest("moved", "/dev/v3-vm3")},
                                 {record("moved", VmState::Running, "/dev/v3-vm0")});
        QCOMPARE(names(r.active), (Names{"moved"}));
        QVERIFY(r.active[0].device_file_differs());
    }

    void believedOnHostButMissingIsStale_data() {
        QTest::addColumn<int>("state");
        QTest::newRow("running") << int(VmState::Running);
        QTest::newRow("paused") << int(VmState::Paused);
        QTest::newRow("created") << int(VmState::Created);
        QTest::newRow("stopped") << int(VmState::Stopped);
        QTest::newRow("error with device file") << int(VmState::Error);
    }

    void believedOnHostButMissingIsStale() {
        QFETCH(int, state);
        const auto r = reconcile({guest("other", "/dev/v3-vm0")},
                                 {record("gone", VmState(state), "/dev/v3-vm7")});
        QCOMPARE(names(r.stale), (Names{"gone"}));
        QVERIFY(r.inactive.empty());
        QVERIFY(r.active.empty());
        QCOMPARE(names(r.not_in_inventory), (Names{"other"}));
    }

    void namesMatchExactly() {
        const auto r = reconcile({guest("Web", "/dev/v3-vm0"), guest("web ", "/dev/v3-vm1")},
                                 {record("web", VmState::Inactive)});
        QCOMPARE(names(r.inactive), (Names{"web"}));
        QCOMPARE(names(r.not_in_inventory), (Names{"Web", "web "}));
    }

    // Every combination in one list: each entry lands in exactly one group,
    // in input order, and malformed lines change nothing.
    void everyCombinationAtOnce() {
        const std::string proc = "run-ok /dev/v3-vm0\n"
                                 "garbage-line\n"
                                 "\n"
                                 "stray-1\t/dev/v3-vm1\textra\n"
                                 "adopt /dev/v3-vm2\n"
                                 "paused-ok /dev/v3-vm3 paused\n"
                                 "run-ok /dev/v3-vm9\n"
                                 "stray-2 /dev/v3-vm4\n";
        const auto parsed = v3ctl::parseGuestList(proc);
        QCOMPARE(parsed.problems.size(), size_t(3));
        QCOMPARE(parsed.problems[0].line, 2);
        QCOMPARE(parsed.problems[1].line, 3);
        QCOMPARE(parsed.problems[2].line, 7); // duplicate run-ok: the first is kept

        const std::vector<VmRecord> inventory = {
            record("adopt", VmState::Inactive),
            record("idle", VmState::Inactive),
            record("paused-ok", VmState::Paused, "/dev/v3-vm3"),
            record("rebooted-away", VmState::Running, "/dev/v3-vm5"),
            record("run-ok", VmState::Running, "/dev/v3-vm0"),
            record("create-failed", VmState::Error),
            record("stopped-away", VmState::Stopped, "/dev/v3-vm6"),
        };
        const auto r = reconcile(parsed.guests, inventory);
        QCOMPARE(names(r.active), (Names{"adopt", "paused-ok", "run-ok"}));
        QCOMPARE(names(r.inactive), (Names{"idle", "create-failed"}));
        QCOMPARE(names(r.not_in_inventory), (Names{"stray-1", "stray-2"}));
        QCOMPARE(names(r.stale), (Names{"rebooted-away", "stopped-away"}));
        QCOMPARE(r.active[2].guest.deviceFile, std::string("/dev/v3-vm0"));
        QCOMPARE(r.active.size() + r.inactive.size() + r.stale.size(), inventory.size());
        QCOMPARE(r.active.size() + r.not_in_inventory.size(), parsed.guests.size());

        // Moving the entries in gives the same groups with the full records.
        std::vector<VmRecord> moved_in = inventory;
        const auto m = reconcile(parsed.guests, std::move(moved_in));
        QCOMPARE(names(m.active), names(r.active));
        QCOMPARE(names(m.inactive), names(r.inactive));
        QCOMPARE(names(m.not_in_inventory), names(r.not_in_inventory));
        QCOMPARE(names(m.stale), names(r.stale));
        QCOMPARE(m.stale[0].device_file, std::string("/dev/v3-vm5"));
        QCOMPARE(m.active[1].vm.image_path, std::string("/srv/paused-ok.img"));
    }

    // --- applying a reconciliation to the inventory ---

    // After a host reboot: the inventory says running, the host lists nothing.
    // Marking the stale entries makes them inactive with a note, and the next
    // reconciliation shows them as inactive.
    void staleEntriesBecomeInactiveWithANote() {
        QTemporaryDir dir;
        TAKE_OK(inv, Inventory::open(dir.filePath(QStringLiteral("inv.db")).toStdString()));
        for (const char* name : {"web", "db", "idle"}) {
            NewVm vm;
            vm.name = name;
            vm.image_path = std::string("/srv/") + name + ".img";
            QVERIFY_OK(inv.add(vm));
        }
        QVERIFY_OK(inv.activate("web", "/dev/v3-vm0"));
        QVERIFY_OK(inv.set_state("web", VmState::Running));
        QVERIFY_OK(inv.activate("db", "/dev/v3-vm1"));
        QVERIFY_OK(inv.set_state("db", VmState::Running));

        const auto after_reboot = v3ctl::parseGuestList("db /dev/v3-vm0\n");
        TAKE_OK(entries, inv.list(kLocalHost));
        const auto r = reconcile(after_reboot.guests, entries);
        QCOMPARE(names(r.stale), (Names{"web"}));
        QCOMPARE(names(r.active), (Names{"db"}));
        QVERIFY(r.active[0].device_file_differs());

        TAKE_OK(marked, inv.mark_stale(r.stale));
        QCOMPARE(marked.size(), size_t(1));
        TAKE_OK(web, inv.find("web"));
        QCOMPARE(web.state, VmState::Inactive);
        QVERIFY2(QString::fromStdString(web.state_reason)
                     .contains(QStringLiteral("the host no longer lists it (it was running as "
                                              "/dev/v3-vm0)")),
                 web.state_reason.c_str());

        TAKE_OK(again, inv.list(kLocalHost));
        const auto second = reconcile(after_reboot.guests, again);
        QVERIFY(second.stale.empty());
        QCOMPARE(names(second.inactive), (Names{"idle", "web"}));
        QCOMPARE(names(second.active), (Names{"db"}));
    }
};

QTEST_GUILESS_MAIN(TstReconcile)
#include "tst_reconcile.moc"
