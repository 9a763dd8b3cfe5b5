// Where the window keeps its inventory database.
#pragma once

#include <QString>

class InventoryLocation {
public:
    // $PALACIOS_INVENTORY when set (tests), otherwise the inventory library's
    // default: $PALACIOS_INVENTORY_DB, else $XDG_DATA_HOME/palacios/inventory.db.
    static QString databasePath();
    // Where the wizard puts the files of a VM it composes:
    // <folder of the database>/vms/NAME.
    static QString vmFolder(const QString& name);
};
