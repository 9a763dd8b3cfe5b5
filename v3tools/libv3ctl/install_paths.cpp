#include "install_paths.h"

#include <cstdlib>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef PALACIOS_VERSION
#error "PALACIOS_VERSION must be set from the VERSION file (common.pri)"
#endif

namespace v3ctl {

namespace {

bool isDirectory(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

} // namespace

std::string executableDir() {
    char path[PATH_MAX];
    ssize_t n = ::readlink("/proc/self/exe", path, sizeof path - 1);
    if (n <= 0)
        return {};
    std::string exe(path, static_cast<size_t>(n));
    auto slash = exe.rfind('/');
    return slash == std::string::npos ? std::string{} : exe.substr(0, slash);
}

std::string dataDir() {
    if (const char* dir = std::getenv("PALACIOS_DATADIR"); dir && *dir)
        return dir;
    const std::string exeDir = executableDir();
    if (exeDir.empty())
        return {};
    for (const char* relative : {"/../share/palacios", "/../../share/palacios"}) {
        std::string candidate = exeDir + relative;
        if (isDirectory(candidate))
            return candidate;
    }
    return {};
}

const char* palaciosVersion() {
    return PALACIOS_VERSION;
}

std::string versionText(const std::string& program) {
    return program + " (Palacios) " + PALACIOS_VERSION +
           "\nLicense GPL-2.0-only: GNU GPL version 2 <https://www.gnu.org/licenses/gpl-2.0.html>\n"
           "This is free software: you are free to change and redistribute it.\n"
           "There is NO WARRANTY, to the extent permitted by law.\n";
}

} // namespace v3ctl
