#include "schema.h"

#include "timestamp.h"

#include <cerrno>
#include <span>

namespace inventory {

namespace {

struct Migration {
    int version;
    const char* description;
    const char* sql;
};

// Append only: a released migration is never edited, a change is a new one.
constexpr Migration kMigrations[] = {
    {1, "VMs and their event history", R"sql(
CREATE TABLE vms (
    id               INTEGER PRIMARY KEY,
    name             TEXT NOT NULL UNIQUE,
    host             TEXT NOT NULL,
    config_path      TEXT NOT NULL,
    image_path       TEXT NOT NULL,
    device_file      TEXT NOT NULL DEFAULT '',
    state            TEXT NOT NULL
                     CHECK (state IN ('inactive', 'created', 'running', 'paused', 'stopped', 'error')),
    state_reason     TEXT NOT NULL DEFAULT '',
    notes            TEXT NOT NULL DEFAULT '',
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    state_changed_at TEXT NOT NULL,
    CHECK (state <> 'error' OR state_reason <> ''),
    CHECK ((state = 'inactive') = (device_file = '') OR state = 'error')
);
CREATE INDEX vms_by_host ON vms (host, name);
CREATE TABLE vm_events (
    id         INTEGER PRIMARY KEY,
    vm_id      INTEGER NOT NULL REFERENCES vms (id) ON DELETE CASCADE,
    at         TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('added', 'activated', 'state', 'renamed')),
    from_state TEXT,
    to_state   TEXT,
    message    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX vm_events_by_vm ON vm_events (vm_id, id);
)sql"},
};

Result<int> recorded_version(Database& db) {
    auto query = TRY(db.prepare("SELECT COALESCE(MAX(version), 0) FROM schema_version"));
    TRY(query.step());
    return int(query.integer(0));
}

} // namespace

int latest_schema_version() {
    return std::span(kMigrations).back().version;
}

Result<int> schema_version(Database& db) {
    auto exists = TRY(
        db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'schema_version'"));
    if (!TRY(exists.step()))
        return 0;
    return recorded_version(db);
}

Result<Ok> migrate(Database& db) {
    auto transaction = TRY(db.begin_write());
    TRY(db.execute("CREATE TABLE IF NOT EXISTS schema_version ("
                   " version INTEGER PRIMARY KEY,"
                   " description TEXT NOT NULL,"
                   " applied_at TEXT NOT NULL)"));
    const int current = TRY(recorded_version(db));
    const int latest = latest_schema_version();
    if (current > latest)
        return Error{EPROTO, "inventory " + db.path() + ": schema version " +
                                 std::to_string(current) +
                                 " was written by a newer Palacios (this one knows up to " +
                                 std::to_string(latest) +
                                 "); use that Palacios or another inventory file "
                                 "(PALACIOS_INVENTORY)"};
    if (current == latest)
        return Ok{}; // nothing written: the transaction rolls back harmlessly

    auto record = TRY(db.prepare(
        "INSERT INTO schema_version (version, description, applied_at) VALUES (?1, ?2, ?3)"));
    for (const Migration& migration : kMigrations) {
        if (migration.version <= current)
            continue;
        auto applied = db.execute(migration.sql);
        if (!applied)
            return Error{applied.error().errnum,
                         "inventory " + db.path() + ": cannot apply schema migration " +
                             std::to_string(migration.version) + " (" + migration.description +
                             "): " + applied.error().message};
        record.reset();
        record.bind(1, std::int64_t(migration.version))
            .bind(2, migration.description)
            .bind(3, utc_timestamp_now());
        TRY(record.run());
    }
    return transaction.commit();
}

} // namespace inventory
