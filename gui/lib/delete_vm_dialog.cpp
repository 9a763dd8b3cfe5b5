#include "delete_vm_dialog.h"

#include <QDialogButtonBox>
#include <QLabel>
#include <QPushButton>
#include <QRadioButton>
#include <QVBoxLayout>

QList<DeleteScope> DeleteChoices::offeredFor(const VmEntry& vm) {
    if (!vm.inInventory())
        return {DeleteScope::HostOnly};
    QList<DeleteScope> offered;
    if (vm.onHost())
        offered << DeleteScope::HostOnly;
    offered << DeleteScope::Inventory;
    if (!filesOf(vm).isEmpty())
        offered << DeleteScope::InventoryAndFiles;
    return offered;
}

QStringList DeleteChoices::filesOf(const VmEntry& vm) {
    QStringList files;
    for (const QString& path : {vm.configPath, vm.imagePath})
        if (!path.isEmpty() && !files.contains(path))
            files << path;
    return files;
}

QString DeleteChoices::describe(const VmEntry& vm, DeleteScope scope) {
    const QString device =
        vm.deviceFile.isEmpty() ? DeleteVmDialog::tr("its device file") : vm.deviceFile;
    const QString host =
        DeleteVmDialog::tr("frees %1 on the host (the VM, its state and its guest memory, which "
                           "stays reserved for other VMs)")
            .arg(device);
    switch (scope) {
    case DeleteScope::HostOnly:
        return vm.inInventory()
                   ? DeleteVmDialog::tr("Free on the host only: %1. The inventory keeps %2 as "
                                        "inactive, to activate again later; no file is deleted.")
                         .arg(host, vm.name)
                   : DeleteVmDialog::tr("Free on the host: %1. %2 is not in the inventory; no "
                                        "file is deleted.")
                         .arg(host, vm.name);
    case DeleteScope::Inventory:
        return (vm.onHost() ? DeleteVmDialog::tr("Remove from the inventory: %1, and removes "
                                                 "%2's inventory record and history.")
                                  .arg(host, vm.name)
                            : DeleteVmDialog::tr("Remove from the inventory: removes %1's "
                                                 "inventory record and history.")
                                  .arg(vm.name)) +
               DeleteVmDialog::tr(" Its files stay on disk: %1.")
                   .arg(filesOf(vm).isEmpty() ? DeleteVmDialog::tr("none known")
                                              : filesOf(vm).join(", "));
    case DeleteScope::InventoryAndFiles:
        return (vm.onHost() ? DeleteVmDialog::tr("Delete its files too: %1, removes the "
                                                 "inventory record and history,")
                                  .arg(host)
                            : DeleteVmDialog::tr("Delete its files too: removes the inventory "
                                                 "record and history,")) +
               DeleteVmDialog::tr(" and deletes %1 (and the VM's folder, if it is left empty).")
                   .arg(filesOf(vm).join(", "));
    }
    return {};
}

DeleteVmDialog::DeleteVmDialog(const VmEntry& vm, QWidget* parent) : QDialog(parent) {
    setObjectName("deleteVmDialog");
    setWindowTitle(tr("Delete %1").arg(vm.name));
    auto* layout = new QVBoxLayout(this);
    auto* intro =
        new QLabel(tr("What should deleting <b>%1</b> remove?").arg(vm.name.toHtmlEscaped()));
    layout->addWidget(intro);
    const QList<DeleteScope> offered = DeleteChoices::offeredFor(vm);
    for (DeleteScope scope : offered) {
        auto* choice = new QRadioButton;
        choice->setObjectName(QString("deleteScope%1").arg(int(scope)));
        // A radio button does not wrap: the sentence is a label beside it.
        auto* text = new QLabel(DeleteChoices::describe(vm, scope));
        text->setWordWrap(true);
        text->setBuddy(choice);
        auto* row = new QHBoxLayout;
        row->addWidget(choice, 0, Qt::AlignTop);
        row->addWidget(text, 1);
        layout->addLayout(row);
        choices_.insert(int(scope), choice);
    }
    // The least destructive choice is the default.
    if (!offered.isEmpty())
        choices_.value(int(offered.first()))->setChecked(true);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Delete"));
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
    resize(560, sizeHint().height());
}

DeleteScope DeleteVmDialog::scope() const {
    for (auto it = choices_.begin(); it != choices_.end(); ++it)
        if (it.value()->isChecked())
            return DeleteScope(it.key());
    return DeleteScope::HostOnly;
}
