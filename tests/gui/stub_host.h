// A stand-in host for the GUI tests: keeps VMs in memory and behaves like
// the module (states from the operation table's rule, device files, /proc
// listing), or fails every VM operation the way a connection without VM
// support does (ENOSYS). One handler per row, dispatched like LocalHost's.
#pragma once

#include "console_screen.h"
#include "host_connection.h"

#include <QMutex>
#include <QMutexLocker>

#include <atomic>
#include <cerrno>
#include <map>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

class StubHost : public v3ctl::HostConnection {
public:
    struct Vm {
        std::string name;
        v3ctl::VmState state = v3ctl::VmState::Created;
        uint64_t exits = 0;
        std::string reason;
    };

    bool vmOpsSupported = true; // false: every VM operation fails with ENOSYS
    // Guest memory reserved and free (AddMemory adds to both).
    std::atomic<uint64_t> guestMemoryTotal{64u << 20};
    std::atomic<uint64_t> guestMemoryFree{48u << 20};
    bool listFails = false;
    // What kernelLog() serves; added from the test thread, read on the
    // session's worker.
    void addKernelLine(v3ctl::KernelLogLine line) {
        QMutexLocker lock(&mutex_);
        kernelLines_.push_back(std::move(line));
    }

    ~StubHost() override {
        for (int fd : guestEnds_)
            ::close(fd);
    }
    void perform(v3ctl::ops::AnyCall call) override {
        if (!vmOpsSupported &&
            !std::holds_alternative<v3ctl::ops::Call<v3ctl::ops::GetHostInfo>*>(call))
            return HostConnection::perform(call); // refuses, as a connection without VM support
        dispatch(call, *this);
    }

    // A stream is one end of a socket pair; the guest's end greets and is
    // kept (guestEnd) for the test to talk through.
    v3ctl::Result<v3ctl::ops::StreamFd> handle(v3ctl::ops::OpenStream,
                                               const v3ctl::ops::StreamArgs& args) {
        const int index = args.index;
        const std::string stream(args.stream);
        int fds[2];
        if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
            return v3ctl::errnoError(errno, "socketpair");
        const std::string greeting =
            "stream " + stream + " of /dev/v3-vm" + std::to_string(index) + "\r\n";
        (void)!::write(fds[1], greeting.data(), greeting.size());
        ::fcntl(fds[1], F_SETFL, O_NONBLOCK);
        QMutexLocker lock(&mutex_);
        guestEnds_.push_back(fds[1]);
        return v3ctl::ops::StreamFd{fds[0]};
    }
    // A text console is one end of a socket pair too; the module's end
    // sends the connect sequence (an 80x25 screen reading "console of
    // /dev/v3-vmN" on its first row) and is kept with the streams' ends.
    v3ctl::Result<v3ctl::ops::StreamFd> handle(v3ctl::ops::OpenConsole,
                                               const v3ctl::ops::VmArgs& args) {
        const int index = args.index;
        int fds[2];
        if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
            return v3ctl::errnoError(errno, "socketpair");
        std::vector<uint8_t> screen = v3ctl::encodeConsoleMode(80, 25, true);
        const std::string title = "console of /dev/v3-vm" + std::to_string(index);
        for (int row = 0; row < 25; ++row) {
            std::vector<v3ctl::ConsoleCell> cells(80);
            for (size_t i = 0; row == 0 && i < title.size(); ++i)
                cells[i] = {uint8_t(title[i]), 0x1F};
            auto message = v3ctl::encodeConsoleCells(row, 0, cells);
            screen.insert(screen.end(), message.begin(), message.end());
        }
        for (const auto& message : {v3ctl::encodeConsoleCursor(v3ctl::ConsoleCursor{1, 0}),
                                    v3ctl::encodeConsoleFrameEnd()})
            screen.insert(screen.end(), message.begin(), message.end());
        (void)!::write(fds[1], screen.data(), screen.size());
        ::fcntl(fds[1], F_SETFL, O_NONBLOCK);
        QMutexLocker lock(&mutex_);
        guestEnds_.push_back(fds[1]);
        return v3ctl::ops::StreamFd{fds[0]};
    }
    int guestEnd(size_t i) {
        QMutexLocker lock(&mutex_);
        return i < guestEnds_.size() ? guestEnds_[i] : -1;
    }

    std::string uri() const override { return "stub"; }
    std::string displayName() const override { return "stub host"; }
    v3ctl::Result<v3ctl::HostInfo> handle(v3ctl::ops::GetHostInfo, const v3ctl::ops::NoArgs&) {
        v3ctl::HostInfo info;
        info.abiVersion = 1;
        info.features = 3;
        info.cpusPossible = 4;
        info.cpusEnabled = 4;
        info.moduleVersion = "9.9";
        info.kernelRelease = "6.1.0-test";
        info.guestMemoryTotal = guestMemoryTotal;
        info.guestMemoryFree = guestMemoryFree;
        QMutexLocker lock(&mutex_);
        info.numGuests = uint32_t(vms_.size());
        return info;
    }
    v3ctl::Result<uint64_t> handle(v3ctl::ops::AddMemory, const v3ctl::ops::MemoryArgs& a) {
        const uint64_t bytes = a.bytes;
        if (bytes == 0)
            return v3ctl::Error{EINVAL, "adding memory: 0 bytes"};
        guestMemoryTotal += bytes;
        guestMemoryFree += bytes;
        return uint64_t(guestMemoryTotal);
    }

