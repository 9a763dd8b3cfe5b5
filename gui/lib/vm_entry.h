// One VM as the window shows it: where it stands (which inventory group),
// what state it is in, and what the window knows about it (paths from the
// inventory, memory and cores from the host or the config).
#pragma once

#include "guest_ops.h"

#include <QMetaType>
#include <QString>

// The state the window shows: the one VM state type. Inactive: in the
// inventory, not on the host. Unknown: the host lists the VM but cannot say
// its state (for example a connection that cannot query VMs yet).
using VmStatus = v3ctl::VmState;

// The state's name, translated.
QString vmStatusName(VmStatus status);

// The three groups of the inventory pane, in pane order: where the VM is
// (in the inventory, on the host, or both), not what state it is in.
enum class VmGroup { Active = 0, Inactive = 1, NotInInventory = 2 };

struct VmEntry {
    QString name;
    VmGroup group = VmGroup::Inactive;
    VmStatus status = VmStatus::Inactive;
    QString statusReason;
    QString configPath; // absolute; empty when unknown
    QString imagePath;  // absolute; empty when unknown
    QString deviceFile; // /dev/v3-vmN while the host has the VM
    int index = -1;     // N of /dev/v3-vmN, -1 when not on the host
    int memoryMb = -1;  // -1 when unknown
    int cores = -1;     // -1 when unknown

    bool onHost() const { return group != VmGroup::Inactive; }
    bool inInventory() const { return group != VmGroup::NotInInventory; }
    bool sameAs(const VmEntry& other) const;
};

Q_DECLARE_METATYPE(VmEntry)
