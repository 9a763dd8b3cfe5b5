// The VM lifecycle as the window drives it: each operation runs on the
// session's host worker (host call, then the inventory write), never on
// the UI thread, and reports back by signal with the host's own sentence
// when it fails. Delete does what the user chose (DeleteScope): free on the
// host only, also remove from the inventory, or also delete the VM's files.
#pragma once

#include "delete_vm_dialog.h"
#include "vm_action_policy.h"
#include "vm_entry.h"

#include "vm_state.h"

#include <QObject>
#include <QString>

class HostSession;
class InventoryService;

class VmOperations : public QObject {
    Q_OBJECT
public:
    // Both not owned; inventory is used on the session's host worker.
    VmOperations(HostSession* session, InventoryService* inventory, QObject* parent = nullptr);

    // Creates an inventory VM on the host from its image.
    void activate(const VmEntry& vm);
    // Records a VM the host has but the inventory does not (config may be empty).
    void adopt(const VmEntry& vm, const QString& configPath, const QString& imagePath);
    void start(const VmEntry& vm);
    void pause(const VmEntry& vm);
    void resume(const VmEntry& vm);
    void stop(const VmEntry& vm);
    // scope must be one DeleteChoices::offeredFor(vm) lists.
    void remove(const VmEntry& vm, DeleteScope scope);

    int pending() const { return pending_; }

signals:
    // A human description of what is under way ("Starting hello...").
    void operationStarted(const QString& name, VmAction action, const QString& description);
    // ok false: message is the readable reason (what failed and the host's sentence).
    void operationFinished(const QString& name, VmAction action, bool ok, const QString& message);

private:
    struct Outcome {
        bool ok = false;
        QString message;
    };
    template <typename Work>
    void run(const VmEntry& vm, VmAction action, const QString& doing, Work work);
    template <typename Op>
    void command(const VmEntry& vm, VmAction action, const QString& doing,
                 inventory::VmState recorded, const QString& done);

    HostSession* session_;
    InventoryService* inventory_;
    int pending_ = 0;
};
