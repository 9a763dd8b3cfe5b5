#include "vm_operations.h"
#include "host_session.h"
#include "inventory_service.h"

#include "host_connection.h"

#include <QDir>
#include <QFile>

#include <cerrno>

namespace {

QString q(const std::string& s) {
    return QString::fromStdString(s);
}

QString notConnected() {
    return VmOperations::tr("not connected to a host");
}

// Records a state the host now has; a refusal is reported, not fatal (the
// host is the authority, the next reconciliation records it again).
QString recordState(InventoryService* service, const VmEntry& vm, inventory::VmState state) {
    if (!vm.inInventory())
        return {};
    auto set = service->setState(vm.name, state);
    return set ? QString() : q(set.error().message);
}

} // namespace

VmOperations::VmOperations(HostSession* session, InventoryService* inventory, QObject* parent)
    : QObject(parent), session_(session), inventory_(inventory) {}

template <typename Work>
void VmOperations::run(const VmEntry& vm, VmAction action, const QString& doing, Work work) {
    ++pending_;
    emit operationStarted(vm.name, action, doing);
    const QString name = vm.name;
    session_->runOnHost(
        this, [work](v3ctl::HostConnection* host) -> Outcome { return work(host); },
        [this, name, action, doing](const Outcome& outcome) {
            --pending_;
            QString message = outcome.message;
            if (!outcome.ok) {
                QString what = doing;
                if (what.endsWith("..."))
                    what.chop(3);
                message = tr("%1 failed: %2").arg(what, outcome.message);
            }
            emit operationFinished(name, action, outcome.ok, message);
        });
}

void VmOperations::activate(const VmEntry& vm) {
    InventoryService* const service = inventory_;
    run(vm, VmAction::Activate, tr("Activating %1...").arg(vm.name),
        [vm, service](v3ctl::HostConnection* host) -> Outcome {
            if (!host)
                return {false, notConnected()};
            QFile file(vm.imagePath);
            if (vm.imagePath.isEmpty())
                return {false, tr("%1 has no image in the inventory").arg(vm.name)};
            if (!file.open(QIODevice::ReadOnly))
                return {false,
                        tr("cannot read the image %1: %2").arg(vm.imagePath, file.errorString())};
            const QByteArray bytes = file.readAll();
            const std::vector<uint8_t> image(bytes.begin(), bytes.end());
            auto created = host->createGuest(image, vm.name.toStdString());
            if (!created && created.error().errnum == ENOMEM && vm.memoryMb > 0) {
                // The module had too little guest memory reserved: reserve
                // what this VM needs and try once more.
                auto added = host->addMemory(uint64_t(vm.memoryMb) << 20);
                if (added)
                    created = host->createGuest(image, vm.name.toStdString());
            }
            if (!created)
                return {false, q(created.error().message)};
            const std::string device = v3ctl::vmDeviceFile(created.value());
            auto activated = service->activate(vm.name, device);
            if (!activated)
                return {true, tr("%1 is on the host as %2, but the inventory could not "
                                 "record it: %3")
                                  .arg(vm.name, q(device), q(activated.error().message))};
            return {true, tr("%1 activated as %2").arg(vm.name, q(device))};
        });
}

void VmOperations::adopt(const VmEntry& vm, const QString& configPath, const QString& imagePath) {
    InventoryService* const service = inventory_;
    const QString hostKey = session_->hostKey();
    run(vm, VmAction::Activate, tr("Adding %1 to the inventory...").arg(vm.name),
        [vm, service, hostKey, configPath, imagePath](v3ctl::HostConnection*) -> Outcome {
            inventory::NewVm record;
            record.name = vm.name.toStdString();
            record.host = hostKey.toStdString();
            record.config_path = configPath.toStdString();
            record.image_path = imagePath.toStdString();
            // What the host reported; created when it could not say.
            record.state = inventory::storable(vm.status) && vm.status != VmStatus::Inactive
                               ? vm.status
                               : VmStatus::Created;
            if (record.state == inventory::VmState::Error)
                record.state_reason = vm.statusReason.isEmpty()
                                          ? std::string("reported by the host")
                                          : vm.statusReason.toStdString();
            record.device_file = vm.deviceFile.toStdString();
            record.history_message = "adopted from the host";
            auto added = service->add(record);
            if (!added)
                return {false, q(added.error().message)};
            return {true, tr("%1 is now in the inventory").arg(vm.name)};
        });
}

// Start, Pause, Continue and Stop: one row of the operation table each, on
// the VM's index; on success the inventory records the state the host now has.
template <typename Op>
void VmOperations::command(const VmEntry& vm, VmAction action, const QString& doing,
                           inventory::VmState recorded, const QString& done) {
    InventoryService* const service = inventory_;
    run(vm, action, doing, [vm, service, recorded, done](v3ctl::HostConnection* host) -> Outcome {
        if (!host)
            return {false, notConnected()};
        auto result = host->call<Op>({vm.index});
        if (!result)
            return {false, q(result.error().message)};
        QString note = recordState(service, vm, recorded);
        return {true, note.isEmpty() ? done : note};
    });
}

