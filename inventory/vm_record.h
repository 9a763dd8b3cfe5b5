// What the inventory holds about a VM, what a caller supplies to add one, and
// the entries of a VM's event history.
#pragma once

#include "result.h"
#include "vm_state.h"

#include <cstdint>
#include <optional>
#include <string>

namespace inventory {

// The host a VM belongs to when none is given: this machine (or the sandbox
// standing in for it).
inline constexpr const char* kLocalHost = "local";

struct VmRecord {
    std::int64_t id = 0;
    std::string name;        // unique; the name the host lists in /proc/v3vee/v3-guests
    std::string host;        // "local", or the name of the host connection
    std::string config_path; // absolute; empty when the VM came from an image alone
    std::string image_path;  // absolute
    std::string device_file; // /dev/v3-vmN while the host has the VM, else empty
    VmState state = VmState::Inactive;
    std::string state_reason; // why it is in this state; always set for error
    std::string notes;        // the user's
    std::string created_at;   // UTC ISO-8601 with milliseconds
    std::string updated_at;
    std::string state_changed_at;
};

struct NewVm {
    std::string name;
    std::string host = kLocalHost;
    std::string config_path; // may be empty
    std::string image_path;
    // Relative paths above are made absolute against this directory (which
    // must itself be absolute); with it empty, relative paths are refused.
    std::string base_dir;
    std::string notes;
    // Usually inactive. An import may record a VM the host already has: then
    // the device file is required (and the reason for error).
    VmState state = VmState::Inactive;
    std::string device_file;
    std::string state_reason;
    // The message of the "added" event in the VM's history (default "added").
    std::string history_message;
};

struct VmEvent {
    std::int64_t id = 0;
    std::string at;   // UTC ISO-8601 with milliseconds
    std::string kind; // "added", "activated", "state", "renamed"
    std::optional<VmState> from_state;
    std::optional<VmState> to_state;
    std::string message;
};

// Longest VM name in bytes: Palacios's guest image header keeps names in a
// 128-byte NUL-terminated field.
inline constexpr std::size_t kMaxNameBytes = 127;

// Why name cannot name a VM (empty, too long, contains white space or a
// control character: /proc/v3vee/v3-guests separates fields with blanks, so
// such a VM could never be matched with the host's list); nothing if it can.
std::optional<std::string> name_problem(const std::string& name);

// path made absolute against base_dir when relative (lexically normalized);
// an absolute path is returned exactly as given. Fails with a message naming
// what ("image path", ...) when base_dir is empty or not absolute.
v3ctl::Result<std::string> absolute_path(const std::string& path, const std::string& base_dir,
                                         const char* what);

} // namespace inventory
