#include "vm_tabs.h"
#include "cga_screen_widget.h"
#include "console_choice_dialog.h"
#include "host_session.h"
#include "icon_factory.h"
#include "stream_console_tab.h"
#include "terminal_widget.h"
#include "text_console_tab.h"
#include "vm_action_policy.h"
#include "vm_config_summary.h"
#include "vm_details_page.h"

#include <QFutureWatcher>
#include <QTabBar>
#include <QtConcurrent/QtConcurrentRun>

VmTabs::VmTabs(HostSession* session, QWidget* parent)
    : QTabWidget(parent), session_(session), details_(new VmDetailsPage) {
    setObjectName("centralTabs");
    setDocumentMode(true);
    setTabsClosable(true);
    addTab(details_, tr("Details"));
    // The details tab is fixed: no close button.
    tabBar()->setTabButton(0, QTabBar::RightSide, nullptr);
    tabBar()->setTabButton(0, QTabBar::LeftSide, nullptr);
    connect(this, &QTabWidget::tabCloseRequested, this, &VmTabs::closeConsoleTab);
    chooser_ = [this](const VmEntry& vm, const QList<ConsoleOption>& options,
                      const std::optional<ConsoleOption>& preselected,
                      std::function<void(const ConsoleChoice&)> chosen) {
        askWithDialog(vm, options, preselected, std::move(chosen));
    };
}

QList<StreamConsoleTab*> VmTabs::consoleTabs() const {
    QList<StreamConsoleTab*> tabs;
    for (int i = 0; i < count(); ++i)
        if (auto* tab = qobject_cast<StreamConsoleTab*>(widget(i)))
            tabs << tab;
    return tabs;
}

QList<TextConsoleTab*> VmTabs::textConsoleTabs() const {
    QList<TextConsoleTab*> tabs;
    for (int i = 0; i < count(); ++i)
        if (auto* tab = qobject_cast<TextConsoleTab*>(widget(i)))
            tabs << tab;
    return tabs;
}

void VmTabs::openConsolesOf(const VmEntry& vm, Ask ask) {
    if (vm.configPath.isEmpty()) {
        openConsole(vm, "com1"); // the usual stream; a wrong guess says so in the tab
        return;
    }
    const QString path = vm.configPath;
    auto* watcher = new QFutureWatcher<VmConfigSummary>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, vm, ask]() {
        watcher->deleteLater();
        const QList<ConsoleOption> options = consolechoice::optionsFor(watcher->result());
        if (options.isEmpty()) {
            emit report(vm.name,
                        tr("%1's config has no CHAR_STREAM or CGA_VIDEO device: no console to "
                           "open")
                            .arg(vm.name),
                        false);
            return;
        }
        chooseAmong(vm, options, ask);
    });
    watcher->setFuture(QtConcurrent::run([path]() { return VmConfigSummary::read(path); }));
}

void VmTabs::chooseAmong(const VmEntry& vm, const QList<ConsoleOption>& options, Ask ask) {
    if (options.size() == 1) { // nothing to choose
        openOption(vm, options.first());
        return;
    }
    const QString host = session_ ? session_->hostKey() : QString();
    const std::optional<ConsoleOption> kept = consolechoice::remembered(host, vm, options);
    if (kept && ask == Ask::UnlessRemembered) {
        openOption(vm, *kept);
        return;
    }
    chooser_(vm, options, kept, [this, vm, host](const ConsoleChoice& choice) {
        if (choice.remember)
            consolechoice::remember(host, vm, choice.option);
        else
            consolechoice::forget(host, vm);
        openOption(vm, choice.option);
    });
}

void VmTabs::askWithDialog(const VmEntry& vm, const QList<ConsoleOption>& options,
                           const std::optional<ConsoleOption>& preselected,
                           std::function<void(const ConsoleChoice&)> chosen) {
    auto* dialog = new ConsoleChoiceDialog(vm.name, options, preselected, window());
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this,
            [dialog, chosen = std::move(chosen)]() { chosen(dialog->choice()); });
    dialog->open(); // window-modal; the event loop keeps running
}

void VmTabs::openOption(const VmEntry& vm, const ConsoleOption& option) {
    if (option.kind == ConsoleOption::Kind::Text)
        openTextConsole(vm);
    else
        openConsole(vm, option.stream);
}

void VmTabs::openTextConsole(const VmEntry& vm) {
    for (TextConsoleTab* tab : textConsoleTabs()) {
        if (tab->vmName() == vm.name && tab->isOpen()) {
            setCurrentWidget(tab);
            return;
        }
    }
    auto* tab = new TextConsoleTab(session_, vm);
    connect(tab, &TextConsoleTab::failed, this, [this, vm](const QString& message) {
        emit report(vm.name, tr("Opening the text console of %1 failed: %2").arg(vm.name, message),
                    true);
    });
    const int index =
        addTab(tab, IconFactory::forAction(VmAction::OpenConsole), tr("%1: screen").arg(vm.name));
    setCurrentIndex(index);
    tab->screen()->setFocus();
}

void VmTabs::openConsole(const VmEntry& vm, const QString& stream) {
    for (StreamConsoleTab* tab : consoleTabs()) {
        if (tab->vmName() != vm.name || tab->streamName() != stream)
            continue;
        if (tab->isOpen()) {
            setCurrentWidget(tab);
            return;
        }
        closeConsoleTab(indexOf(tab)); // its stream ended (a stop): the new tab replaces it
    }
    auto* tab = new StreamConsoleTab(session_, vm, stream);
    connect(tab, &StreamConsoleTab::failed, this, [this, vm, stream](const QString& message) {
        emit report(vm.name,
                    tr("Opening the stream %1 of %2 failed: %3").arg(stream, vm.name, message),
                    true);
    });
    const int index = addTab(tab, IconFactory::forAction(VmAction::OpenConsole),
                             QString("%1: %2").arg(vm.name, stream));
    setCurrentIndex(index);
    tab->terminal()->setFocus();
}

void VmTabs::setVmStatus(const QString& name, VmStatus status) {
    for (StreamConsoleTab* tab : consoleTabs())
        if (tab->vmName() == name)
            tab->setVmStatus(status);
    for (TextConsoleTab* tab : textConsoleTabs())
        if (tab->vmName() == name)
            tab->setVmStatus(status);
}

void VmTabs::closeConsolesOf(const QString& name) {
    for (StreamConsoleTab* tab : consoleTabs())
        if (tab->vmName() == name)
            closeConsoleTab(indexOf(tab));
}

void VmTabs::closeConsoleTab(int index) {
    if (index <= 0) // the details tab stays
        return;
    QWidget* page = widget(index);
    removeTab(index);
    page->deleteLater();
}
