// The inventory's write-back when it learns what a host has
// (sync_with_host): stale entries become inactive, VMs the tools created
// under an inventory name or the host renumbered are recorded as activated
// where the host has them, reported states are recorded, refused writes are
// reported without stopping the rest; and the groups shown when the host's
// list is unavailable (last_known_groups), which write nothing.
#include "host_sync.h"
#include "inventory.h"
#include "inventory_checks.h"

#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <optional>

using namespace inventory;

namespace {

using Names = std::vector<std::string>;

template <typename Entries> Names names(const Entries& entries) {
    Names out;
    for (const auto& e : entries) {
        if constexpr (std::is_same_v<std::decay_t<decltype(e)>, ActiveVm>)
            out.push_back(e.vm.name);
        else
            out.push_back(e.name);
    }
    return out;
}

HostGuest guest(const std::string& name, const std::string& device_file,
                std::optional<VmState> state = std::nullopt, const std::string& reason = {}) {
    return HostGuest{name, device_file, state, reason};
}

bool mentions(const std::vector<std::string>& lines, const std::string& text) {
    return std::any_of(lines.begin(), lines.end(),
                       [&](const std::string& line) { return line.find(text) != line.npos; });
}

} // namespace

class TstHostSync : public QObject {
    Q_OBJECT

private slots:
    void init() {
        dir_.emplace();
        QVERIFY(dir_->isValid());
        auto opened = Inventory::open(dir_->filePath("inv.db").toStdString());
        QVERIFY_OK(opened);
        inv_.emplace(std::move(opened.value()));
    }
    void cleanup() {
        inv_.reset();
        dir_.reset();
    }

    // Every group at once, as the window's first reconciliation sees them:
    // an inactive VM, a stale one, one the tools created under an inventory
    // name, and one the inventory does not know.
    void everyGroupIsWrittenBack() {
        add("alpha");
        add("beta", VmState::Running, "/dev/v3-vm7");
        add("epsilon");
        TAKE_OK(sync, sync_with_host(*inv_, kLocalHost,
                                     {guest("gamma", "/dev/v3-vm0", VmState::Running),
                                      guest("epsilon", "/dev/v3-vm1", VmState::Paused)}));
        QVERIFY(sync.problems.empty());
        QCOMPARE(names(sync.groups.active), (Names{"epsilon"}));
        QCOMPARE(names(sync.groups.inactive), (Names{"alpha"}));
        QCOMPARE(names(sync.groups.stale), (Names{"beta"}));
        QCOMPARE(names(sync.groups.not_in_inventory), (Names{"gamma"}));
        // The active record is the one now stored: activated and paused.
        QCOMPARE(sync.groups.active[0].vm.state, VmState::Paused);
        QCOMPARE(sync.groups.active[0].vm.device_file, std::string("/dev/v3-vm1"));
        // The stale one is returned as it was read, and stored as inactive.
        QCOMPARE(sync.groups.stale[0].state, VmState::Running);

        TAKE_OK(beta, inv_->find("beta"));
        QCOMPARE(beta.state, VmState::Inactive);
        QVERIFY(beta.device_file.empty());
        TAKE_OK(epsilon, inv_->find("epsilon"));
        QCOMPARE(epsilon.state, VmState::Paused);
        QCOMPARE(epsilon.device_file, std::string("/dev/v3-vm1"));
        TAKE_OK(alpha, inv_->find("alpha"));
        QCOMPARE(alpha.state, VmState::Inactive);
        QVERIFY(!inv_->find("gamma")); // the host's own VM is not adopted silently
    }

    // The host lists a VM under another device file than recorded (it was
    // freed and created again by the tools): reset, then activated there.
    void renumberedVmIsActivatedWhereTheHostHasIt() {
        add("web", VmState::Running, "/dev/v3-vm0");
        TAKE_OK(sync,
                sync_with_host(*inv_, kLocalHost, {guest("web", "/dev/v3-vm3", VmState::Running)}));
        QVERIFY(sync.problems.empty());
        TAKE_OK(web, inv_->find("web"));
        QCOMPARE(web.device_file, std::string("/dev/v3-vm3"));
        QCOMPARE(web.state, VmState::Running);
        TAKE_OK(history, inv_->events("web"));
        Names kinds;
        for (const VmEvent& e : history)
            kinds.push_back(e.kind + ":" +
                            (e.to_state ? std::string(state_name(*e.to_state)) : ""));
        QCOMPARE(kinds,
                 (Names{"added:running", "state:inactive", "activated:created", "state:running"}));
        QCOMPARE(history[1].message, std::string("the host lists it under another device file"));
    }

