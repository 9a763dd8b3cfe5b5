// What Delete means for one VM, chosen by the user: the three things a
// user may mean (free it on the host only, remove it from the inventory too,
// and also delete its files), offered as the VM's group allows, each saying
// exactly what it removes.
#pragma once

#include "vm_entry.h"

#include <QDialog>
#include <QHash>
#include <QList>

class QRadioButton;

enum class DeleteScope {
    HostOnly,          // free on the host; the inventory keeps it (inactive)
    Inventory,         // free on the host if it is there, and remove from the inventory
    InventoryAndFiles, // the same, and delete its config and image files
};

struct DeleteChoices {
    // The scopes that apply to vm, in dialog order: on the host and in the
    // inventory all three; only in the inventory the last two; only on the
    // host (not in the inventory) HostOnly.
    static QList<DeleteScope> offeredFor(const VmEntry& vm);
    // One sentence naming everything scope removes for vm (device file,
    // inventory record, file paths).
    static QString describe(const VmEntry& vm, DeleteScope scope);
    // The files InventoryAndFiles deletes: the config and image the
    // inventory names (those that are set).
    static QStringList filesOf(const VmEntry& vm);
};

class DeleteVmDialog : public QDialog {
    Q_OBJECT
public:
    explicit DeleteVmDialog(const VmEntry& vm, QWidget* parent = nullptr);
    DeleteScope scope() const;
    QRadioButton* choice(DeleteScope scope) const { return choices_.value(int(scope)); }

private:
    QHash<int, QRadioButton*> choices_;
};
