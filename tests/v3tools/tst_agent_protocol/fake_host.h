// A HostConnection test double: answers every operation of the table from
// memory (one handler per row, dispatched like LocalHost's), records what
// it was asked, and hands out socketpair ends as VM streams so a test can
// play the guest's side of a stream.
#pragma once

#include "host_connection.h"

#include <cerrno>
#include <map>
#include <mutex>
#include <sys/socket.h>
#include <unistd.h>

class FakeHost : public v3ctl::HostConnection {
public:
    ~FakeHost() override {
        for (auto& [key, fd] : guestEnds)
            ::close(fd);
    }
    std::string uri() const override { return "fake"; }
    std::string displayName() const override { return "fake host"; }
    void perform(v3ctl::ops::AnyCall call) override { dispatch(call, *this); }

    v3ctl::Result<v3ctl::HostInfo> handle(v3ctl::ops::GetHostInfo, const v3ctl::ops::NoArgs&) {
        std::lock_guard lock(mutex);
        calls.push_back("hostInfo");
        v3ctl::HostInfo info;
        info.abiVersion = 1;
        info.cpusPossible = 2;
        info.cpusEnabled = 2;
        info.numGuests = uint32_t(guests.size());
        info.maxGuests = 127;
        info.guestMemoryTotal = memory;
        info.guestMemoryFree = memory;
        info.moduleVersion = "0.1.0-fake";
        info.kernelRelease = "6.1.0-test";
        return info;
    }
    v3ctl::Result<uint64_t> handle(v3ctl::ops::AddMemory, const v3ctl::ops::MemoryArgs& args) {
        const uint64_t bytes = args.bytes;
        std::lock_guard lock(mutex);
        calls.push_back("addMemory " + std::to_string(bytes));
        memory += bytes;
        return bytes;
    }
    v3ctl::Result<uint64_t> handle(v3ctl::ops::ReleaseMemory, const v3ctl::ops::MemoryArgs& args) {
        const uint64_t bytes = args.bytes;
        std::lock_guard lock(mutex);
        calls.push_back("releaseMemory " + std::to_string(bytes));
        uint64_t released = bytes == 0 || bytes > memory ? memory : bytes;
        memory -= released;
        return released;
    }
    v3ctl::Result<int> handle(v3ctl::ops::CreateGuest, const v3ctl::ops::CreateArgs& args) {
        const std::string name(args.name);
        std::lock_guard lock(mutex);
        calls.push_back("createGuest " + name);
        lastImage.assign(args.image.begin(), args.image.end());
        if (name == "dup")
            return v3ctl::Error{EEXIST, "cannot create VM 'dup': a VM named 'dup' already exists"};
        guests.push_back({name, "/dev/v3-vm" + std::to_string(guests.size())});
        return int(guests.size()) - 1;
    }
    v3ctl::Result<v3ctl::Ok> handle(v3ctl::ops::FreeGuest, const v3ctl::ops::VmArgs& a) {
        return command("free", a.index);
    }
    v3ctl::Result<v3ctl::Ok> handle(v3ctl::ops::Launch, const v3ctl::ops::VmArgs& a) {
        return command("launch", a.index);
    }
    v3ctl::Result<v3ctl::Ok> handle(v3ctl::ops::Pause, const v3ctl::ops::VmArgs& a) {
        return command("pause", a.index);
    }
    v3ctl::Result<v3ctl::Ok> handle(v3ctl::ops::Resume, const v3ctl::ops::VmArgs& a) {
        return command("resume", a.index);
    }
    v3ctl::Result<v3ctl::Ok> handle(v3ctl::ops::Stop, const v3ctl::ops::VmArgs& a) {
        return command("stop", a.index);
    }

    v3ctl::Result<v3ctl::VmInfo> handle(v3ctl::ops::GetVmInfo, const v3ctl::ops::VmArgs& a) {
        const int index = a.index;
        std::lock_guard lock(mutex);
        calls.push_back("vmInfo " + std::to_string(index));
        if (index >= int(guests.size()))
            return v3ctl::Error{ENOENT, "cannot open /dev/v3-vm" + std::to_string(index)};
        v3ctl::VmInfo info;
        info.name = guests[size_t(index)].name;
        info.index = index;
        info.state = v3ctl::VmState::Paused;
        info.exitCode = 7;
        info.numCores = 1;
        info.memoryBytes = 16 << 20;
        info.uptimeNs = 123456789;
        info.exitsTotal = 1000;
        for (size_t i = 0; i < v3ctl::kExitReasonCount; ++i)
            info.exits[i] = i * 100 + 1;
        info.reason = "paused by the host";
        return info;
    }
    v3ctl::Result<std::vector<v3ctl::GuestEntry>> handle(v3ctl::ops::ListGuests,
                                                         const v3ctl::ops::NoArgs&) {
        std::lock_guard lock(mutex);
        calls.push_back("listGuests");
        return guests;
    }
    v3ctl::Result<v3ctl::ops::StreamFd> handle(v3ctl::ops::OpenStream,
                                               const v3ctl::ops::StreamArgs& args) {
        const int index = args.index;
        const std::string stream(args.stream);
        std::lock_guard lock(mutex);
        calls.push_back("openStream " + std::to_string(index) + " " + stream);
        if (stream == "nosuch")
            return v3ctl::Error{ENOENT, "the VM has no CHAR_STREAM named 'nosuch'"};
        int pair[2];
        if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0)
            return v3ctl::Error{errno, "socketpair failed"};
        guestEnds[std::to_string(index) + "/" + stream] = pair[1];
        return v3ctl::ops::StreamFd{pair[0]};
    }

    // The guest's side of a stream opened earlier (-1 if none).
    int guestEnd(int index, const std::string& stream) {
        std::lock_guard lock(mutex);
        auto it = guestEnds.find(std::to_string(index) + "/" + stream);
        return it == guestEnds.end() ? -1 : it->second;
    }
    // The guest's stream ends (the VM stopped): closes its side.
    void endStream(int index, const std::string& stream) {
        std::lock_guard lock(mutex);
        auto it = guestEnds.find(std::to_string(index) + "/" + stream);
        if (it != guestEnds.end()) {
            ::close(it->second);
            guestEnds.erase(it);
        }
    }

    std::mutex mutex;
    std::vector<std::string> calls;
    std::vector<uint8_t> lastImage;
    std::vector<v3ctl::GuestEntry> guests;
    uint64_t memory = 0;
    std::map<std::string, int> guestEnds;

private:
    v3ctl::Result<v3ctl::Ok> command(const char* what, int index) {
        std::lock_guard lock(mutex);
        calls.push_back(std::string(what) + " " + std::to_string(index));
        if (index == 9)
            return v3ctl::Error{EINVAL, std::string("cannot ") + what +
                                            " /dev/v3-vm9: Invalid argument (the VM is not in a "
                                            "state this applies to; see v3_info)"};
        return v3ctl::Ok{};
    }
};
