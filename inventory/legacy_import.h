// Import of the original Palacios GUI's VM list, virtual_machines_list.txt:
// one "name,config,devfile,state,image" a line, state 0 stopped, 1 paused,
// 2 running. The original stored bare file names; relative paths are made
// absolute against a base directory (by default the list's own directory).
// Every line that cannot be used is reported with its number and why.
#pragma once

#include "inventory.h"

#include <string>
#include <string_view>
#include <vector>

namespace inventory {

struct LegacyVm {
    int line = 0;
    std::string text; // the line as read
    std::string name;
    std::string config_path; // as written
    std::string device_file; // absolute ("v3-vm0" is read as /dev/v3-vm0); may be empty
    VmState state = VmState::Stopped;
    std::string image_path; // as written
};

struct LegacyLineProblem {
    int line = 0;
    std::string text; // the line as read
    std::string reason;
};

struct LegacyList {
    std::vector<LegacyVm> vms;
    std::vector<LegacyLineProblem> problems;
};

// Blank lines are skipped silently; every other unusable line is a problem.
LegacyList parse_legacy_list(std::string_view text);

struct LegacyImportReport {
    std::vector<std::string> imported;       // names, in file order
    std::vector<LegacyLineProblem> problems; // by line number
};

struct LegacyImportOptions {
    std::string base_dir; // empty: the directory holding the list
    std::string host = kLocalHost;
};

// Adds the usable lines of the list at path to the inventory in one
// transaction. A VM recorded with a device file keeps its state and device
// file (reconciliation then tells whether the host still has it); one
// without becomes inactive. A name already in the inventory is reported,
// not overwritten. Fails only when the list cannot be read or the database
// fails (then nothing is imported).
v3ctl::Result<LegacyImportReport> import_legacy_list(Inventory& inventory, const std::string& path,
                                                     const LegacyImportOptions& options = {});

// The same for a list already in memory; origin names it in the VMs' history.
v3ctl::Result<LegacyImportReport> import_legacy_text(Inventory& inventory, std::string_view text,
                                                     const std::string& origin,
                                                     const LegacyImportOptions& options);

} // namespace inventory
