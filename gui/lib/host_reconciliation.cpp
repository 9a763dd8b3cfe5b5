#include "host_reconciliation.h"
#include "vm_config_summary.h"

#include "host_connection.h"
#include "inventory.h"
#include "reconcile.h"

#include <QCoreApplication>
#include <QHash>

namespace {

QString tr(const char* text) {
    return QCoreApplication::translate("HostReconciliation", text);
}

QString q(const std::string& s) {
    return QString::fromStdString(s);
}

struct HostFacts {
    bool known = false;
    VmStatus status = VmStatus::Unknown;
    QString reason;
    int memoryMb = -1;
    int cores = -1;
};

void fillFromConfig(VmEntry& entry, QStringList& problems) {
    if (entry.configPath.isEmpty() || (entry.memoryMb >= 0 && entry.cores >= 0))
        return;
    QString error;
    VmConfigSummary config = VmConfigSummary::read(entry.configPath, &error);
    if (!error.isEmpty()) {
        problems << tr("%1: %2").arg(entry.name, error);
        return;
    }
    if (entry.memoryMb < 0)
        entry.memoryMb = config.memoryMb;
    if (entry.cores < 0)
        entry.cores = config.cores;
}

VmEntry entryFromRecord(const inventory::VmRecord& r, VmGroup group) {
    VmEntry e;
    e.name = q(r.name);
    e.group = group;
    e.status = r.state;
    e.statusReason = q(r.state_reason);
    e.configPath = q(r.config_path);
    e.imagePath = q(r.image_path);
    if (group != VmGroup::Inactive) {
        e.deviceFile = q(r.device_file);
        auto index = v3ctl::vmIndexFromArgument(r.device_file);
        e.index = index ? index.value() : -1;
    }
    return e;
}

void applyHostFacts(VmEntry& e, const HostFacts& facts) {
    if (!facts.known)
        return;
    e.status = facts.status;
    e.statusReason = facts.reason;
    e.memoryMb = facts.memoryMb;
    e.cores = facts.cores;
}

} // namespace

QString HostReconciliation::listSignature(v3ctl::HostConnection* host, QString* error) {
    if (!host)
        return {};
    auto listed = host->listGuests();
    if (!listed) {
        if (error)
            *error = q(listed.error().message);
        return {};
    }
    QString text;
    for (const v3ctl::GuestEntry& g : listed.value())
        text += q(g.name) + ' ' + q(g.deviceFile) + '\n';
    return text;
}

