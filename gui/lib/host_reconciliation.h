// Reconciles the inventory with what a host has, as one blocking job for a
// worker thread: lists the host's VMs (/proc/v3vee/v3-guests through the
// connection), asks each for its state, applies the inventory's rules
// (stale entries become inactive, VMs the tools created under an inventory
// name are recorded as activated, host states are recorded) and returns the
// VMs the inventory pane shows.
#pragma once

#include "vm_entry.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace v3ctl {
class HostConnection;
}

struct HostReconciliation {
    QList<VmEntry> vms;
    // Things worth telling the user that did not stop the reconciliation
    // (a VM whose state could not be queried, an unreadable config...).
    QStringList problems;
    // Set when the host could not be listed or the inventory not opened: the
    // VMs then come from the inventory alone, as it last knew them.
    QString error;
    // The host's list as text, to notice cheaply when it changes.
    QString hostList;

    // host may be nullptr (not connected): the inventory alone is shown.
    static HostReconciliation run(v3ctl::HostConnection* host, const QString& inventoryPath,
                                  const QString& hostKey);
    // Just the host's list, as in hostList (the cheap poll).
    static QString listSignature(v3ctl::HostConnection* host, QString* error = nullptr);
};
