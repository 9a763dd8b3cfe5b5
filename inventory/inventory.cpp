#include "inventory.h"

#include "schema.h"
#include "timestamp.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

namespace inventory {

namespace {

constexpr const char* kSelectRecord =
    "SELECT id, name, host, config_path, image_path, device_file, state, state_reason, notes,"
    " created_at, updated_at, state_changed_at FROM vms ";

std::string in_quotes(const std::string& name) {
    return "'" + name + "'";
}

Error refusal(int errnum, const std::string& message) {
    return Error{errnum, message};
}

// Creates the missing directories above path, each mode 0700 (the XDG rule
// for data directories).
Result<Ok> create_parent_directories(const std::string& path) {
    namespace fs = std::filesystem;
    const fs::path parent = fs::path(path).parent_path();
    if (parent.empty())
        return Ok{};
    fs::path partial;
    for (const auto& component : parent) {
        partial /= component;
        if (::mkdir(partial.c_str(), 0700) != 0 && errno != EEXIST)
            return v3ctl::Error{errno, "inventory " + path + ": cannot create directory " +
                                           partial.string() + ": " + std::strerror(errno)};
    }
    if (!fs::is_directory(parent))
        return v3ctl::Error{ENOTDIR,
                            "inventory " + path + ": " + parent.string() + " is not a directory"};
    return Ok{};
}

std::optional<std::string> device_file_problem(const std::string& device_file) {
    if (device_file.empty())
        return std::string("the device file is empty");
    if (device_file.front() != '/')
        return "device file '" + device_file + "' is not an absolute path";
    for (unsigned char c : device_file)
        if (c <= 0x20 || c == 0x7f)
            return "device file '" + device_file + "' contains white space or a control character";
    return std::nullopt;
}

} // namespace

std::string default_inventory_path() {
    if (const char* override_path = std::getenv("PALACIOS_INVENTORY");
        override_path && *override_path)
        return override_path;
    std::string data_home;
    // The XDG spec says a relative XDG_DATA_HOME is to be ignored.
    if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg && *xdg == '/') {
        data_home = xdg;
    } else {
        const char* home = std::getenv("HOME");
        if (!home || !*home) {
            const passwd* user = getpwuid(getuid());
            home = user && user->pw_dir ? user->pw_dir : "/";
        }
        data_home = std::string(home) + "/.local/share";
    }
    return data_home + "/palacios/inventory.db";
}

Result<Inventory> Inventory::open(const std::string& path) {
    if (path.empty())
        return Error{EINVAL, "the inventory path is empty"};
    TRY(create_parent_directories(path));
    auto db = TRY(Database::open(path));
    TRY(migrate(db));
    return Inventory(std::move(db));
}

// --- reading -------------------------------------------------------------------

namespace {

Result<VmRecord> read_record(const Statement& row, const std::string& db_path) {
    VmRecord vm;
    vm.id = row.integer(0);
    vm.name = row.text(1);
    vm.host = row.text(2);
    vm.config_path = row.text(3);
    vm.image_path = row.text(4);
    vm.device_file = row.text(5);
    const std::string state = row.text(6);
    auto parsed = parse_state(state);
    if (!parsed)
        return Error{EIO, "inventory " + db_path + ": VM " + in_quotes(vm.name) +
                              " has an unknown state '" + state + "'"};
    vm.state = *parsed;
    vm.state_reason = row.text(7);
    vm.notes = row.text(8);
    vm.created_at = row.text(9);
    vm.updated_at = row.text(10);
    vm.state_changed_at = row.text(11);
    return vm;
}

Result<std::vector<VmRecord>> select_records(Database& db, const std::string& rest,
                                             const std::function<void(Statement&)>& bind) {
    auto query = TRY(db.prepare(kSelectRecord + rest));
    bind(query);
    std::vector<VmRecord> records;
    while (TRY(query.step()))
        records.push_back(TRY(read_record(query, db.path())));
    return records;
}

} // namespace

Result<VmRecord> Inventory::find(const std::string& name) {
    auto found =
        TRY(select_records(db_, "WHERE name = ?1", [&](Statement& s) { s.bind(1, name); }));
    if (found.empty())
        return refusal(ENOENT, "no VM named " + in_quotes(name) + " in the inventory " + path());
    return std::move(found.front());
}

Result<VmRecord> Inventory::find_by_id(std::int64_t id) {
    auto found = TRY(select_records(db_, "WHERE id = ?1", [&](Statement& s) { s.bind(1, id); }));
    if (found.empty())
        return refusal(ENOENT, "inventory " + path() + ": no VM with id " + std::to_string(id));
    return std::move(found.front());
}

