#include "file_io.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace build_vm {

namespace {

std::string reason(const char* action, const std::string& path, int error_number) {
    return std::string("cannot ") + action + " '" + path + "': " + std::strerror(error_number);
}

} // namespace

bool read_file(const std::string& path, std::vector<std::uint8_t>& contents, std::string& error) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        error = reason("read", path, errno);
        return false;
    }
    struct stat info {};
    if (::fstat(fd, &info) != 0) {
        error = reason("read", path, errno);
        ::close(fd);
        return false;
    }
    if (S_ISDIR(info.st_mode)) {
        error = reason("read", path, EISDIR);
        ::close(fd);
        return false;
    }
    contents.clear();
    if (info.st_size > 0)
        contents.reserve(std::size_t(info.st_size));
    std::uint8_t chunk[65536];
    for (;;) {
        ssize_t n = ::read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            error = reason("read", path, errno);
            ::close(fd);
            return false;
        }
        if (n == 0)
            break;
        contents.insert(contents.end(), chunk, chunk + n);
    }
    ::close(fd);
    return true;
}

bool write_file_atomically(const std::string& path, const std::vector<std::uint8_t>& contents,
                           std::string& error) {
    std::string temporary = path + ".tmp.XXXXXX";
    int fd = ::mkstemp(temporary.data());
    if (fd < 0) {
        error = reason("create a temporary file for", path, errno);
        return false;
    }
    auto give_up = [&](int error_number) {
        ::close(fd);
        ::unlink(temporary.c_str());
        error = reason("write", path, error_number);
        return false;
    };
    // mkstemp creates 0600; an image is an ordinary file.
    mode_t mask = ::umask(0);
    ::umask(mask);
    if (::fchmod(fd, 0666 & ~mask) != 0)
        return give_up(errno);
    std::size_t written = 0;
    while (written < contents.size()) {
        ssize_t n = ::write(fd, contents.data() + written, contents.size() - written);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return give_up(errno);
        written += std::size_t(n);
    }
    if (::fsync(fd) != 0)
        return give_up(errno);
    if (::close(fd) != 0) {
        int error_number = errno;
        ::unlink(temporary.c_str());
        error = reason("write", path, error_number);
        return false;
    }
    if (::rename(temporary.c_str(), path.c_str()) != 0) {
        int error_number = errno;
        ::unlink(temporary.c_str());
        error = reason("write", path, error_number);
        return false;
    }
    return true;
}

std::string resolve_beside(const std::string& base_file, const std::string& relative) {
    if (!relative.empty() && relative[0] == '/')
        return relative;
    std::string::size_type slash = base_file.rfind('/');
    if (slash == std::string::npos)
        return relative;
    return base_file.substr(0, slash + 1) + relative;
}

} // namespace build_vm
