#include "vm_tabs.h"
#include "icon_factory.h"
#include "stream_console_tab.h"
#include "terminal_widget.h"
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
}

QList<StreamConsoleTab*> VmTabs::consoleTabs() const {
    QList<StreamConsoleTab*> tabs;
    for (int i = 0; i < count(); ++i)
        if (auto* tab = qobject_cast<StreamConsoleTab*>(widget(i)))
            tabs << tab;
    return tabs;
}

void VmTabs::openConsolesOf(const VmEntry& vm) {
    if (vm.configPath.isEmpty()) {
        openConsole(vm, "com1"); // the usual stream; a wrong guess says so in the tab
        return;
    }
    const QString path = vm.configPath;
    auto* watcher = new QFutureWatcher<VmConfigSummary>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, vm]() {
        watcher->deleteLater();
        const VmConfigSummary config = watcher->result();
        if (config.streams.isEmpty()) {
            emit report(
                vm.name,
                tr("%1's config has no CHAR_STREAM device: no stream console to open").arg(vm.name),
                false);
            return;
        }
        for (const QString& stream : config.streams)
            openConsole(vm, stream);
    });
    watcher->setFuture(QtConcurrent::run([path]() { return VmConfigSummary::read(path); }));
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