HostReconciliation HostReconciliation::run(v3ctl::HostConnection* host,
                                           const QString& inventoryPath, const QString& hostKey) {
    HostReconciliation out;
    std::vector<v3ctl::GuestEntry> guests;
    QHash<QString, HostFacts> facts;
    bool listed = false;
    if (host) {
        auto list = host->listGuests();
        if (!list) {
            out.error = tr("Cannot list the VMs of the host: %1").arg(q(list.error().message));
        } else {
            listed = true;
            for (const v3ctl::GuestEntry& g : list.value()) {
                out.hostList += q(g.name) + ' ' + q(g.deviceFile) + '\n';
                guests.push_back(g);
                HostFacts f;
                auto index = v3ctl::vmIndexFromArgument(g.deviceFile);
                if (index) {
                    auto info = host->vmInfo(index.value());
                    if (info) {
                        f.known = true;
                        f.status = info.value().state;
                        f.reason = q(info.value().reason);
                        f.memoryMb = int(info.value().memoryBytes >> 20);
                        f.cores = int(info.value().numCores);
                    } else if (info.error().errnum != ENOSYS) {
                        out.problems << tr("%1: cannot query its state: %2")
                                            .arg(q(g.name), q(info.error().message));
                    }
                }
                facts.insert(q(g.name), f);
            }
        }
    }

    auto opened = inventory::Inventory::open(inventoryPath.toStdString());
    if (!opened) {
        const QString message = tr("Cannot open the inventory: %1").arg(q(opened.error().message));
        out.error = out.error.isEmpty() ? message : out.error + "\n" + message;
        for (const v3ctl::GuestEntry& g : guests) {
            VmEntry e;
            e.name = q(g.name);
            e.group = VmGroup::NotInInventory;
            e.deviceFile = q(g.deviceFile);
            auto index = v3ctl::vmIndexFromArgument(g.deviceFile);
            e.index = index ? index.value() : -1;
            e.status = VmStatus::Unknown;
            applyHostFacts(e, facts.value(e.name));
            out.vms << e;
        }
        return out;
    }
    inventory::Inventory& inv = opened.value();
    auto records = inv.list(hostKey.toStdString());
    if (!records) {
        out.error = tr("Cannot read the inventory: %1").arg(q(records.error().message));
        return out;
    }

    if (!listed) {
        // Without the host's list nothing can be called stale: show what the
        // inventory last knew.
        for (const inventory::VmRecord& r : records.value()) {
            VmEntry e =
                entryFromRecord(r, r.device_file.empty() ? VmGroup::Inactive : VmGroup::Active);
            fillFromConfig(e, out.problems);
            out.vms << e;
        }
        return out;
    }

    inventory::Reconciliation rec = inventory::reconcile(guests, std::move(records.value()));
    if (!rec.stale.empty()) {
        auto marked = inv.mark_stale(rec.stale);
        if (!marked)
            out.problems << q(marked.error().message);
    }
    for (inventory::ActiveVm& a : rec.active) {
        const QString name = q(a.vm.name);
        const HostFacts f = facts.value(name);
        if (a.vm.state == inventory::VmState::Inactive || a.device_file_differs()) {
            // The tools created it under an inventory name (or the host
            // renumbered it): record where the host has it now.
            if (a.vm.state != inventory::VmState::Inactive) {
                auto reset = inv.set_state(a.vm.name, inventory::VmState::Inactive,
                                           "the host lists it under another device file");
                if (reset)
                    a.vm = reset.value();
            }
            auto activated = inv.activate(a.vm.name, a.guest.deviceFile);
            if (activated)
                a.vm = activated.value();
            else
                out.problems << q(activated.error().message);
        }
        if (f.known) {
            if (inventory::storable(f.status) && f.status != a.vm.state) {
                auto set = inv.set_state(a.vm.name, f.status, f.reason.toStdString());
                if (set)
                    a.vm = set.value();
                else
                    out.problems << q(set.error().message);
            }
        }
        VmEntry e = entryFromRecord(a.vm, VmGroup::Active);
        e.deviceFile = q(a.guest.deviceFile);
        auto index = v3ctl::vmIndexFromArgument(a.guest.deviceFile);
        e.index = index ? index.value() : -1;
        if (!f.known && e.status == VmStatus::Inactive)
            e.status = VmStatus::Unknown;
        applyHostFacts(e, f);
        fillFromConfig(e, out.problems);
        out.vms << e;
    }
    for (const inventory::VmRecord& r : rec.inactive) {
        VmEntry e = entryFromRecord(r, VmGroup::Inactive);
        fillFromConfig(e, out.problems);
        out.vms << e;
    }
    for (const inventory::VmRecord& r : rec.stale) {
        VmEntry e = entryFromRecord(r, VmGroup::Inactive);
        e.status = VmStatus::Inactive;
        e.deviceFile.clear();
        e.index = -1;
        e.statusReason = tr("the host no longer has it");
        fillFromConfig(e, out.problems);
        out.vms << e;
    }
    for (const v3ctl::GuestEntry& g : rec.not_in_inventory) {
        VmEntry e;
        e.name = q(g.name);
        e.group = VmGroup::NotInInventory;
        e.deviceFile = q(g.deviceFile);
        auto index = v3ctl::vmIndexFromArgument(g.deviceFile);
        e.index = index ? index.value() : -1;
        e.status = VmStatus::Unknown;
        applyHostFacts(e, facts.value(e.name));
        out.vms << e;
    }
    return out;
}
