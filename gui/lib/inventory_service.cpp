#include "inventory_service.h"

#include <QFileInfo>

namespace {

// One Result out of use()'s two: the open's error, or the write's outcome.
template <typename T> v3ctl::Result<T> flatten(v3ctl::Result<v3ctl::Result<T>> nested) {
    if (!nested)
        return nested.error();
    return std::move(nested.value());
}

} // namespace

InventoryService::InventoryService(QString databasePath, QObject* parent)
    : QObject(parent), databasePath_(std::move(databasePath)) {
    pool_.setMaxThreadCount(1); // the one connection serves one thread at a time anyway
}

InventoryService::~InventoryService() {
    pool_.waitForDone();
}

QString InventoryService::vmFolder(const QString& name) const {
    return QFileInfo(databasePath_).absolutePath() + "/vms/" + name;
}

bool InventoryService::onUiThread() {
    const QCoreApplication* app = QCoreApplication::instance();
    return app && QThread::currentThread() == app->thread();
}

v3ctl::Result<inventory::VmRecord> InventoryService::add(const inventory::NewVm& vm) {
    return flatten(use([&](inventory::Inventory& inv) { return inv.add(vm); }));
}

v3ctl::Result<inventory::VmRecord> InventoryService::activate(const QString& name,
                                                              const std::string& deviceFile) {
    return flatten(use(
        [&](inventory::Inventory& inv) { return inv.activate(name.toStdString(), deviceFile); }));
}

v3ctl::Result<inventory::VmRecord> InventoryService::setState(const QString& name,
                                                              inventory::VmState state,
                                                              const std::string& reason) {
    return flatten(use([&](inventory::Inventory& inv) {
        return inv.set_state(name.toStdString(), state, reason);
    }));
}

v3ctl::Result<v3ctl::Ok> InventoryService::remove(const QString& name) {
    return flatten(use([&](inventory::Inventory& inv) { return inv.remove(name.toStdString()); }));
}
