// v3_save VM STORE URL and v3_load VM STORE URL (the Palacios manual's
// form): the checkpoint of a paused (or created, never launched) VM, and a
// VM created from the same image restored from one. STORE "file": URL is a
// path on the machine running the tool; the module streams the checkpoint
// through the descriptor the tool opened, so it is written with this
// user's rights and never held in kernel memory. v3_save writes
// URL.partial and renames it to URL once the checkpoint is complete, so a
// failed save leaves no file that looks like a checkpoint.
#include "tool.h"

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <mutex>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

namespace v3tools {

namespace {

bool checkStore(const Invocation& call) {
    if (call.args[1] == "file")
        return true;
    fail_line(call, "unknown STORE '" + call.args[1] + "': the store is 'file' (URL is a path)");
    return false;
}

// While a save runs: how much of the file is written, on stderr when it is
// a terminal (once a second).
class SaveProgress {
public:
    SaveProgress(const Invocation& call, int fd, uint64_t total) {
        if (!::isatty(STDERR_FILENO) || total < (64ull << 20))
            return;
        thread_ = std::thread([this, &call, fd, total] {
            std::unique_lock lock(mutex_);
            while (!done_) {
                if (wake_.wait_for(lock, std::chrono::seconds(1), [this] { return done_; }))
                    break;
                struct stat st {};
                if (::fstat(fd, &st) == 0)
                    std::fprintf(stderr, "\r%s: %llu of about %llu MB", call.tool.c_str(),
                                 (unsigned long long)(st.st_size >> 20),
                                 (unsigned long long)(total >> 20));
                shown_ = true;
            }
        });
    }
    ~SaveProgress() {
        if (!thread_.joinable())
            return;
        {
            std::lock_guard lock(mutex_);
            done_ = true;
        }
        wake_.notify_all();
        thread_.join();
        if (shown_)
            std::fputc('\n', stderr);
    }

private:
    std::thread thread_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool done_ = false;
    bool shown_ = false;
};

} // namespace

int run_save(const Invocation& call, v3ctl::HostConnection& host) {
    auto index = v3ctl::vmIndexFromArgument(call.args[0]);
    if (!index) {
        fail_line(call, index.error().message);
        return kExitUsage;
    }
    if (!checkStore(call))
        return kExitUsage;
    const std::string path = call.args[2];
    const std::string partial = path + ".partial";
    int fd = ::open(partial.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        fail_line(call, "cannot create '" + partial + "': " + std::strerror(errno));
        return kExitFailed;
    }
    uint64_t memory = 0;
    if (auto info = host.vmInfo(index.value()))
        memory = info.value().memoryBytes;
    v3ctl::Result<uint64_t> saved = v3ctl::Error{EIO, ""};
    {
        SaveProgress progress(call, fd, memory);
        saved = host.call<v3ctl::ops::SaveVm>({index.value(), fd});
    }
    int closed = saved && ::fsync(fd) != 0 ? errno : 0;
    if (::close(fd) != 0 && !closed)
        closed = errno;
    if (!saved || closed) {
        ::unlink(partial.c_str());
        if (!saved)
            return report(call, saved.error());
        fail_line(call, "cannot write '" + partial + "': " + std::strerror(closed));
        return kExitFailed;
    }
    if (::rename(partial.c_str(), path.c_str()) != 0) {
        fail_line(call,
                  "cannot rename '" + partial + "' to '" + path + "': " + std::strerror(errno));
        ::unlink(partial.c_str());
        return kExitFailed;
    }
    std::printf("%s saved to %s (%llu bytes)\n", v3ctl::vmDeviceFile(index.value()).c_str(),
                path.c_str(), (unsigned long long)saved.value());
    return kExitOk;
}

int run_load(const Invocation& call, v3ctl::HostConnection& host) {
    auto index = v3ctl::vmIndexFromArgument(call.args[0]);
    if (!index) {
        fail_line(call, index.error().message);
        return kExitUsage;
    }
    if (!checkStore(call))
        return kExitUsage;
    const std::string path = call.args[2];
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        fail_line(call, "cannot open '" + path + "': " + std::strerror(errno));
        return kExitFailed;
    }
    auto loaded = host.call<v3ctl::ops::LoadVm>({index.value(), fd});
    ::close(fd);
    if (!loaded)
        return report(call, loaded.error());
    std::printf("%s loaded from %s (%llu bytes)\n", v3ctl::vmDeviceFile(index.value()).c_str(),
                path.c_str(), (unsigned long long)loaded.value());
    return kExitOk;
}

} // namespace v3tools
