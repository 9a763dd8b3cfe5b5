#include "legacy_import.h"

#include "text_lines.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unordered_map>

namespace inventory {

namespace {

constexpr int kFieldCount = 5; // name,config,devfile,state,image

std::vector<std::string_view> split_commas(std::string_view line) {
    std::vector<std::string_view> fields;
    size_t start = 0;
    while (true) {
        const size_t comma = line.find(',', start);
        fields.push_back(trim_blanks(line.substr(start, comma - start)));
        if (comma == std::string_view::npos)
            return fields;
        start = comma + 1;
    }
}

std::optional<VmState> legacy_state(std::string_view field) {
    if (field == "0")
        return VmState::Stopped;
    if (field == "1")
        return VmState::Paused;
    if (field == "2")
        return VmState::Running;
    return std::nullopt;
}

} // namespace

LegacyList parse_legacy_list(std::string_view text) {
    LegacyList list;
    std::unordered_map<std::string, int> first_line_of;
    for_each_line(text, [&](int number, std::string_view line) {
        auto report = [&](std::string reason) {
            list.problems.push_back({number, std::string(line), std::move(reason)});
        };
        if (trim_blanks(line).empty())
            return;
        const auto fields = split_commas(line);
        if (int(fields.size()) != kFieldCount)
            return report("expected 5 comma-separated fields (name,config,devfile,state,image), "
                          "found " +
                          std::to_string(fields.size()));
        LegacyVm vm;
        vm.line = number;
        vm.text = std::string(line);
        vm.name = std::string(fields[0]);
        vm.config_path = std::string(fields[1]);
        vm.image_path = std::string(fields[4]);
        if (auto problem = name_problem(vm.name))
            return report(*problem);
        auto state = legacy_state(fields[3]);
        if (!state)
            return report("state '" + std::string(fields[3]) +
                          "' is not 0 (stopped), 1 (paused) or 2 (running)");
        vm.state = *state;
        const std::string device_file(fields[2]);
        if (device_file.empty() || device_file.front() == '/')
            vm.device_file = device_file;
        else if (device_file.find('/') == std::string::npos)
            vm.device_file = "/dev/" + device_file; // a bare device name lives in /dev
        else
            return report("device file '" + device_file +
                          "' is neither absolute nor a name in /dev");
        if (vm.image_path.empty())
            return report("the image path is empty");
        auto [seen, inserted] = first_line_of.emplace(vm.name, number);
        if (!inserted)
            return report("VM '" + vm.name + "' is already listed on line " +
                          std::to_string(seen->second));
        list.vms.push_back(std::move(vm));
    });
    return list;
}

v3ctl::Result<LegacyImportReport> import_legacy_text(Inventory& inventory, std::string_view text,
                                                     const std::string& origin,
                                                     const LegacyImportOptions& options) {
    LegacyList list = parse_legacy_list(text);
    std::vector<NewVm> additions;
    additions.reserve(list.vms.size());
    for (const LegacyVm& legacy : list.vms) {
        NewVm vm;
        vm.name = legacy.name;
        vm.host = options.host;
        vm.config_path = legacy.config_path;
        vm.image_path = legacy.image_path;
        vm.base_dir = options.base_dir;
        vm.history_message = "imported from " + origin + " line " + std::to_string(legacy.line);
        if (legacy.device_file.empty()) {
            // Without its device file the VM cannot be reached: start it over.
            vm.state = VmState::Inactive;
            vm.state_reason =
                "imported as " + std::string(state_name(legacy.state)) + " without a device file";
        } else {
            vm.state = legacy.state;
            vm.device_file = legacy.device_file;
        }
        additions.push_back(std::move(vm));
    }

    std::vector<Result<VmRecord>> outcomes = TRY(inventory.add_all(additions));
    LegacyImportReport report;
    report.problems = std::move(list.problems);
    for (size_t i = 0; i < list.vms.size(); ++i) {
        auto& outcome = outcomes[i];
        if (outcome) {
            report.imported.push_back(list.vms[i].name);
            continue;
        }
        report.problems.push_back({list.vms[i].line, list.vms[i].text, outcome.error().message});
    }
    std::stable_sort(report.problems.begin(), report.problems.end(),
                     [](const auto& a, const auto& b) { return a.line < b.line; });
    return report;
}

v3ctl::Result<LegacyImportReport> import_legacy_list(Inventory& inventory, const std::string& path,
                                                     const LegacyImportOptions& options) {
    namespace fs = std::filesystem;
    std::ifstream file(path, std::ios::binary);
    if (!file) {
        const int errnum = errno ? errno : EIO;
        return v3ctl::Error{errnum,
                            "cannot read the VM list " + path + ": " + std::strerror(errnum)};
    }
    std::ostringstream contents;
    contents << file.rdbuf();
    if (file.bad())
        return v3ctl::Error{EIO, "cannot read the VM list " + path + ": read error"};

    LegacyImportOptions resolved = options;
    std::error_code ignored;
    const fs::path absolute_list = fs::absolute(path, ignored).lexically_normal();
    if (resolved.base_dir.empty())
        resolved.base_dir = absolute_list.parent_path().string();
    return import_legacy_text(inventory, contents.str(), absolute_list.string(), resolved);
}

} // namespace inventory
