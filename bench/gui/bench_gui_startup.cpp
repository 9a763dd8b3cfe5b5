// Times the Palacios window's start: from QApplication's construction to a
// shown window whose inventory model holds every VM of a 1,000-entry
// inventory, with the event loop responsive (a zero-timer fires). Each run
// is a fresh process (one QApplication per process), so the figure includes
// what a user waits for: Qt's start, the window, reading the inventory.
//
// Two host cases: "unavailable" (a host that refuses at once, so the host is
// no part of the figure) and "local" (the real local connection; where
// /dev/v3vee is absent it fails fast too). Prints the median of the runs;
// never fails on speed.
//
//   bench_gui_startup [ENTRIES [RUNS]]
#include "host_session.h"
#include "inventory.h"
#include "inventory_model.h"
#include "main_window.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTimer>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <vector>

namespace {

bool fillInventory(const QString& path, int entries) {
    auto inv = inventory::Inventory::open(path.toStdString());
    if (!inv) {
        std::fprintf(stderr, "bench_gui_startup: %s\n", inv.error().message.c_str());
        return false;
    }
    std::vector<inventory::NewVm> vms;
    for (int i = 0; i < entries; ++i) {
        inventory::NewVm vm;
        char name[32];
        std::snprintf(name, sizeof name, "vm-%04d", i);
        vm.name = name;
        vm.host = inventory::kLocalHost;
        vm.config_path = "/srv/vms/" + vm.name + ".xml";
        vm.image_path = "/srv/vms/" + vm.name + ".img";
        vms.push_back(std::move(vm));
    }
    auto added = inv.value().add_all(vms);
    if (!added) {
        std::fprintf(stderr, "bench_gui_startup: %s\n", added.error().message.c_str());
        return false;
    }
    return true;
}

int vmRows(InventoryModel* model) {
    int rows = 0;
    for (auto group : {VmGroup::Active, VmGroup::Inactive, VmGroup::NotInInventory})
        rows += model->rowCount(model->groupIndex(group));
    return rows;
}

// One measured start, in this process. Prints the milliseconds on stdout.
int child(int argc, char** argv, const QString& host, int entries) {
    QElapsedTimer clock;
    clock.start();
    QApplication app(argc, argv);
    QStandardPaths::setTestModeEnabled(true); // no saved layout from a real run
    HostSession::Opener opener;
    if (host == "unavailable")
        opener = [](const std::string&) -> v3ctl::Result<std::unique_ptr<v3ctl::HostConnection>> {
            return v3ctl::errnoError(ENODEV, "opening the benchmark's host");
        };
    HostSession session(nullptr, opener);
    MainWindow window(&session, host == "unavailable" ? "local" : host);
    window.show();
    qint64 readyMs = -1;
    QTimer check;
    check.setInterval(0);
    QObject::connect(&check, &QTimer::timeout, [&] {
        if (!window.isVisible() || window.reconcileCount() == 0 ||
            vmRows(window.inventoryModel()) < entries)
            return;
        check.stop();
        // Responsive: a zero-timer queued now still fires promptly.
        QTimer::singleShot(0, [&] {
            readyMs = clock.elapsed();
            app.quit();
        });
    });
    check.start();
    QTimer::singleShot(60000, &app, [&] { app.exit(1); });
    if (app.exec() != 0 || readyMs < 0) {
        std::fprintf(stderr,
                     "bench_gui_startup: the window did not show %d VMs within 60 s "
                     "(%d rows)\n",
                     entries, vmRows(window.inventoryModel()));
        return 1;
    }
    std::printf("%lld\n", readyMs);
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    if (argc >= 4 && QString(argv[1]) == "--child")
        return child(argc, argv, argv[2], QString(argv[3]).toInt());

    const int entries = argc > 1 ? std::atoi(argv[1]) : 1000;
    const int runs = argc > 2 ? std::atoi(argv[2]) : 5;
    QTemporaryDir dir;
    const QString db = dir.filePath("inventory.db");
    if (!dir.isValid() || !fillInventory(db, entries))
        return 1;
    qputenv("PALACIOS_INVENTORY", db.toLocal8Bit());
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");

    for (const char* host : {"unavailable", "local"}) {
        std::vector<double> inside, wall;
        for (int run = 0; run < runs; ++run) {
            QProcess p;
            QElapsedTimer clock;
            clock.start();
            p.start(argv[0], {"--child", host, QString::number(entries)});
            if (!p.waitForFinished(90000) || p.exitCode() != 0) {
                std::fprintf(stderr, "bench_gui_startup: run %d (%s) failed: %s\n", run, host,
                             p.readAllStandardError().constData());
                return 1;
            }
            wall.push_back(double(clock.elapsed()));
            inside.push_back(p.readAllStandardOutput().trimmed().toDouble());
        }
        std::sort(inside.begin(), inside.end());
        std::sort(wall.begin(), wall.end());
        std::printf("host %-11s %d VMs: QApplication to interactive window %.0f ms, "
                    "process launch to exit %.0f ms (median of %d; fastest %.0f, slowest %.0f)\n",
                    host, entries, inside[inside.size() / 2], wall[wall.size() / 2], runs,
                    inside.front(), inside.back());
    }
    return 0;
}