Result<VmRecord> Inventory::find_in_transaction(const std::string& name, const char* doing) {
    auto vm = find(name);
    if (!vm && vm.error().errnum == ENOENT)
        return refusal(ENOENT, std::string("cannot ") + doing + " VM " + in_quotes(name) +
                                   ": there is no VM by that name in the inventory " + path());
    return vm;
}

Result<std::vector<VmRecord>> Inventory::list() {
    return select_records(db_, "ORDER BY name", [](Statement&) {});
}

Result<std::vector<VmRecord>> Inventory::list(const std::string& host) {
    return select_records(db_, "WHERE host = ?1 ORDER BY name",
                          [&](Statement& s) { s.bind(1, host); });
}

Result<std::vector<VmEvent>> Inventory::events(const std::string& name) {
    const VmRecord vm = TRY(find(name));
    auto query = TRY(db_.prepare("SELECT id, at, kind, from_state, to_state, message FROM vm_events"
                                 " WHERE vm_id = ?1 ORDER BY id"));
    query.bind(1, vm.id);
    std::vector<VmEvent> history;
    while (TRY(query.step())) {
        VmEvent event;
        event.id = query.integer(0);
        event.at = query.text(1);
        event.kind = query.text(2);
        if (!query.is_null(3))
            event.from_state = parse_state(query.text(3));
        if (!query.is_null(4))
            event.to_state = parse_state(query.text(4));
        event.message = query.text(5);
        history.push_back(std::move(event));
    }
    return history;
}

Result<std::string> Inventory::integrity_check() {
    auto query = TRY(db_.prepare("PRAGMA integrity_check"));
    std::string report;
    while (TRY(query.step())) {
        if (!report.empty())
            report += '\n';
        report += query.text(0);
    }
    return report;
}

// --- writing -------------------------------------------------------------------

Result<Ok> Inventory::add_event(std::int64_t vm_id, const std::string& at, const char* kind,
                                std::optional<VmState> from, std::optional<VmState> to,
                                const std::string& message) {
    auto insert =
        TRY(db_.prepare("INSERT INTO vm_events (vm_id, at, kind, from_state, to_state, message)"
                        " VALUES (?1, ?2, ?3, ?4, ?5, ?6)"));
    insert.bind(1, vm_id).bind(2, at).bind(3, kind).bind(6, message);
    if (from)
        insert.bind(4, state_name(*from));
    else
        insert.bind_null(4);
    if (to)
        insert.bind(5, state_name(*to));
    else
        insert.bind_null(5);
    return insert.run();
}

Result<Result<VmRecord>> Inventory::insert(const NewVm& vm) {
    const std::string adding = "cannot add VM " + in_quotes(vm.name) + ": ";
    auto refuse = [&](int errnum, const std::string& why) -> Result<Result<VmRecord>> {
        return Result<VmRecord>(refusal(errnum, adding + why));
    };
    if (auto problem = name_problem(vm.name))
        return Result<VmRecord>(refusal(EINVAL, "cannot add VM: " + *problem));
    if (vm.host.empty())
        return refuse(EINVAL, "the host is empty (use \"local\" for this machine)");
    if (vm.image_path.empty())
        return refuse(EINVAL, "the image path is empty");
    auto config = absolute_path(vm.config_path, vm.base_dir, "config path");
    if (!config)
        return refuse(EINVAL, config.error().message);
    auto image = absolute_path(vm.image_path, vm.base_dir, "image path");
    if (!image)
        return refuse(EINVAL, image.error().message);
    if (!storable(vm.state))
        return refuse(EINVAL, "the state '" + std::string(state_name(vm.state)) +
                                  "' is not one to record; say what the host reported");
    if (vm.state == VmState::Inactive && !vm.device_file.empty())
        return refuse(EINVAL, "an inactive VM has no device file (got '" + vm.device_file + "')");
    // Error may come with or without one (the host may never have had the VM).
    if (vm.state != VmState::Inactive && (vm.state != VmState::Error || !vm.device_file.empty())) {
        if (auto problem = device_file_problem(vm.device_file))
            return refuse(EINVAL, vm.device_file.empty()
                                      ? "a " + std::string(state_name(vm.state)) +
                                            " VM needs its device file"
                                      : *problem);
    }
    if (vm.state == VmState::Error && vm.state_reason.empty())
        return refuse(EINVAL, "a VM in the error state needs a reason");

    auto taken = TRY(db_.prepare("SELECT 1 FROM vms WHERE name = ?1"));
    taken.bind(1, vm.name);
    if (TRY(taken.step()))
        return refuse(EEXIST, "a VM by that name is already in the inventory");

    const std::string now = utc_timestamp_now();
    auto insert = TRY(db_.prepare(
        "INSERT INTO vms (name, host, config_path, image_path, device_file, state, state_reason,"
        " notes, created_at, updated_at, state_changed_at)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, ?9) RETURNING id"));
    insert.bind(1, vm.name)
        .bind(2, vm.host)
        .bind(3, config.value())
        .bind(4, image.value())
        .bind(5, vm.device_file)
        .bind(6, state_name(vm.state))
        .bind(7, vm.state_reason)
        .bind(8, vm.notes)
        .bind(9, now);
    TRY(insert.step());
    const std::int64_t id = insert.integer(0);
    TRY(insert.run());
    TRY(add_event(id, now, "added", std::nullopt, vm.state,
                  vm.history_message.empty() ? "added" : vm.history_message));
    return Result<VmRecord>(TRY(find_by_id(id)));
}

