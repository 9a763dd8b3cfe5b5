#include "inventory_model.h"

InventoryModel::InventoryModel(QObject* parent) : QStandardItemModel(0, ColumnCount, parent) {
    setHorizontalHeaderLabels({tr("Name"), tr("State"), tr("Memory"), tr("Cores")});
    for (Group g : {Active, Inactive, NotInInventory}) {
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

QModelIndex InventoryModel::groupIndex(Group group) const {
    return index(int(group), 0);
}

QString InventoryModel::groupTitle(Group group) {
    switch (group) {
    case Active:
        return tr("Active");
    case Inactive:
        return tr("Inactive");
    case NotInInventory:
        return tr("Not in inventory");
    }
    return {};
}
