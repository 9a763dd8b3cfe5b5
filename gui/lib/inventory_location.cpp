#include "inventory_location.h"

#include "inventory.h"

#include <QFileInfo>

QString InventoryLocation::databasePath() {
    const QString override = qEnvironmentVariable("PALACIOS_INVENTORY");
    if (!override.isEmpty())
        return QFileInfo(override).absoluteFilePath();
    return QString::fromStdString(inventory::default_inventory_path());
}

QString InventoryLocation::vmFolder(const QString& name) {
    return QFileInfo(databasePath()).absolutePath() + "/vms/" + name;
}
