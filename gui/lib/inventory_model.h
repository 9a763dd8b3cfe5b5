// The inventory tree: three fixed groups, as in the original Palacios GUI,
// with the VMs of each group beneath. VMs arrive with the inventory issue;
// the groups and columns are the contract the views and tests rely on.
#pragma once

#include <QStandardItemModel>

class InventoryModel : public QStandardItemModel {
    Q_OBJECT
public:
    enum Group { Active = 0, Inactive = 1, NotInInventory = 2 };
    enum Column { NameColumn = 0, StateColumn, MemoryColumn, CoresColumn, ColumnCount };

    explicit InventoryModel(QObject* parent = nullptr);

    QModelIndex groupIndex(Group group) const;
    static QString groupTitle(Group group);
};
