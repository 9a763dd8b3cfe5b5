#include "inventory_model.h"
#include "icon_factory.h"

#include <QSet>

InventoryModel::InventoryModel(QObject* parent) : QStandardItemModel(0, ColumnCount, parent) {
    setHorizontalHeaderLabels({tr("Name"), tr("State"), tr("Memory"), tr("Cores")});
    for (VmGroup g : {VmGroup::Active, VmGroup::Inactive, VmGroup::NotInInventory}) {
        QList<QStandardItem*> row;
        auto* title = new QStandardItem(groupTitle(g));
        title->setEditable(false);
        title->setSelectable(false);
        QFont bold = title->font();
        bold.setBold(true);
        title->setFont(bold);
        row << title;
        for (int c = 1; c < ColumnCount; ++c) {
            auto* filler = new QStandardItem;
            filler->setEditable(false);
            filler->setSelectable(false);
            row << filler;
        }
        appendRow(row);
    }
}

QModelIndex InventoryModel::groupIndex(VmGroup group) const {
    return index(int(group), 0);
}

QString InventoryModel::groupTitle(VmGroup group) {
    switch (group) {
    case VmGroup::Active:
        return tr("Active");
    case VmGroup::Inactive:
        return tr("Inactive");
    case VmGroup::NotInInventory:
        return tr("Not in inventory");
    }
    return {};
}

QStandardItem* InventoryModel::groupItem(VmGroup group) const {
    return item(int(group), 0);
}

QList<QStandardItem*> InventoryModel::makeRow(const VmEntry& vm) const {
    QList<QStandardItem*> row;
    for (int c = 0; c < ColumnCount; ++c) {
        auto* cell = new QStandardItem;
        cell->setEditable(false);
        cell->setData(vm.name, NameRole);
        row << cell;
    }
    return row;
}

void InventoryModel::fillRow(QStandardItem* parent, int row, const VmEntry& vm) {
    QStandardItem* name = parent->child(row, NameColumn);
    name->setText(vm.name);
    name->setIcon(IconFactory::forStatus(vm.status));
    QString tip = vm.name + " — " + vmStatusName(vm.status);
    if (!vm.statusReason.isEmpty())
        tip += " (" + vm.statusReason + ")";
    if (!vm.deviceFile.isEmpty())
        tip += "\n" + vm.deviceFile;
    if (!vm.imagePath.isEmpty())
        tip += "\n" + vm.imagePath;
    name->setToolTip(tip);
    parent->child(row, StateColumn)->setText(vmStatusName(vm.status));
    QStandardItem* memory = parent->child(row, MemoryColumn);
    memory->setText(vm.memoryMb >= 0 ? tr("%1 MB").arg(vm.memoryMb) : QString());
    memory->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    QStandardItem* cores = parent->child(row, CoresColumn);
    cores->setText(vm.cores >= 0 ? QString::number(vm.cores) : QString());
    cores->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
}

void InventoryModel::insertSorted(const VmEntry& vm) {
    QStandardItem* parent = groupItem(vm.group);
    int row = 0;
    while (row < parent->rowCount() &&
           QString::localeAwareCompare(parent->child(row)->text(), vm.name) < 0)
        ++row;
    parent->insertRow(row, makeRow(vm));
    fillRow(parent, row, vm);
}

void InventoryModel::removeRowOf(const QString& name) {
    QModelIndex at = indexOf(name);
    if (at.isValid())
        removeRow(at.row(), at.parent());
}

void InventoryModel::setVms(const QList<VmEntry>& vms) {
    QSet<QString> incoming;
    for (const VmEntry& vm : vms)
        incoming.insert(vm.name);
    const QStringList known = vms_.keys();
    for (const QString& name : known) {
        if (incoming.contains(name))
            continue;
        removeRowOf(name);
        vms_.remove(name);
        emit vmRemoved(name);
    }
    for (const VmEntry& vm : vms) {
        auto old = vms_.constFind(vm.name);
        if (old == vms_.constEnd()) {
            vms_.insert(vm.name, vm);
            insertSorted(vm);
            emit vmAdded(vm.name);
            continue;
        }
        if (old->sameAs(vm))
            continue;
        const VmEntry before = *old;
        vms_.insert(vm.name, vm);
        if (before.group != vm.group) {
            removeRowOf(vm.name);
            insertSorted(vm);
        } else {
            QModelIndex at = indexOf(vm.name);
            fillRow(itemFromIndex(at.parent()), at.row(), vm);
        }
        if (before.status != vm.status)
            emit stateChanged(vm.name, vm.status);
        emit vmChanged(vm.name);
    }
}

void InventoryModel::updateStatus(const QString& name, VmStatus status, const QString& reason) {
    auto it = vms_.find(name);
    if (it == vms_.end() || !it->onHost() || (it->status == status && it->statusReason == reason))
        return;
    const bool changed = it->status != status;
    it->status = status;
    it->statusReason = reason;
    QModelIndex at = indexOf(name);
    if (at.isValid())
        fillRow(itemFromIndex(at.parent()), at.row(), *it);
    if (changed)
        emit stateChanged(name, status);
    emit vmChanged(name);
}

const VmEntry* InventoryModel::vmAt(const QModelIndex& index) const {
    if (!index.isValid())
        return nullptr;
    const QString name = index.siblingAtColumn(NameColumn).data(NameRole).toString();
    return name.isEmpty() ? nullptr : findVm(name);
}

const VmEntry* InventoryModel::findVm(const QString& name) const {
    auto it = vms_.constFind(name);
    return it == vms_.constEnd() ? nullptr : &*it;
}

QModelIndex InventoryModel::indexOf(const QString& name) const {
    for (int g = 0; g < rowCount(); ++g) {
        QStandardItem* parent = item(g, 0);
        for (int r = 0; r < parent->rowCount(); ++r)
            if (parent->child(r)->data(NameRole).toString() == name)
                return parent->child(r)->index();
    }
    return {};
}

QList<VmEntry> InventoryModel::vms() const {
    QList<VmEntry> all = vms_.values();
    std::sort(all.begin(), all.end(),
              [](const VmEntry& a, const VmEntry& b) { return a.name < b.name; });
    return all;
}
