#include "proc_guests.h"

#include "text_lines.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <unordered_map>

namespace inventory {

namespace {

std::vector<std::string_view> split_fields(std::string_view line) {
    std::vector<std::string_view> fields;
    size_t at = 0;
    while (true) {
        at = line.find_first_not_of(" \t", at);
        if (at == std::string_view::npos)
            return fields;
        size_t end = line.find_first_of(" \t", at);
        if (end == std::string_view::npos)
            end = line.size();
        fields.push_back(line.substr(at, end - at));
        at = end;
    }
}

bool has_control_character(std::string_view text) {
    for (unsigned char c : text)
        if (c < 0x20 || c == 0x7f)
            return true;
    return false;
}

} // namespace

ProcGuestList parse_proc_guests(std::string_view text) {
    ProcGuestList list;
    std::unordered_map<std::string, int> first_line_of;
    for_each_line(text, [&](int number, std::string_view line) {
        auto report = [&](std::string reason) {
            list.problems.push_back({number, std::string(line), std::move(reason)});
        };
        const auto fields = split_fields(line);
        if (fields.empty())
            return report("blank line");
        if (fields.size() < 2)
            return report("only one field; expected \"NAME /dev/v3-vmN\"");
        const std::string_view name = fields[0];
        const std::string_view device_file = fields[1];
        if (has_control_character(name) || has_control_character(device_file))
            return report("contains a control character");
        if (device_file.front() != '/')
            return report("the second field '" + std::string(device_file) +
                          "' is not a device file path; expected \"NAME /dev/v3-vmN\"");
        auto [seen, inserted] = first_line_of.emplace(std::string(name), number);
        if (!inserted)
            return report("VM '" + std::string(name) + "' is already listed on line " +
                          std::to_string(seen->second));
        list.guests.push_back({std::string(name), std::string(device_file), number});
    });
    return list;
}

v3ctl::Result<ProcGuestList> read_proc_guests(const std::string& path) {
    std::ifstream file(path, std::ios::binary);
    if (!file) {
        const int errnum = errno ? errno : EIO;
        std::string message = "cannot read " + path + ": " + std::strerror(errnum);
        if (errnum == ENOENT)
            message += " (is the v3vee module loaded?)";
        return v3ctl::Error{errnum, message};
    }
    std::ostringstream contents;
    contents << file.rdbuf();
    if (file.bad())
        return v3ctl::Error{EIO, "cannot read " + path + ": read error"};
    return parse_proc_guests(contents.str());
}

} // namespace inventory
