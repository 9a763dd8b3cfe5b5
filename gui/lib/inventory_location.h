// Where the window keeps its inventory database.
#pragma once

#include <QString>

class InventoryLocation {
public:
    // The inventory library's default (PALACIOS_INVENTORY when set, else
    // $XDG_DATA_HOME/palacios/inventory.db), made absolute.
    static QString databasePath();
};
