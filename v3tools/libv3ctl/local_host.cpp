#include "local_host.h"
#include "fd_io.h"

#include <uapi/v3vee.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <type_traits>
#include <sstream>
#include <sys/ioctl.h>
#include <unistd.h>

namespace v3ctl {

namespace {

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

Result<UniqueFd> openControl(const std::string& device, int flags = O_RDWR) {
    UniqueFd fd(::open(device.c_str(), flags | O_CLOEXEC));
    if (!fd.valid()) {
        int e = errno;
        return errnoError(e, "cannot open " + device, openHint(e));
    }
    return fd;
}

Result<UniqueFd> openVm(int index) {
    std::string device = vmDeviceFile(index);
    UniqueFd fd(::open(device.c_str(), O_RDWR | O_CLOEXEC));
    if (!fd.valid()) {
        int e = errno;
        return errnoError(e, "cannot open " + device, vmOpenHint(e, index));
    }
    return fd;
}

// One handler per row of the operation table; LocalHost::perform dispatches
// to them. Each issues the ioctl its row names.
struct LocalOperations {
    const std::string& controlDevice;

    Result<HostInfo> handle(ops::GetHostInfo op, const ops::NoArgs&) {
        UniqueFd fd = TRY(openControl(controlDevice, O_RDONLY));
        v3_host_info raw{};
        if (::ioctl(fd.get(), op.ioctl, &raw) != 0)
            return errnoError(errno, "V3_HOST_INFO on " + controlDevice + " failed");
        if (raw.abi_version != V3_ABI_VERSION)
            return Error{EPROTO,
                         "the loaded v3vee module speaks ABI " + std::to_string(raw.abi_version) +
                             " but this program speaks ABI " + std::to_string(V3_ABI_VERSION) +
                             "; load the module built with these tools"};
        return HostInfo::fromAbi(raw);
    }

    Result<uint64_t> handle(ops::AddMemory op, const ops::MemoryArgs& a) {
        UniqueFd fd = TRY(openControl(controlDevice));
        v3_add_memory args{};
        args.bytes = a.bytes;
        if (::ioctl(fd.get(), op.ioctl, &args) != 0) {
            int e = errno;
            std::string what = "cannot reserve " + std::to_string(a.bytes >> 20) + " MB for guests";
            if (e == ENOMEM && args.host_floor)
                return Error{e, what + ": the host has " +
                                    std::to_string(args.host_available >> 20) +
                                    " MB available and v3vee keeps " +
                                    std::to_string(args.host_floor >> 20) +
                                    " MB of it for the host (module parameter min_host_free_mb); "
                                    "ask for less"};
            return errnoError(e, what,
                              e == EPERM ? "reserving guest memory needs root or the group given "
                                           "to v3vee.ko (gid=)"
                                         : "");
        }
        return uint64_t(args.added);
    }

    Result<uint64_t> handle(ops::ReleaseMemory op, const ops::MemoryArgs& a) {
        UniqueFd fd = TRY(openControl(controlDevice));
        v3_release_memory args{};
        args.bytes = a.bytes;
        if (::ioctl(fd.get(), op.ioctl, &args) != 0)
            return errnoError(errno, "cannot give guest memory back to the host");
        return uint64_t(args.released);
    }

    Result<int> handle(ops::CreateGuest op, const ops::CreateArgs& a) {
        const std::string name(a.name);
        if (name.empty() || name.size() >= V3_NAME_MAX)
            return Error{EINVAL, "the VM name must be 1 to " + std::to_string(V3_NAME_MAX - 1) +
                                     " characters"};
        UniqueFd fd = TRY(openControl(controlDevice));
        v3_create_guest args{};
        args.image = reinterpret_cast<uintptr_t>(a.image.data());
        args.image_size = a.image.size();
        std::memcpy(args.name, name.data(), name.size());
        int index = ::ioctl(fd.get(), op.ioctl, &args);
        if (index < 0) {
            int e = errno;
            std::string detail(args.error, strnlen(args.error, sizeof args.error));
            return Error{e, "cannot create VM '" + name +
                                "': " + (detail.empty() ? std::string(std::strerror(e)) : detail)};
        }
        return index;
    }

    Result<Ok> handle(ops::FreeGuest op, const ops::VmArgs& a) {
        UniqueFd fd = TRY(openControl(controlDevice));
        if (::ioctl(fd.get(), op.ioctl, static_cast<unsigned long>(a.index)) != 0) {
            int e = errno;
            return errnoError(e, "cannot free VM " + std::to_string(a.index),
                              e == ENOENT  ? "no such VM; see /proc/v3vee/v3-guests"
                              : e == EPERM ? kNotYourVm
                                           : "");
        }
        return Ok{};
    }

    // Launch, pause, continue, stop, and any other row that is an ioctl
    // without arguments on the VM's device.
    template <typename Op>
    requires(Op::device == ops::Device::Vm && std::is_same_v<typename Op::Args, ops::VmArgs> &&
             std::is_same_v<typename Op::Value, Ok>) Result<Ok> handle(Op, const ops::VmArgs& a) {
        UniqueFd fd = TRY(openVm(a.index));
        if (::ioctl(fd.get(), Op::ioctl) != 0) {
            int e = errno;
            return errnoError(e, std::string("cannot ") + Op::name + " " + vmDeviceFile(a.index),
                              stateHint(e));
        }
        return Ok{};
    }