Result<VmRecord> Inventory::add(const NewVm& vm) {
    auto transaction = TRY(db_.begin_write());
    auto added = TRY(insert(vm));
    if (!added)
        return added.error();
    TRY(transaction.commit());
    return added;
}

Result<std::vector<Result<VmRecord>>> Inventory::add_all(const std::vector<NewVm>& vms) {
    auto transaction = TRY(db_.begin_write());
    std::vector<Result<VmRecord>> outcomes;
    outcomes.reserve(vms.size());
    for (const NewVm& vm : vms) {
        auto item = TRY(db_.savepoint());
        auto added = TRY(insert(vm));
        if (added)
            TRY(item.release());
        outcomes.push_back(std::move(added));
    }
    TRY(transaction.commit());
    return outcomes;
}

Result<VmRecord> Inventory::change_state(const VmRecord& vm, VmState state,
                                         const std::string& reason, const std::string& device_file,
                                         const char* kind, const std::string& message) {
    const std::string now = utc_timestamp_now();
    auto update = TRY(db_.prepare("UPDATE vms SET state = ?1, state_reason = ?2, device_file = ?3,"
                                  " updated_at = ?4, state_changed_at = ?4 WHERE id = ?5"));
    update.bind(1, state_name(state))
        .bind(2, reason)
        .bind(3, device_file)
        .bind(4, now)
        .bind(5, vm.id);
    TRY(update.run());
    TRY(add_event(vm.id, now, kind, vm.state, state, message));
    return find_by_id(vm.id);
}

Result<VmRecord> Inventory::activate(const std::string& name, const std::string& device_file) {
    if (auto problem = device_file_problem(device_file))
        return refusal(EINVAL, "cannot activate VM " + in_quotes(name) + ": " + *problem);
    auto transaction = TRY(db_.begin_write());
    const VmRecord vm = TRY(find_in_transaction(name, "activate"));
    if (!vm.device_file.empty())
        return refusal(EEXIST, "cannot activate VM " + in_quotes(name) +
                                   ": it is already active as " + vm.device_file + " (" +
                                   std::string(state_name(vm.state)) +
                                   "); free it on the host first");
    auto holders =
        TRY(select_records(db_, "WHERE host = ?1 AND device_file = ?2",
                           [&](Statement& s) { s.bind(1, vm.host).bind(2, device_file); }));
    if (!holders.empty())
        return refusal(EEXIST, "cannot activate VM " + in_quotes(name) + " as " + device_file +
                                   ": the inventory says VM " + in_quotes(holders.front().name) +
                                   " is " + std::string(state_name(holders.front().state)) +
                                   " there; reload the host's list of guests first");
    auto activated =
        TRY(change_state(vm, VmState::Created, {}, device_file, "activated", device_file));
    TRY(transaction.commit());
    return activated;
}

