#include "local_host.h"

#include <uapi/v3vee.h>

#include <cerrno>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

namespace v3ctl {

namespace {

// Closes the descriptor on every path.
class Fd {
public:
    explicit Fd(int fd) : fd_(fd) {}
    ~Fd() {
        if (fd_ >= 0)
            ::close(fd_);
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int get() const { return fd_; }

private:
    int fd_;
};

std::string openHint(int errnum) {
    switch (errnum) {
    case ENOENT:
        return "is v3vee.ko loaded? try 'insmod v3vee.ko', or use --host sandbox";
    case EACCES:
    case EPERM:
        return "the device is root-only (mode 0600); run as root";
    default:
        return {};
    }
}

} // namespace

LocalHost::LocalHost(std::string controlDevice) : controlDevice_(std::move(controlDevice)) {}

bool LocalHost::available(const std::string& controlDevice) {
    return ::access(controlDevice.c_str(), F_OK) == 0;
}

Result<HostInfo> LocalHost::hostInfo() {
    Fd fd(::open(controlDevice_.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) {
        int e = errno;
        return errnoError(e, "cannot open " + controlDevice_, openHint(e));
    }
    v3_host_info raw{};
    if (::ioctl(fd.get(), V3_HOST_INFO, &raw) != 0)
        return errnoError(errno, "V3_HOST_INFO on " + controlDevice_ + " failed");
    if (raw.abi_version != V3_ABI_VERSION)
        return Error{EPROTO, "the loaded v3vee module speaks ABI " +
                                 std::to_string(raw.abi_version) + " but this program speaks ABI " +
                                 std::to_string(V3_ABI_VERSION) +
                                 "; load the module built with these tools"};
    return HostInfo::fromAbi(raw);
}

} // namespace v3ctl
