// Times reconciliation at scale: an inventory of 10,000 VMs (in a temporary
// database) against a host list of 1,000 guests, and what the GUI does
// around it (read the inventory, parse the list). Prints the median of
// several runs; never fails on speed.
//
//   bench_reconcile [ENTRIES [PROC_LINES [RUNS]]]
#include "inventory.h"
#include "guest_ops.h"
#include "reconcile.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

using namespace inventory;

namespace {

struct Shape {
    long entries = 10000;
    long proc_lines = 1000;
    int runs = 25;
};

// Of the proc lines, 90% name inventory VMs (recorded as running there) and
// 10% are VMs the inventory does not know; another 5% of the inventory is
// recorded as running but missing from the list (stale); the rest is inactive.
struct Layout {
    long matched, orphans, stale;
};

Layout layout_for(const Shape& shape) {
    const long matched = std::min(shape.entries, shape.proc_lines * 9 / 10);
    const long stale = std::min(shape.entries - matched, shape.entries / 20);
    return {matched, shape.proc_lines - matched, stale};
}

std::string vm_name(long i) {
    char name[32];
    std::snprintf(name, sizeof name, "vm-%05ld", i);
    return name;
}

bool fill_inventory(Inventory& inv, const Shape& shape, const Layout& layout) {
    std::vector<NewVm> vms;
    vms.reserve(size_t(shape.entries));
    for (long i = 0; i < shape.entries; ++i) {
        NewVm vm;
        vm.name = vm_name(i);
        vm.config_path = "/srv/vms/" + vm.name + ".xml";
        vm.image_path = "/srv/vms/" + vm.name + ".img";
        if (i < layout.matched + layout.stale) {
            vm.state = VmState::Running;
            vm.device_file = "/dev/v3-vm" + std::to_string(i);
        }
        vms.push_back(std::move(vm));
    }
    auto outcomes = inv.add_all(vms);
    if (!outcomes) {
        std::fprintf(stderr, "bench_reconcile: %s\n", outcomes.error().message.c_str());
        return false;
    }
    for (const auto& outcome : outcomes.value())
        if (!outcome) {
            std::fprintf(stderr, "bench_reconcile: %s\n", outcome.error().message.c_str());
            return false;
        }
    return true;
}

// Tab- and space-separated, some with an extra field, as a module might print.
std::string proc_text(const Layout& layout) {
    std::string text;
    for (long i = 0; i < layout.matched; ++i)
        text += vm_name(i) + (i % 2 ? "\t" : " ") + "/dev/v3-vm" + std::to_string(i) +
                (i % 3 ? "\n" : " running\n");
    for (long i = 0; i < layout.orphans; ++i)
        text += "orphan-" + std::to_string(i) + " /dev/v3-vm" +
                std::to_string(layout.matched + layout.stale + i) + "\n";
    return text;
}

double median_ms(int runs, const std::function<void()>& work) {
    std::vector<double> times;
    for (int run = 0; run < runs; ++run) {
        const auto start = std::chrono::steady_clock::now();
        work();
        const auto end = std::chrono::steady_clock::now();
        times.push_back(std::chrono::duration<double, std::milli>(end - start).count());
    }
    std::sort(times.begin(), times.end());
    return times[times.size() / 2];
}

} // namespace

int main(int argc, char** argv) {
    Shape shape;
    if (argc > 1)
        shape.entries = std::atol(argv[1]);
    if (argc > 2)
        shape.proc_lines = std::atol(argv[2]);
    if (argc > 3)
        shape.runs = std::atoi(argv[3]);
    if (argc > 4 || shape.entries < 1 || shape.proc_lines < 1 || shape.runs < 1) {
        std::fprintf(stderr, "usage: bench_reconcile [ENTRIES [PROC_LINES [RUNS]]] (all >= 1)\n");
        return 2;
    }
    const Layout layout = layout_for(shape);

    std::string dir_template =
        (std::filesystem::temp_directory_path() / "bench_reconcile.XXXXXX").string();
    if (!mkdtemp(dir_template.data())) {
        std::perror("bench_reconcile: cannot create a temporary directory");
        return 1;
    }
    const std::filesystem::path dir = dir_template;
    int status = 1;
    {
        auto opened = Inventory::open((dir / "inventory.db").string());
        if (!opened) {
            std::fprintf(stderr, "bench_reconcile: %s\n", opened.error().message.c_str());
        } else if (fill_inventory(opened.value(), shape, layout)) {
            Inventory& inv = opened.value();
            const std::string text = proc_text(layout);
            const std::vector<VmRecord> entries = inv.list(kLocalHost).value();
            const std::vector<v3ctl::GuestEntry> guests = v3ctl::parseGuestList(text).guests;

            Reconciliation groups;
            const double reconcile_ms =
                median_ms(shape.runs, [&] { groups = reconcile(guests, entries); });
            // Moving the entries in (the copy to move from is made untimed).
            std::vector<double> moved_times;
            for (int run = 0; run < shape.runs; ++run) {
                std::vector<VmRecord> copy = entries;
                const auto start = std::chrono::steady_clock::now();
                Reconciliation moved = reconcile(guests, std::move(copy));
                const auto end = std::chrono::steady_clock::now();
                moved_times.push_back(
                    std::chrono::duration<double, std::milli>(end - start).count());
            }
            std::sort(moved_times.begin(), moved_times.end());
            const double reconcile_moved_ms = moved_times[moved_times.size() / 2];
            const double parse_ms =
                median_ms(shape.runs, [&] { (void)v3ctl::parseGuestList(text); });
            const double list_ms = median_ms(shape.runs, [&] { (void)inv.list(kLocalHost); });
            const double total_ms = median_ms(shape.runs, [&] {
                auto listed = inv.list(kLocalHost);
                (void)reconcile(v3ctl::parseGuestList(text).guests, std::move(listed.value()));
            });

            std::printf("bench_reconcile: %zu inventory entries, %zu proc lines, median of %d "
                        "runs\n",
                        entries.size(), guests.size(), shape.runs);
            std::printf("  groups: active %zu, inactive %zu, not in inventory %zu, stale %zu\n",
                        groups.active.size(), groups.inactive.size(),
                        groups.not_in_inventory.size(), groups.stale.size());
            std::printf("  reconcile(), entries copied  %9.3f ms\n", reconcile_ms);
            std::printf("  reconcile(), entries moved   %9.3f ms\n", reconcile_moved_ms);
            std::printf("  parse the /proc text         %9.3f ms\n", parse_ms);
            std::printf("  Inventory::list(host)        %9.3f ms\n", list_ms);
            std::printf("  list + parse + reconcile     %9.3f ms\n", total_ms);
            status = 0;
        }
    }
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
    return status;
}
