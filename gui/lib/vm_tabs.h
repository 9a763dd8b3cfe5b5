// The window's centre: a tab widget whose first, fixed tab is the details
// page (the selected VM's, or the host's), followed by one tab per open
// console (a stream's terminal or the text screen). Opening a VM's console
// reads its config on a worker to find what it has; with more than one
// console the user is asked which (or the choice remembered for the VM is
// taken); a console already open is brought to the front instead of opened
// twice.
#pragma once

#include "console_choice.h"
#include "vm_entry.h"

#include <QList>
#include <QTabWidget>

#include <functional>
#include <optional>

class HostSession;
class StreamConsoleTab;
class TextConsoleTab;
class VmDetailsPage;

class VmTabs : public QTabWidget {
    Q_OBJECT
public:
    // Consoles reach their streams through session (not owned).
    explicit VmTabs(HostSession* session, QWidget* parent = nullptr);

    // Asks which console to open: calls chosen (on the UI thread, now or
    // later) unless the user declines. The default shows a window-modal
    // ConsoleChoiceDialog; tests hand in their own.
    using Chooser = std::function<void(const VmEntry& vm, const QList<ConsoleOption>& options,
                                       const std::optional<ConsoleOption>& preselected,
                                       std::function<void(const ConsoleChoice&)> chosen)>;
    // Start opens the remembered console without asking; Open Console asks
    // whenever there is a choice (offering the remembered one first).
    enum class Ask { UnlessRemembered, Always };

    VmDetailsPage* detailsPage() const { return details_; }
    QList<StreamConsoleTab*> consoleTabs() const;
    QList<TextConsoleTab*> textConsoleTabs() const;
    void setConsoleChooser(Chooser chooser) { chooser_ = std::move(chooser); }

    // Opens (or shows) the console of vm's stream.
    void openConsole(const VmEntry& vm, const QString& stream);
    // Opens (or shows) vm's text console.
    void openTextConsole(const VmEntry& vm);
    void openOption(const VmEntry& vm, const ConsoleOption& option);
    // Opens the console vm's config offers, asking when it offers several
    // (com1 when the config is unknown).
    void openConsolesOf(const VmEntry& vm, Ask ask = Ask::UnlessRemembered);
    // Tells the consoles of the VM called name its new status.
    void setVmStatus(const QString& name, VmStatus status);
    // Closes every console of the VM called name (it was deleted).
    void closeConsolesOf(const QString& name);

signals:
    // Something worth telling the user (error: shown as an error).
    void report(const QString& vm, const QString& message, bool error);

private:
    void closeConsoleTab(int index);
    void chooseAmong(const VmEntry& vm, const QList<ConsoleOption>& options, Ask ask);
    void askWithDialog(const VmEntry& vm, const QList<ConsoleOption>& options,
                       const std::optional<ConsoleOption>& preselected,
                       std::function<void(const ConsoleChoice&)> chosen);

    HostSession* session_;
    VmDetailsPage* details_;
    Chooser chooser_;
};