    Result<VmInfo> handle(ops::GetVmInfo op, const ops::VmArgs& a) {
        UniqueFd fd = TRY(openVm(a.index));
        v3_vm_info raw{};
        if (::ioctl(fd.get(), op.ioctl, &raw) != 0)
            return errnoError(errno, "V3_VM_INFO on " + vmDeviceFile(a.index) + " failed");
        return VmInfo::fromAbi(raw);
    }

    Result<std::vector<GuestEntry>> handle(ops::ListGuests, const ops::NoArgs&) {
        std::ifstream in(V3_PROC_GUESTS);
        if (!in)
            return errnoError(ENOENT, std::string("cannot read ") + V3_PROC_GUESTS,
                              "is v3vee.ko loaded?");
        std::stringstream text;
        text << in.rdbuf();
        return parseGuestList(text.str()).guests;
    }

    Result<ops::StreamFd> handle(ops::OpenStream op, const ops::StreamArgs& a) {
        const std::string stream(a.stream);
        if (stream.empty() || stream.size() >= V3_NAME_MAX)
            return Error{EINVAL, "the stream name must be 1 to 31 characters"};
        UniqueFd fd = TRY(openVm(a.index));
        v3_stream_connect args{};
        std::memcpy(args.name, stream.data(), stream.size());
        int streamFd = ::ioctl(fd.get(), op.ioctl, &args);
        if (streamFd < 0) {
            int e = errno;
            std::string hint = e == ENOENT  ? "the VM has no CHAR_STREAM named '" + stream + "'"
                               : e == EBUSY ? "another program is attached to it"
                                            : "";
            return errnoError(
                e, "cannot connect to stream '" + stream + "' of " + vmDeviceFile(a.index), hint);
        }
        return ops::StreamFd{streamFd};
    }

    Result<ops::StreamFd> handle(ops::OpenConsole op, const ops::VmArgs& a) {
        UniqueFd fd = TRY(openVm(a.index));
        int consoleFd = ::ioctl(fd.get(), op.ioctl, 0);
        if (consoleFd < 0) {
            int e = errno;
            std::string hint = e == ENOENT   ? "the VM has no text console: give it a CGA_VIDEO "
                                               "device with a CURSES_CONSOLE frontend"
                               : e == ENOTTY ? "the loaded v3vee.ko is older than this program"
                                             : "";
            return errnoError(e, "cannot open the text console of " + vmDeviceFile(a.index), hint);
        }
        return ops::StreamFd{consoleFd};
    }

    Result<KernelLog> handle(ops::ReadKernelLog, const ops::LogArgs& a);

    // The module reads or writes the checkpoint through a.fd itself.
    template <typename Op>
    requires(std::is_same_v<typename Op::Args, ops::CheckpointArgs>) Result<uint64_t> handle(
        Op, const ops::CheckpointArgs& a) {
        UniqueFd fd = TRY(openVm(a.index));
        v3_chkpt req{};
        req.fd = a.fd;
        if (::ioctl(fd.get(), Op::ioctl, &req) != 0) {
            int e = errno;
            req.error[sizeof req.error - 1] = 0;
            std::string hint = req.error[0]  ? std::string(req.error)
                               : e == ENOTTY ? "the loaded v3vee.ko is older than this program"
                                             : stateHint(e);
            return errnoError(e, std::string("cannot ") + Op::name + " " + vmDeviceFile(a.index),
                              hint);
        }
        return uint64_t(req.bytes);
    }
};

// /dev/kmsg gives one record per read(); a fresh descriptor starts at the
// oldest record still buffered. Only v3vee's lines are kept.
Result<KernelLog> LocalOperations::handle(ops::ReadKernelLog, const ops::LogArgs& a) {
    UniqueFd fd(::open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC));
    if (!fd.valid()) {
        int e = errno;
        return errnoError(e, "cannot read /dev/kmsg",
                          e == EACCES || e == EPERM ? "reading the kernel log needs root" : "");
    }
    KernelLog log;
    log.next = a.after;
    char record[8192];
    for (;;) {
        ssize_t n = ::read(fd.get(), record, sizeof record - 1);
        if (n < 0 && errno == EPIPE)
            continue; // records were overwritten while reading: skip ahead
        if (n <= 0)
            break; // EAGAIN: no more records
        KernelLogLine line;
        if (!parseKmsgRecord(std::string(record, size_t(n)), line) || line.sequence <= a.after)
            continue;
        if (line.sequence > log.next)
            log.next = line.sequence;
        if (line.text.rfind("v3vee:", 0) == 0)
            log.lines.push_back(std::move(line));
    }
    return log;
}

} // namespace

Error HostConnection::unsupported(const std::string& operation) const {
    return Error{ENOSYS, operation + " is not available over the '" + uri() +
                             "' connection yet; run the v3 tools inside the host instead"};
}

void HostConnection::perform(ops::AnyCall call) {
    std::visit([&]<typename Op>(ops::Call<Op>* c) { c->result = unsupported(Op::doing); }, call);
}

LocalHost::LocalHost(std::string controlDevice) : controlDevice_(std::move(controlDevice)) {}

bool LocalHost::available(const std::string& controlDevice) {
    return ::access(controlDevice.c_str(), F_OK) == 0;
}

void LocalHost::perform(ops::AnyCall call) {
    LocalOperations operations{controlDevice_};
    dispatch(call, operations);
}

} // namespace v3ctl
