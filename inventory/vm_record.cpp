#include "vm_record.h"

#include <cerrno>
#include <filesystem>

namespace inventory {

std::optional<std::string> name_problem(const std::string& name) {
    if (name.empty())
        return std::string("a VM name cannot be empty");
    if (name.size() > kMaxNameBytes)
        return "VM name '" + name.substr(0, 32) + "...' is " + std::to_string(name.size()) +
               " bytes long; the most is " + std::to_string(kMaxNameBytes);
    for (unsigned char c : name) {
        if (c == ' ' || c == '\t')
            return "VM name '" + name +
                   "' contains white space, which the host's list of guests cannot show";
        if (c < 0x20 || c == 0x7f)
            return "VM name '" + name + "' contains a control character";
    }
    return std::nullopt;
}

v3ctl::Result<std::string> absolute_path(const std::string& path, const std::string& base_dir,
                                         const char* what) {
    namespace fs = std::filesystem;
    if (path.empty() || fs::path(path).is_absolute())
        return path;
    if (base_dir.empty())
        return v3ctl::Error{EINVAL, std::string(what) + " '" + path +
                                        "' is relative and no base directory was given to "
                                        "resolve it against"};
    if (!fs::path(base_dir).is_absolute())
        return v3ctl::Error{EINVAL, std::string(what) + " '" + path +
                                        "' is relative and the base directory '" + base_dir +
                                        "' is not absolute"};
    return (fs::path(base_dir) / path).lexically_normal().string();
}

} // namespace inventory
