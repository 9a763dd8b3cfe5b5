#include "inventory_location.h"

#include "inventory.h"

#include <QFileInfo>

QString InventoryLocation::databasePath() {
    return QFileInfo(QString::fromStdString(inventory::default_inventory_path()))
        .absoluteFilePath();
}