    // A reported state is recorded; a host that could not say writes nothing.
    void reportedStatesAreRecorded() {
        add("quiet", VmState::Created, "/dev/v3-vm0");
        add("busy", VmState::Created, "/dev/v3-vm1");
        TAKE_OK(sync, sync_with_host(*inv_, kLocalHost,
                                     {guest("quiet", "/dev/v3-vm0"),
                                      guest("busy", "/dev/v3-vm1", VmState::Stopped)}));
        QVERIFY(sync.problems.empty());
        TAKE_OK(quiet, inv_->find("quiet"));
        QCOMPARE(quiet.state, VmState::Created);
        TAKE_OK(busy, inv_->find("busy"));
        QCOMPARE(busy.state, VmState::Stopped);
    }

    // A write the inventory refuses is a problem; the other VMs are still
    // written.
    void refusedWritesAreReportedAndTheRestGoesOn() {
        add("broken", VmState::Running, "/dev/v3-vm0");
        add("fine", VmState::Created, "/dev/v3-vm1");
        TAKE_OK(sync, sync_with_host(*inv_, kLocalHost,
                                     {guest("broken", "/dev/v3-vm0", VmState::Error),
                                      guest("fine", "/dev/v3-vm1", VmState::Running)}));
        QCOMPARE(sync.problems.size(), size_t(1));
        QVERIFY2(mentions(sync.problems, "without a reason"), sync.problems[0].c_str());
        TAKE_OK(broken, inv_->find("broken"));
        QCOMPARE(broken.state, VmState::Running);
        TAKE_OK(fine, inv_->find("fine"));
        QCOMPARE(fine.state, VmState::Running);
        QCOMPARE(names(sync.groups.active), (Names{"broken", "fine"}));
    }

    // Only the named host's entries take part.
    void otherHostsAreLeftAlone() {
        add("elsewhere", VmState::Running, "/dev/v3-vm0", "sandbox");
        TAKE_OK(sync, sync_with_host(*inv_, kLocalHost, {}));
        QVERIFY(sync.groups.stale.empty());
        QVERIFY(sync.groups.inactive.empty());
        TAKE_OK(elsewhere, inv_->find("elsewhere"));
        QCOMPARE(elsewhere.state, VmState::Running);
    }

    // What is recorded is not written again: a second sync adds no history.
    void aSecondSyncChangesNothing() {
        add("epsilon");
        const std::vector<HostGuest> host{guest("epsilon", "/dev/v3-vm1", VmState::Running)};
        QVERIFY_OK(sync_with_host(*inv_, kLocalHost, host));
        TAKE_OK(before, inv_->events("epsilon"));
        TAKE_OK(again, sync_with_host(*inv_, kLocalHost, host));
        QVERIFY(again.problems.empty());
        TAKE_OK(after, inv_->events("epsilon"));
        QCOMPARE(after.size(), before.size());
    }

    // Without the host's list: active is what has a device file, the rest
    // inactive, and nothing is written (not even the stale marks).
    void lastKnownGroupsWriteNothing() {
        add("idle");
        add("web", VmState::Running, "/dev/v3-vm2");
        TAKE_OK(groups, last_known_groups(*inv_, kLocalHost));
        QCOMPARE(names(groups.active), (Names{"web"}));
        QCOMPARE(groups.active[0].guest.deviceFile, std::string("/dev/v3-vm2"));
        QCOMPARE(names(groups.inactive), (Names{"idle"}));
        QVERIFY(groups.stale.empty());
        QVERIFY(groups.not_in_inventory.empty());
        TAKE_OK(web, inv_->find("web"));
        QCOMPARE(web.state, VmState::Running);
        TAKE_OK(history, inv_->events("web"));
        QCOMPARE(history.size(), size_t(1)); // just "added"
    }

private:
    void add(const std::string& name, VmState state = VmState::Inactive,
             const std::string& device_file = {}, const std::string& host = kLocalHost) {
        NewVm vm;
        vm.name = name;
        vm.host = host;
        vm.image_path = "/srv/" + name + ".img";
        vm.state = state;
        vm.device_file = device_file;
        QVERIFY_OK(inv_->add(vm));
    }

    std::optional<QTemporaryDir> dir_;
    std::optional<Inventory> inv_;
};

QTEST_GUILESS_MAIN(TstHostSync)
#include "tst_host_sync.moc"
