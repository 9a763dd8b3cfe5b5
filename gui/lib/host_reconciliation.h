// Reconciles the inventory with what a host has, as one blocking job for a
// worker thread: lists the host's VMs (/proc/v3vee/v3-guests through the
// connection) and asks each for its state, hands that to the inventory
// (inventory::sync_with_host, which applies the inventory's rules and writes
// them back) and presents the groups it returns as the VMs the inventory
// pane shows, with what the host and the configs add (memory, cores).
#pragma once

#include "vm_entry.h"

#include <QList>
#include <QString>
#include <QStringList>

class InventoryService;

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
    // The host's list with each VM's state as text, to notice cheaply when
    // it changes.
    QString hostList;

    // host may be nullptr (not connected): the inventory alone is shown.
    // Runs on a worker (the inventory refuses the UI thread).
    static HostReconciliation run(v3ctl::HostConnection* host, InventoryService* inventory,
                                  const QString& hostKey);
    // The host's list, as in hostList, with each VM's state (the cheap
    // poll: a VM that stops or fails by itself changes it too, so the window
    // does not go on showing it running).
    static QString listSignature(v3ctl::HostConnection* host, QString* error = nullptr);
};
