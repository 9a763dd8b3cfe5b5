#include "local_host.h"

#include <uapi/v3vee.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sstream>
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

// Whether /proc/cpuinfo lists a flag (" svm" among the flags of a CPU).
bool cpuHasFlag(const std::string& flag) {
    std::ifstream cpuinfo("/proc/cpuinfo");
    std::string line;
    while (std::getline(cpuinfo, line)) {
        if (line.rfind("flags", 0) != 0)
            continue;
        std::istringstream words(line.substr(line.find(':') + 1));
        std::string word;
        while (words >> word)
            if (word == flag)
                return true;
        return false; // every CPU lists the same flags
    }
    return false;
}

std::string openHint(int errnum) {
    switch (errnum) {
    case ENOENT:
        // v3vee.ko refuses to load without SVM; say so rather than
        // suggesting an insmod that cannot work.
        if (!cpuHasFlag("svm"))
            return "v3vee.ko needs AMD SVM and this CPU has none (no 'svm' in /proc/cpuinfo), "
                   "so the module cannot load here; use --host sandbox, which emulates it";
        return "is v3vee.ko loaded? try 'sudo modprobe v3vee' (or insmod v3vee.ko), or use "
               "--host sandbox";
    case EACCES:
    case EPERM:
        return "this user may not use the module; join its group (sudo usermod -aG v3vee "
               "$USER, then log in again), or run as root";
    default:
        return {};
    }
}

std::string vmOpenHint(int errnum, int index) {
    if (errnum == ENOENT || errnum == ENODEV)
        return "no VM " + std::to_string(index) +
               " on this host; list them with "
               "'cat /proc/v3vee/v3-guests'";
    return openHint(errnum);
}

// The module refuses a VM operation with EPERM when the caller is neither
// the VM's creator nor an administrator (kmod/glue/access.c).
const char kNotYourVm[] = "only the user who created the VM, or root, may do this";

std::string stateHint(int errnum) {
    if (errnum == EPERM)
        return kNotYourVm;
    if (errnum == EINVAL)
        return "the VM is not in a state this applies to; see v3_info";
    if (errnum == EBUSY)
        return "the VM has already been launched";
    return {};
}

} // namespace

Error HostConnection::unsupported(const std::string& operation) const {
    return Error{ENOSYS, operation + " is not available over the '" + uri() +
                             "' connection yet; run the v3 tools inside the host instead"};
}

Result<uint64_t> HostConnection::addMemory(uint64_t) {
    return unsupported("adding memory");
}
Result<uint64_t> HostConnection::releaseMemory(uint64_t) {
    return unsupported("releasing memory");
}
Result<int> HostConnection::createGuest(const std::vector<uint8_t>&, const std::string&) {
    return unsupported("creating a VM");
}
Result<Ok> HostConnection::freeGuest(int) {
    return unsupported("freeing a VM");
}
Result<Ok> HostConnection::launch(int) {
    return unsupported("launching a VM");
}
Result<Ok> HostConnection::pause(int) {
    return unsupported("pausing a VM");
}
Result<Ok> HostConnection::resume(int) {
    return unsupported("continuing a VM");
}
Result<Ok> HostConnection::stop(int) {
    return unsupported("stopping a VM");
}
Result<VmInfo> HostConnection::vmInfo(int) {
    return unsupported("querying a VM");
}
Result<std::vector<GuestEntry>> HostConnection::listGuests() {
    return unsupported("listing VMs");
}
Result<int> HostConnection::openStream(int, const std::string&) {
    return unsupported("opening a stream");
}
Result<KernelLog> HostConnection::kernelLog(uint64_t) {
    return unsupported("reading the kernel log");
}

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

