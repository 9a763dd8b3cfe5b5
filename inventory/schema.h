// The inventory's schema: an ordered list of migrations, each applied once
// and recorded in the schema_version table, all inside one write transaction
// so two processes opening a new inventory at once cannot both apply them.
#pragma once

#include "database.h"

namespace inventory {

// The version a database has after migrate().
int latest_schema_version();

// Brings the database up to latest_schema_version(). Refuses a database
// written by a newer Palacios (a higher version than this code knows).
Result<Ok> migrate(Database& db);

// The version recorded in the database (0 for an empty one).
Result<int> schema_version(Database& db);

} // namespace inventory
