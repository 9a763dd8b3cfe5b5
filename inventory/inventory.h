// The VM inventory: one SQLite database (by default
// $XDG_DATA_HOME/palacios/inventory.db) holding every VM the user manages and
// the history of its state changes. Every change is one transaction: a VM
// and its history never disagree, even if the process dies mid-write.
//
// One Inventory is one connection: use it from one thread at a time (give a
// worker thread its own). Several processes may use the same file at once;
// a writer waits up to Database::kBusyTimeoutMs for another to finish.
#pragma once

#include "database.h"
#include "vm_record.h"

#include <string>
#include <vector>

namespace inventory {

// PALACIOS_INVENTORY if set, else $XDG_DATA_HOME/palacios/inventory.db,
// else ~/.local/share/palacios/inventory.db.
std::string default_inventory_path();

class Inventory {
public:
    // Opens the inventory at path, creating it (and its directory, mode 0700)
    // if needed, and brings its schema up to date.
    static Result<Inventory> open(const std::string& path = default_inventory_path());

    const std::string& path() const { return db_.path(); }

    // Adds an inactive VM (or, for imports, one the host has: see NewVm).
    // Fails if the name is taken, invalid, or a path is relative without a
    // base directory.
    Result<VmRecord> add(const NewVm& vm);
    // Adds several in one transaction: the outer Result fails only when the
    // database does (then nothing was added); each inner one says whether
    // that VM was added.
    Result<std::vector<Result<VmRecord>>> add_all(const std::vector<NewVm>& vms);

    // Records that the host now has the VM under device_file (V3_CREATE_GUEST
    // succeeded): inactive (or error without a device file) -> created.
    Result<VmRecord> activate(const std::string& name, const std::string& device_file);

    // Records a state the host reported. Refuses changes the module cannot
    // make (see state_change_allowed), error without a reason, and leaving
    // inactive other than by activate(). Inactive forgets the device file.
    // Setting the current state again (same reason) changes nothing.
    Result<VmRecord> set_state(const std::string& name, VmState state,
                               const std::string& reason = {});

    // Applies a reconciliation's stale entries: each VM the host no longer
    // lists becomes inactive with a reason saying so. An entry whose state or
    // device file changed since the reconciliation read it is left alone.
    // Returns the VMs it changed. One transaction.
    Result<std::vector<VmRecord>> mark_stale(const std::vector<VmRecord>& stale);

    // Renames an inactive VM (the host knows an active one by its name).
    // Fails cleanly if new_name is taken.
    Result<VmRecord> rename(const std::string& name, const std::string& new_name);

    Result<VmRecord> set_notes(const std::string& name, const std::string& notes);

    // Forgets the VM and its history.
    Result<Ok> remove(const std::string& name);

    Result<VmRecord> find(const std::string& name);
    // Every VM, by name.
    Result<std::vector<VmRecord>> list();
    // The VMs of one host, by name (what to reconcile that host's list with).
    Result<std::vector<VmRecord>> list(const std::string& host);

    // The VM's history, oldest first.
    Result<std::vector<VmEvent>> events(const std::string& name);

    // SQLite's PRAGMA integrity_check: "ok", or what is wrong.
    Result<std::string> integrity_check();

private:
    explicit Inventory(Database db) : db_(std::move(db)) {}

    Result<VmRecord> find_in_transaction(const std::string& name, const char* doing);
    Result<VmRecord> find_by_id(std::int64_t id);
    Result<Ok> add_event(std::int64_t vm_id, const std::string& at, const char* kind,
                         std::optional<VmState> from, std::optional<VmState> to,
                         const std::string& message);
    // The outer Result fails when the database does; the inner one when this
    // VM is refused (invalid, name taken).
    Result<Result<VmRecord>> insert(const NewVm& vm);
    Result<VmRecord> change_state(const VmRecord& vm, VmState state, const std::string& reason,
                                  const std::string& device_file, const char* kind,
                                  const std::string& message);

    Database db_;
};

} // namespace inventory