void VmOperations::start(const VmEntry& vm) {
    // A stopped VM is launched again after a reset (the lifecycle's rule):
    // say so, since its guest starts from the beginning.
    if (v3ctl::resets(vm.status, v3ctl::VmOperation::Launch)) {
        command<v3ctl::ops::Launch>(
            vm, VmAction::Start,
            tr("Restarting %1 (reset, booting from the start)...").arg(vm.name),
            inventory::VmState::Running, tr("%1 was reset and is running again").arg(vm.name));
        return;
    }
    command<v3ctl::ops::Launch>(vm, VmAction::Start, tr("Starting %1...").arg(vm.name),
                                inventory::VmState::Running, tr("%1 is running").arg(vm.name));
}

void VmOperations::pause(const VmEntry& vm) {
    command<v3ctl::ops::Pause>(vm, VmAction::Pause, tr("Pausing %1...").arg(vm.name),
                               inventory::VmState::Paused, tr("%1 is paused").arg(vm.name));
}

void VmOperations::resume(const VmEntry& vm) {
    command<v3ctl::ops::Resume>(vm, VmAction::Continue, tr("Continuing %1...").arg(vm.name),
                                inventory::VmState::Running,
                                tr("%1 is running again").arg(vm.name));
}

void VmOperations::stop(const VmEntry& vm) {
    command<v3ctl::ops::Stop>(vm, VmAction::Stop, tr("Stopping %1...").arg(vm.name),
                              inventory::VmState::Stopped, tr("%1 is stopped").arg(vm.name));
}

namespace {

// Deletes the VM's files (InventoryAndFiles), then its folder when that is
// the inventory's folder for it and nothing else is left in it; returns what
// could not be deleted, one sentence each.
QStringList deleteFiles(const VmEntry& vm, const QString& vmFolder) {
    QStringList problems;
    for (const QString& path : DeleteChoices::filesOf(vm)) {
        QFile file(path);
        if (file.exists() && !file.remove())
            problems
                << VmOperations::tr("%1 could not be deleted: %2").arg(path, file.errorString());
    }
    QDir folder(vmFolder);
    if (folder.exists() && folder.isEmpty())
        folder.rmdir(vmFolder);
    return problems;
}

} // namespace

void VmOperations::remove(const VmEntry& vm, DeleteScope scope) {
    QString refusal = VmActionPolicy::deleteRefusal(vm);
    if (refusal.isEmpty() && !DeleteChoices::offeredFor(vm).contains(scope))
        refusal = tr("that choice does not apply to %1").arg(vm.name);
    if (!refusal.isEmpty()) {
        emit operationFinished(vm.name, VmAction::Delete, false,
                               tr("Deleting %1 refused: %2").arg(vm.name, refusal));
        return;
    }
    InventoryService* const service = inventory_;
    const bool fromHost = vm.onHost();
    const bool fromInventory = scope != DeleteScope::HostOnly && vm.inInventory();
    const bool files = scope == DeleteScope::InventoryAndFiles;
    const QString vmFolder = service->vmFolder(vm.name);
    const QString doing = files ? tr("Deleting %1 and its files...")
                          : fromHost && fromInventory
                              ? tr("Deleting %1 from the host and the inventory...")
                          : fromInventory ? tr("Deleting %1 from the inventory...")
                                          : tr("Freeing %1 on the host...");
    run(vm, VmAction::Delete, doing.arg(vm.name),
        [vm, service, fromHost, fromInventory, files,
         vmFolder](v3ctl::HostConnection* host) -> Outcome {
            if (fromHost) {
                if (!host)
                    return {false, notConnected()};
                if (vm.index < 0)
                    return {false, tr("the host's device file for %1 is unknown").arg(vm.name)};
                auto freed = host->freeGuest(vm.index);
                if (!freed)
                    return {false, q(freed.error().message)};
                if (!fromInventory && vm.inInventory()) {
                    // Kept in the inventory: it is inactive now.
                    auto inactive = service->setState(vm.name, inventory::VmState::Inactive);
                    if (!inactive)
                        return {true, tr("%1 is freed on the host, but the inventory could not "
                                         "record it: %2")
                                          .arg(vm.name, q(inactive.error().message))};
                    return {true, tr("%1 freed on the host; the inventory keeps it").arg(vm.name)};
                }
            }
            if (fromInventory) {
                auto removed = service->remove(vm.name);
                if (!removed)
                    return {false, q(removed.error().message)};
            }
            if (files) {
                const QStringList problems = deleteFiles(vm, vmFolder);
                if (!problems.isEmpty())
                    return {false, tr("%1 is deleted, but %2").arg(vm.name, problems.join("; "))};
                return {true, tr("%1 and its files deleted").arg(vm.name)};
            }
            return {true, tr("%1 deleted").arg(vm.name)};
        });
}