Result<VmRecord> Inventory::set_state(const std::string& name, VmState state,
                                      const std::string& reason) {
    auto transaction = TRY(db_.begin_write());
    const VmRecord vm = TRY(find_in_transaction(name, "change the state of"));
    if (state == vm.state && (state != VmState::Error || reason == vm.state_reason))
        return vm; // already recorded; nothing to write
    const std::string to = std::string(state_name(state));
    const std::string from = std::string(state_name(vm.state));
    if (state == VmState::Error && reason.empty())
        return refusal(EINVAL, "cannot mark VM " + in_quotes(name) + " as error without a reason");
    if (!storable(state))
        return refusal(EINVAL, "cannot mark VM " + in_quotes(name) + " as " + to +
                                   ": that is not a state to record");
    if (vm.state == VmState::Inactive && state != VmState::Error)
        return refusal(EINVAL, "cannot mark VM " + in_quotes(name) + " as " + to +
                                   ": it is inactive; activate it (record its device file) first");
    if (!state_change_allowed(vm.state, state))
        return refusal(EINVAL, "cannot mark VM " + in_quotes(name) + " as " + to +
                                   ": the module cannot take a VM from " + from + " to " + to);
    const std::string device_file = state == VmState::Inactive ? std::string() : vm.device_file;
    auto changed = TRY(change_state(vm, state, reason, device_file, "state", reason));
    TRY(transaction.commit());
    return changed;
}

Result<std::vector<VmRecord>> Inventory::mark_stale(const std::vector<VmRecord>& stale) {
    auto transaction = TRY(db_.begin_write());
    std::vector<VmRecord> changed;
    for (const VmRecord& seen : stale) {
        auto current = find_by_id(seen.id);
        if (!current) {
            if (current.error().errnum == ENOENT)
                continue; // removed since the reconciliation
            return current.error();
        }
        const VmRecord& vm = current.value();
        if (vm.name != seen.name || vm.state != seen.state || vm.device_file != seen.device_file ||
            vm.state == VmState::Inactive)
            continue; // changed since the reconciliation read it: its news is newer
        std::string reason =
            "the host no longer lists it (it was " + std::string(state_name(vm.state));
        if (!vm.device_file.empty())
            reason += " as " + vm.device_file;
        reason += "); the host was restarted or the module reloaded";
        changed.push_back(TRY(change_state(vm, VmState::Inactive, reason, {}, "state", reason)));
    }
    TRY(transaction.commit());
    return changed;
}

Result<VmRecord> Inventory::rename(const std::string& name, const std::string& new_name) {
    if (auto problem = name_problem(new_name))
        return refusal(EINVAL, "cannot rename VM " + in_quotes(name) + ": " + *problem);
    auto transaction = TRY(db_.begin_write());
    const VmRecord vm = TRY(find_in_transaction(name, "rename"));
    if (new_name == name)
        return vm;
    if (!vm.device_file.empty())
        return refusal(EBUSY, "cannot rename VM " + in_quotes(name) +
                                  ": the host knows it by that name (it is " +
                                  std::string(state_name(vm.state)) + " as " + vm.device_file +
                                  "); free it on the host first");
    auto taken = TRY(db_.prepare("SELECT 1 FROM vms WHERE name = ?1"));
    taken.bind(1, new_name);
    if (TRY(taken.step()))
        return refusal(EEXIST, "cannot rename VM " + in_quotes(name) + " to " +
                                   in_quotes(new_name) +
                                   ": a VM by that name is already in the inventory");
    const std::string now = utc_timestamp_now();
    auto update = TRY(db_.prepare("UPDATE vms SET name = ?1, updated_at = ?2 WHERE id = ?3"));
    update.bind(1, new_name).bind(2, now).bind(3, vm.id);
    TRY(update.run());
    TRY(add_event(vm.id, now, "renamed", std::nullopt, std::nullopt,
                  "renamed from " + in_quotes(name) + " to " + in_quotes(new_name)));
    auto renamed = TRY(find_by_id(vm.id));
    TRY(transaction.commit());
    return renamed;
}

Result<VmRecord> Inventory::set_notes(const std::string& name, const std::string& notes) {
    auto transaction = TRY(db_.begin_write());
    const VmRecord vm = TRY(find_in_transaction(name, "change the notes of"));
    auto update = TRY(db_.prepare("UPDATE vms SET notes = ?1, updated_at = ?2 WHERE id = ?3"));
    update.bind(1, notes).bind(2, utc_timestamp_now()).bind(3, vm.id);
    TRY(update.run());
    auto changed = TRY(find_by_id(vm.id));
    TRY(transaction.commit());
    return changed;
}

Result<Ok> Inventory::remove(const std::string& name) {
    auto transaction = TRY(db_.begin_write());
    const VmRecord vm = TRY(find_in_transaction(name, "remove"));
    // Its history goes with it (ON DELETE CASCADE).
    auto erase = TRY(db_.prepare("DELETE FROM vms WHERE id = ?1"));
    erase.bind(1, vm.id);
    TRY(erase.run());
    return transaction.commit();
}

} // namespace inventory