    // Adds a VM as the v3 tools would, behind the window's back.
    int addBehindTheBack(const std::string& name, v3ctl::VmState state) {
        QMutexLocker lock(&mutex_);
        int index = next_++;
        vms_[index] = Vm{name, state, 0, {}};
        return index;
    }
    void setState(int index, v3ctl::VmState state, const std::string& reason = {}) {
        QMutexLocker lock(&mutex_);
        vms_[index].state = state;
        vms_[index].reason = reason;
    }
    // Frees a VM as v3_free would, behind the window's back.
    void removeBehindTheBack(int index) {
        QMutexLocker lock(&mutex_);
        vms_.erase(index);
    }
    size_t count() {
        QMutexLocker lock(&mutex_);
        return vms_.size();
    }
    std::optional<v3ctl::VmState> stateOf(const std::string& name) {
        QMutexLocker lock(&mutex_);
        for (auto& [i, vm] : vms_)
            if (vm.name == name)
                return vm.state;
        return std::nullopt;
    }

    v3ctl::Result<int> handle(v3ctl::ops::CreateGuest, const v3ctl::ops::CreateArgs& args) {
        const std::string name(args.name);
        if (args.image.empty())
            return v3ctl::Error{EINVAL, "creating " + name + ": the image is empty"};
        return addBehindTheBack(name, v3ctl::VmState::Created);
    }
    v3ctl::Result<v3ctl::Ok> handle(v3ctl::ops::FreeGuest, const v3ctl::ops::VmArgs& a) {
        const int index = a.index;
        return change(index, "freeing", [&](Vm& vm) -> std::optional<v3ctl::Error> {
            if (vm.state == v3ctl::VmState::Running)
                return v3ctl::Error{EBUSY, "freeing /dev/v3-vm" + std::to_string(index) +
                                               ": Device or resource busy"};
            vms_.erase(index);
            return std::nullopt;
        });
    }
    v3ctl::Result<v3ctl::Ok> handle(v3ctl::ops::Launch op, const v3ctl::ops::VmArgs& a) {
        return to(op, a.index);
    }
    v3ctl::Result<v3ctl::Ok> handle(v3ctl::ops::Pause op, const v3ctl::ops::VmArgs& a) {
        return to(op, a.index);
    }
    v3ctl::Result<v3ctl::Ok> handle(v3ctl::ops::Resume op, const v3ctl::ops::VmArgs& a) {
        return to(op, a.index);
    }
    v3ctl::Result<v3ctl::Ok> handle(v3ctl::ops::Stop op, const v3ctl::ops::VmArgs& a) {
        return to(op, a.index);
    }
    v3ctl::Result<v3ctl::VmInfo> handle(v3ctl::ops::GetVmInfo, const v3ctl::ops::VmArgs& a) {
        const int index = a.index;
        QMutexLocker lock(&mutex_);
        auto it = vms_.find(index);
        if (it == vms_.end())
            return v3ctl::Error{ENOENT, "no VM /dev/v3-vm" + std::to_string(index)};
        v3ctl::VmInfo info;
        info.name = it->second.name;
        info.index = index;
        info.state = it->second.state;
        info.reason = it->second.reason;
        info.numCores = 1;
        info.memoryBytes = 16u << 20;
        if (it->second.state == v3ctl::VmState::Running)
            it->second.exits += 1000;
        info.exitsTotal = it->second.exits;
        info.exits[0] = it->second.exits;
        info.uptimeNs = 5'000'000'000ULL;
        return info;
    }
    v3ctl::Result<v3ctl::KernelLog> handle(v3ctl::ops::ReadKernelLog,
                                           const v3ctl::ops::LogArgs& a) {
        const uint64_t after = a.after;
        QMutexLocker lock(&mutex_);
        v3ctl::KernelLog log;
        log.next = after;
        for (const v3ctl::KernelLogLine& line : kernelLines_)
            if (line.sequence > after) {
                log.lines.push_back(line);
                log.next = line.sequence;
            }
        return log;
    }
    v3ctl::Result<std::vector<v3ctl::GuestEntry>> handle(v3ctl::ops::ListGuests,
                                                         const v3ctl::ops::NoArgs&) {
        if (listFails)
            return unsupported("listing VMs");
        QMutexLocker lock(&mutex_);
        std::vector<v3ctl::GuestEntry> list;
        for (auto& [i, vm] : vms_)
            list.push_back({vm.name, v3ctl::vmDeviceFile(i)});
        return list;
    }

private:
    template <typename F> v3ctl::Result<v3ctl::Ok> change(int index, const char* what, F f) {
        QMutexLocker lock(&mutex_);
        auto it = vms_.find(index);
        if (it == vms_.end())
            return v3ctl::Error{ENOENT, std::string(what) + " /dev/v3-vm" + std::to_string(index) +
                                            ": No such file or directory"};
        if (auto e = f(it->second))
            return *e;
        return v3ctl::Ok{};
    }
    // The lifecycle's rule for the row's operation, as the module applies
    // it (the others are refused with EINVAL).
    template <typename Op> v3ctl::Result<v3ctl::Ok> to(Op, int index) {
        const std::string what = std::string("cannot ") + Op::name;
        return change(index, what.c_str(), [&](Vm& vm) -> std::optional<v3ctl::Error> {
            if (auto next = v3ctl::stateAfter(vm.state, Op::lifecycle)) {
                vm.state = *next;
                return std::nullopt;
            }
            return v3ctl::Error{EINVAL, what + " /dev/v3-vm" + std::to_string(index) +
                                            ": Invalid argument (the VM is " +
                                            v3ctl::stateName(vm.state) + ")"};
        });
    }

    QMutex mutex_;
    std::vector<int> guestEnds_;
    std::vector<v3ctl::KernelLogLine> kernelLines_;
    std::map<int, Vm> vms_;
    int next_ = 0;
};
