// The window's centre: a tab widget whose first, fixed tab is the details
// page (the selected VM's, or the host's), followed by one tab per open
// stream console. Opening a VM's consoles reads its config on a worker to
// find its streams; a console already open is brought to the front instead
// of opened twice.
#pragma once

#include "vm_entry.h"

#include <QList>
#include <QTabWidget>

class HostSession;
class StreamConsoleTab;
class VmDetailsPage;

class VmTabs : public QTabWidget {
    Q_OBJECT
public:
    // Consoles reach their streams through session (not owned).
    explicit VmTabs(HostSession* session, QWidget* parent = nullptr);

    VmDetailsPage* detailsPage() const { return details_; }
    QList<StreamConsoleTab*> consoleTabs() const;

    // Opens (or shows) the console of vm's stream.
    void openConsole(const VmEntry& vm, const QString& stream);
    // Opens a console for each stream vm's config has (com1 when the
    // config is unknown).
    void openConsolesOf(const VmEntry& vm);
    // Tells the consoles of the VM called name its new status.
    void setVmStatus(const QString& name, VmStatus status);
    // Closes every console of the VM called name (it was deleted).
    void closeConsolesOf(const QString& name);

signals:
    // Something worth telling the user (error: shown as an error).
    void report(const QString& vm, const QString& message, bool error);

private:
    void closeConsoleTab(int index);

    HostSession* session_;
    VmDetailsPage* details_;
};
