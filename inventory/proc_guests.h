// The host's list of VMs, /proc/v3vee/v3-guests: one "NAME DEVICE_FILE" a
// line. Read robustly: fields are separated by any run of spaces or tabs,
// fields after the device file are ignored (a newer module may add some),
// and a blank or malformed line is skipped and reported with its number
// rather than breaking the whole list.
#pragma once

#include "result.h"

#include <uapi/v3vee.h>

#include <string>
#include <string_view>
#include <vector>

namespace inventory {

struct ProcGuest {
    std::string name;
    std::string device_file; // "/dev/v3-vmN"
    int line = 0;
};

struct ProcLineProblem {
    int line = 0;
    std::string text; // the line as read
    std::string reason;
};

struct ProcGuestList {
    std::vector<ProcGuest> guests;         // in file order, names unique
    std::vector<ProcLineProblem> problems; // in file order
};

ProcGuestList parse_proc_guests(std::string_view text);

// Reads and parses the file at path. A missing file fails with ENOENT and a
// hint that the module is not loaded.
v3ctl::Result<ProcGuestList> read_proc_guests(const std::string& path = V3_PROC_GUESTS);

} // namespace inventory
