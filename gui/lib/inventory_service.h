// The window's one way to the inventory: every read and write of the
// inventory database in gui/ goes through the InventoryService the main
// window owns; nothing else opens the database.
//
// The service holds one connection (an Inventory is one SQLite connection:
// one thread at a time), opened on first use and guarded by a mutex. Its
// work never runs on the UI thread: run() takes work to the service's own
// worker and reports back on the caller's thread; use() is for code already
// on a worker (the session's host worker does a host call and the inventory
// write that follows it as one job) and refuses to run on the UI thread.
#pragma once

#include "inventory.h"

#include <QCoreApplication>
#include <QFutureWatcher>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QThread>
#include <QThreadPool>
#include <QtConcurrent/QtConcurrentRun>

#include <cerrno>
#include <memory>
#include <mutex>
#include <optional>
#include <type_traits>

class InventoryService : public QObject {
    Q_OBJECT
public:
    explicit InventoryService(QString databasePath, QObject* parent = nullptr);
    ~InventoryService() override;

    QString databasePath() const { return databasePath_; }
    // Where the New VM wizard puts the files of a VM it composes:
    // <folder of the database>/vms/NAME.
    QString vmFolder(const QString& name) const;

    // Runs work(inventory) on the calling worker thread with the service's
    // connection. The outer Result fails when the inventory cannot be opened
    // (or when called on the UI thread); otherwise it holds work's result.
    template <typename Work>
    auto use(Work work) -> v3ctl::Result<std::invoke_result_t<Work, inventory::Inventory&>> {
        if (onUiThread())
            return v3ctl::Error{EDEADLK, "the inventory is not used on the UI thread (a bug)"};
        std::lock_guard lock(mutex_);
        if (!inventory_) {
            auto opened = inventory::Inventory::open(databasePath_.toStdString());
            if (!opened)
                return opened.error();
            inventory_.emplace(std::move(opened.value()));
        }
        return work(*inventory_);
    }

    // Runs work(inventory) through use() on the service's worker and hands
    // its Result to done(result) on context's thread, unless context is gone
    // by then.
    template <typename Work, typename Done> void run(QObject* context, Work work, Done done) {
        using R = decltype(use(work));
        auto* watcher = new QFutureWatcher<std::shared_ptr<R>>(this);
        QPointer<QObject> guard(context);
        connect(watcher, &QFutureWatcherBase::finished, this, [watcher, guard, done]() {
            watcher->deleteLater();
            if (guard)
                done(*watcher->result());
        });
        watcher->setFuture(
            QtConcurrent::run(&pool_, [this, work]() { return std::make_shared<R>(use(work)); }));
    }

    // The usual writes, each one Result whether opening or the write failed.
    v3ctl::Result<inventory::VmRecord> add(const inventory::NewVm& vm);
    v3ctl::Result<inventory::VmRecord> activate(const QString& name, const std::string& deviceFile);
    v3ctl::Result<inventory::VmRecord> setState(const QString& name, inventory::VmState state,
                                                const std::string& reason = {});
    v3ctl::Result<v3ctl::Ok> remove(const QString& name);

private:
    static bool onUiThread();

    QString databasePath_;
    std::mutex mutex_;
    std::optional<inventory::Inventory> inventory_;
    QThreadPool pool_;
};