namespace v3ctl {

namespace {

Result<int> openControl(const std::string& device) {
    int fd = ::open(device.c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        return errnoError(e, "cannot open " + device, openHint(e));
    }
    return fd;
}

Result<int> openVm(int index) {
    std::string device = vmDeviceFile(index);
    int fd = ::open(device.c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        return errnoError(e, "cannot open " + device, vmOpenHint(e, index));
    }
    return fd;
}

} // namespace

Result<uint64_t> LocalHost::addMemory(uint64_t bytes) {
    auto fd = openControl(controlDevice_);
    if (!fd)
        return fd.error();
    Fd guard(fd.value());
    v3_add_memory args{};
    args.bytes = bytes;
    if (::ioctl(guard.get(), V3_ADD_MEMORY, &args) != 0) {
        int e = errno;
        std::string what = "cannot reserve " + std::to_string(bytes >> 20) + " MB for guests";
        if (e == ENOMEM && args.host_floor)
            return Error{e, what + ": the host has " + std::to_string(args.host_available >> 20) +
                                " MB available and v3vee keeps " +
                                std::to_string(args.host_floor >> 20) +
                                " MB of it for the host (module parameter min_host_free_mb); "
                                "ask for less"};
        return errnoError(e, what,
                          e == EPERM ? "reserving guest memory needs root or the group given to "
                                       "v3vee.ko (gid=)"
                                     : "");
    }
    return uint64_t(args.added);
}

Result<uint64_t> LocalHost::releaseMemory(uint64_t bytes) {
    auto fd = openControl(controlDevice_);
    if (!fd)
        return fd.error();
    Fd guard(fd.value());
    v3_release_memory args{};
    args.bytes = bytes;
    if (::ioctl(guard.get(), V3_RELEASE_MEMORY, &args) != 0)
        return errnoError(errno, "cannot give guest memory back to the host");
    return uint64_t(args.released);
}

Result<int> LocalHost::createGuest(const std::vector<uint8_t>& image, const std::string& name) {
    if (name.empty() || name.size() >= V3_NAME_MAX)
        return Error{EINVAL,
                     "the VM name must be 1 to " + std::to_string(V3_NAME_MAX - 1) + " characters"};
    auto fd = openControl(controlDevice_);
    if (!fd)
        return fd.error();
    Fd guard(fd.value());
    v3_create_guest args{};
    args.image = reinterpret_cast<uintptr_t>(image.data());
    args.image_size = image.size();
    std::memcpy(args.name, name.data(), name.size());
    int index = ::ioctl(guard.get(), V3_CREATE_GUEST, &args);
    if (index < 0) {
        int e = errno;
        std::string detail(args.error, strnlen(args.error, sizeof args.error));
        return Error{e, "cannot create VM '" + name +
                            "': " + (detail.empty() ? std::string(std::strerror(e)) : detail)};
    }
    return index;
}

Result<Ok> LocalHost::freeGuest(int index) {
    auto fd = openControl(controlDevice_);
    if (!fd)
        return fd.error();
    Fd guard(fd.value());
    if (::ioctl(guard.get(), V3_FREE_GUEST, static_cast<unsigned long>(index)) != 0) {
        int e = errno;
        return errnoError(e, "cannot free VM " + std::to_string(index),
                          e == ENOENT  ? "no such VM; see /proc/v3vee/v3-guests"
                          : e == EPERM ? kNotYourVm
                                       : "");
    }
    return Ok{};
}

Result<Ok> LocalHost::vmCommand(int index, unsigned long request, const char* what) {
    auto fd = openVm(index);
    if (!fd)
        return fd.error();
    Fd guard(fd.value());
    if (::ioctl(guard.get(), request) != 0) {
        int e = errno;
        return errnoError(e, std::string("cannot ") + what + " " + vmDeviceFile(index),
                          stateHint(e));
    }
    return Ok{};
}

Result<Ok> LocalHost::launch(int index) {
    return vmCommand(index, V3_VM_LAUNCH, "launch");
}
Result<Ok> LocalHost::pause(int index) {
    return vmCommand(index, V3_VM_PAUSE, "pause");
}
Result<Ok> LocalHost::resume(int index) {
    return vmCommand(index, V3_VM_CONTINUE, "continue");
}
Result<Ok> LocalHost::stop(int index) {
    return vmCommand(index, V3_VM_STOP, "stop");
}

Result<VmInfo> LocalHost::vmInfo(int index) {
    auto fd = openVm(index);
    if (!fd)
        return fd.error();
    Fd guard(fd.value());
    v3_vm_info raw{};
    if (::ioctl(guard.get(), V3_VM_INFO, &raw) != 0)
        return errnoError(errno, "V3_VM_INFO on " + vmDeviceFile(index) + " failed");
    return VmInfo::fromAbi(raw);
}

Result<std::vector<GuestEntry>> LocalHost::listGuests() {
    std::ifstream in(V3_PROC_GUESTS);
    if (!in)
        return errnoError(ENOENT, std::string("cannot read ") + V3_PROC_GUESTS,
                          "is v3vee.ko loaded?");
    std::stringstream text;
    text << in.rdbuf();
    return parseGuestList(text.str()).guests;
}

Result<int> LocalHost::openStream(int index, const std::string& stream) {
    if (stream.empty() || stream.size() >= V3_NAME_MAX)
        return Error{EINVAL, "the stream name must be 1 to 31 characters"};
    auto fd = openVm(index);
    if (!fd)
        return fd.error();
    Fd guard(fd.value());
    v3_stream_connect args{};
    std::memcpy(args.name, stream.data(), stream.size());
    int streamFd = ::ioctl(guard.get(), V3_VM_STREAM_CONNECT, &args);
    if (streamFd < 0) {
        int e = errno;
        std::string hint = e == ENOENT  ? "the VM has no CHAR_STREAM named '" + stream + "'"
                           : e == EBUSY ? "another program is attached to it"
                                        : "";
        return errnoError(e, "cannot connect to stream '" + stream + "' of " + vmDeviceFile(index),
                          hint);
    }
    return streamFd;
}

} // namespace v3ctl

namespace v3ctl {

// /dev/kmsg gives one record per read(); a fresh descriptor starts at the
// oldest record still buffered. Only v3vee's lines are kept.
Result<KernelLog> LocalHost::kernelLog(uint64_t after) {
    Fd fd(::open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC));
    if (fd.get() < 0) {
        int e = errno;
        return errnoError(e, "cannot read /dev/kmsg",
                          e == EACCES || e == EPERM ? "reading the kernel log needs root" : "");
    }
    KernelLog log;
    log.next = after;
    char record[8192];
    for (;;) {
        ssize_t n = ::read(fd.get(), record, sizeof record - 1);
        if (n < 0 && errno == EPIPE)
            continue; // records were overwritten while reading: skip ahead
        if (n <= 0)
            break; // EAGAIN: no more records
        KernelLogLine line;
        if (!parseKmsgRecord(std::string(record, size_t(n)), line) || line.sequence <= after)
            continue;
        if (line.sequence > log.next)
            log.next = line.sequence;
        if (line.text.rfind("v3vee:", 0) == 0)
            log.lines.push_back(std::move(line));
    }
    return log;
}

} // namespace v3ctl
