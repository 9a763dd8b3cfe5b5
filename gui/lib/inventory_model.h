// The inventory tree: three fixed groups, as in the original Palacios GUI
// (Active, Inactive, Not in inventory), with the VMs of each group beneath:
// name with a state icon, state, memory and cores. The window hands it a
// complete snapshot after every reconciliation; the model works out what
// changed and says so by signal (vmAdded, vmRemoved, stateChanged), so views
// subscribe instead of rebuilding.
#pragma once

#include "vm_entry.h"

#include <QHash>
#include <QStandardItemModel>

class InventoryModel : public QStandardItemModel {
    Q_OBJECT
public:
    enum Column { NameColumn = 0, StateColumn, MemoryColumn, CoresColumn, ColumnCount };
    static constexpr int NameRole = Qt::UserRole + 1;

    explicit InventoryModel(QObject* parent = nullptr);

    QModelIndex groupIndex(VmGroup group) const;
    static QString groupTitle(VmGroup group);

    // Replaces the VMs shown with `vms` (names unique), changing only the
    // rows that differ.
    void setVms(const QList<VmEntry>& vms);
    // A state the host reported for one VM between reconciliations.
    void updateStatus(const QString& name, VmStatus status, const QString& reason = {});

    // The VM at index (any column), or nullptr for a group row or nothing.
    const VmEntry* vmAt(const QModelIndex& index) const;
    const VmEntry* findVm(const QString& name) const;
    QModelIndex indexOf(const QString& name) const;
    QList<VmEntry> vms() const;
    int vmCount() const { return int(vms_.size()); }

signals:
    void vmAdded(const QString& name);
    void vmRemoved(const QString& name);
    void stateChanged(const QString& name, VmStatus status);
    // Anything about the VM changed (paths, memory, group, state).
    void vmChanged(const QString& name);

private:
    QStandardItem* groupItem(VmGroup group) const;
    QList<QStandardItem*> makeRow(const VmEntry& vm) const;
    void fillRow(QStandardItem* parent, int row, const VmEntry& vm);
    void insertSorted(const VmEntry& vm);
    void removeRowOf(const QString& name);

    QHash<QString, VmEntry> vms_;
};
