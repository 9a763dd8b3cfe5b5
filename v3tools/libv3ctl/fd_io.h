// Small POSIX descriptor helpers shared by the agent and its client: an
// owning descriptor, non-blocking mode, and writes that report a closed peer
// as EPIPE instead of killing the process with SIGPIPE.
#pragma once

#include <cstddef>
#include <sys/types.h>

namespace v3ctl {

// Owns one descriptor; closes it on destruction. Movable, not copyable.
class UniqueFd {
public:
    UniqueFd() = default;
    explicit UniqueFd(int fd) : fd_(fd) {}
    ~UniqueFd() { reset(); }
    UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
    UniqueFd& operator=(UniqueFd&& other) noexcept {
        if (this != &other)
            reset(other.release());
        return *this;
    }
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;

    int get() const { return fd_; }
    bool valid() const { return fd_ >= 0; }
    int release() {
        int fd = fd_;
        fd_ = -1;
        return fd;
    }
    void reset(int fd = -1);

private:
    int fd_ = -1;
};

// Returns false (errno set) when fcntl fails.
bool setNonBlocking(int fd, bool on = true);

// One write() with SIGPIPE blocked for the calling thread: a peer that went
// away yields -1/EPIPE. Returns what write() returned.
ssize_t writeNoSigpipe(int fd, const void* data, size_t size);

// Writes everything (retrying EINTR and short writes; waits with poll() on
// EAGAIN). False with errno set on failure.
bool writeAll(int fd, const void* data, size_t size);

} // namespace v3ctl
