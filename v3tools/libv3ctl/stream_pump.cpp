#include "stream_pump.h"

#include <cerrno>
#include <poll.h>
#include <unistd.h>

namespace v3ctl::agent {

StreamPump::StreamPump(UniqueFd fd) : fd_(std::move(fd)) {
    setNonBlocking(fd_.get());
}

short StreamPump::events() const {
    short e = 0;
    // A whole chunk of room, not just some: a console descriptor refuses
    // reads smaller than V3_CONSOLE_READ_MIN, so reads are never short.
    if (!inputEnded_ && kWindow - unacked_ >= kChunk)
        e |= POLLIN;
    if (hasPending())
        e |= POLLOUT;
    return e;
}

StreamPump::ReadResult StreamPump::read(std::string& data) {
    size_t room = std::min<size_t>(kChunk, kWindow - unacked_);
    data.resize(room);
    ssize_t n;
    do {
        n = ::read(fd_.get(), data.data(), room);
    } while (n < 0 && errno == EINTR);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        data.clear();
        return ReadResult::Again;
    }
    if (n <= 0) {
        data.clear();
        inputEnded_ = true;
        return ReadResult::End;
    }
    data.resize(size_t(n));
    unacked_ += uint32_t(n);
    return ReadResult::Data;
}

bool StreamPump::acknowledged(uint32_t n) {
    if (n > unacked_)
        return false;
    unacked_ -= n;
    return true;
}

bool StreamPump::deliver(std::string_view data) {
    if (pending_.size() - pendingStart_ + data.size() > kWindow)
        return false;
    if (pendingStart_ == pending_.size() || pendingStart_ >= kWindow) {
        pending_.erase(0, pendingStart_);
        pendingStart_ = 0;
    }
    pending_.append(data);
    return true;
}

StreamPump::WriteResult StreamPump::flush(uint32_t& written) {
    written = 0;
    while (pendingStart_ < pending_.size()) {
        ssize_t n = writeNoSigpipe(fd_.get(), pending_.data() + pendingStart_,
                                   pending_.size() - pendingStart_);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return written ? WriteResult::Progress : WriteResult::Again;
        if (n <= 0)
            return WriteResult::Failed;
        pendingStart_ += size_t(n);
        written += uint32_t(n);
    }
    pending_.clear();
    pendingStart_ = 0;
    return WriteResult::Progress;
}

} // namespace v3ctl::agent
