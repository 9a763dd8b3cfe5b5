#include "host_reconciliation.h"
#include "inventory_service.h"
#include "vm_config_summary.h"

#include "host_connection.h"
#include "host_sync.h"

#include <QCoreApplication>
#include <QHash>

namespace {

QString tr(const char* text) {
    return QCoreApplication::translate("HostReconciliation", text);
}

QString q(const std::string& s) {
    return QString::fromStdString(s);
}

// What the host said about one VM, beyond what the inventory records.
struct HostFacts {
    bool known = false;
    VmStatus status = VmStatus::Unknown;
    QString reason;
    int memoryMb = -1;
    int cores = -1;
};

struct HostListing {
    bool listed = false;
    std::vector<inventory::HostGuest> guests;
    QHash<QString, HostFacts> facts;
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

void setDeviceFile(VmEntry& e, const std::string& deviceFile) {
    e.deviceFile = q(deviceFile);
    auto index = v3ctl::vmIndexFromArgument(deviceFile);
    e.index = index ? index.value() : -1;
}

VmEntry entryFromRecord(const inventory::VmRecord& r, VmGroup group) {
    VmEntry e;
    e.name = q(r.name);
    e.group = group;
    e.status = r.state;
    e.statusReason = q(r.state_reason);
    e.configPath = q(r.config_path);
    e.imagePath = q(r.image_path);
    if (group != VmGroup::Inactive)
        setDeviceFile(e, r.device_file);
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

VmEntry notInInventory(const std::string& name, const std::string& deviceFile,
                       const HostListing& host) {
    VmEntry e;
    e.name = q(name);
    e.group = VmGroup::NotInInventory;
    setDeviceFile(e, deviceFile);
    e.status = VmStatus::Unknown;
    applyHostFacts(e, host.facts.value(e.name));
    return e;
}

HostListing listHost(v3ctl::HostConnection* host, HostReconciliation& out) {
    HostListing listing;
    if (!host)
        return listing;
    auto list = host->listGuests();
    if (!list) {
        out.error = tr("Cannot list the VMs of the host: %1").arg(q(list.error().message));
        return listing;
    }
    listing.listed = true;
    for (const v3ctl::GuestEntry& g : list.value()) {
        out.hostList += q(g.name) + ' ' + q(g.deviceFile);
        inventory::HostGuest guest{g.name, g.deviceFile, std::nullopt, {}};
        HostFacts f;
        if (auto index = v3ctl::vmIndexFromArgument(g.deviceFile)) {
            auto info = host->vmInfo(index.value());
            if (info) {
                out.hostList += ' ' + QString(v3ctl::stateName(info.value().state));
                f.known = true;
                f.status = info.value().state;
                f.reason = q(info.value().reason);
                f.memoryMb = int(info.value().memoryBytes >> 20);
                f.cores = int(info.value().numCores);
                if (inventory::storable(f.status))
                    guest.state = f.status;
                guest.reason = info.value().reason;
            } else if (info.error().errnum != ENOSYS) {
                out.problems
                    << tr("%1: cannot query its state: %2").arg(q(g.name), q(info.error().message));
            }
        }
        out.hostList += '\n';
        listing.facts.insert(q(g.name), f);
        listing.guests.push_back(std::move(guest));
    }
    return listing;
}

void present(const inventory::Reconciliation& groups, const HostListing& host,
             HostReconciliation& out) {
    for (const inventory::ActiveVm& a : groups.active) {
        const HostFacts f = host.facts.value(q(a.vm.name));
        VmEntry e = entryFromRecord(a.vm, VmGroup::Active);
        setDeviceFile(e, a.guest.deviceFile);
        if (!f.known && e.status == VmStatus::Inactive)
            e.status = VmStatus::Unknown;
        applyHostFacts(e, f);
        fillFromConfig(e, out.problems);
        out.vms << e;
    }
    for (const inventory::VmRecord& r : groups.inactive) {
        VmEntry e = entryFromRecord(r, VmGroup::Inactive);
        fillFromConfig(e, out.problems);
        out.vms << e;
    }
    for (const inventory::VmRecord& r : groups.stale) {
        VmEntry e = entryFromRecord(r, VmGroup::Inactive);
        e.status = VmStatus::Inactive;
        e.statusReason = tr("the host no longer has it");
        fillFromConfig(e, out.problems);
        out.vms << e;
    }
    for (const v3ctl::GuestEntry& g : groups.not_in_inventory)
        out.vms << notInInventory(g.name, g.deviceFile, host);
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
    for (const v3ctl::GuestEntry& g : listed.value()) {
        text += q(g.name) + ' ' + q(g.deviceFile);
        if (auto index = v3ctl::vmIndexFromArgument(g.deviceFile))
            if (auto info = host->vmInfo(index.value()))
                text += ' ' + QString(v3ctl::stateName(info.value().state));
        text += '\n';
    }
    return text;
}

HostReconciliation HostReconciliation::run(v3ctl::HostConnection* host, InventoryService* inventory,
                                           const QString& hostKey) {
    HostReconciliation out;
    const HostListing listing = listHost(host, out);
    const std::string key = hostKey.toStdString();
    auto synced = inventory->use([&](inventory::Inventory& inv) {
        if (!listing.listed)
            return inventory::last_known_groups(inv, key);
        auto sync = inventory::sync_with_host(inv, key, listing.guests);
        if (!sync)
            return v3ctl::Result<inventory::Reconciliation>(sync.error());
        for (const std::string& problem : sync.value().problems)
            out.problems << q(problem);
        return v3ctl::Result<inventory::Reconciliation>(std::move(sync.value().groups));
    });
    if (!synced) {
        const QString message = tr("Cannot open the inventory: %1").arg(q(synced.error().message));
        out.error = out.error.isEmpty() ? message : out.error + "\n" + message;
        for (const inventory::HostGuest& g : listing.guests)
            out.vms << notInInventory(g.name, g.device_file, listing);
        return out;
    }
    if (!synced.value()) {
        out.error = tr("Cannot read the inventory: %1").arg(q(synced.value().error().message));
        return out;
    }
    present(synced.value().value(), listing, out);
    return out;
}
