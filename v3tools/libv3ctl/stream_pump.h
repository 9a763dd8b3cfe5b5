// One end of a multiplexed stream channel: moves bytes between a local
// descriptor and DATA frames. The agent has one per open VM stream (the
// kernel's stream fd), the client one per stream it handed out (its end of a
// socketpair). Both directions use the same credit window: a side sends at
// most kWindow bytes the other has not acknowledged (ACK frames), so a
// reader that stops reading stalls its writer instead of growing buffers.
// Not thread-safe: one I/O loop owns each pump.
#pragma once

#include "fd_io.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace v3ctl::agent {

class StreamPump {
public:
    static constexpr uint32_t kWindow = 256 * 1024;
    static constexpr size_t kChunk = 16 * 1024; // largest DATA payload

    // Takes the descriptor and makes it non-blocking.
    explicit StreamPump(UniqueFd fd);

    int fd() const { return fd_.get(); }
    // The poll() events wanted now: POLLIN while the local side may still
    // send and the window has room, POLLOUT while peer data waits.
    short events() const;

    enum class ReadResult { Data, Again, End };
    // One read of at most kChunk bytes into `data` (counted against the
    // window). End: the local side has nothing more to send (EOF or error).
    ReadResult read(std::string& data);
    // The peer acknowledged n bytes; false if it acknowledged more than was
    // outstanding (a broken peer).
    bool acknowledged(uint32_t n);

    // Peer bytes to write locally; false if they overrun the window.
    bool deliver(std::string_view data);
    enum class WriteResult { Progress, Again, Failed };
    // Writes what it can of the peer's bytes; `written` is what to ACK.
    WriteResult flush(uint32_t& written);
    bool hasPending() const { return pendingStart_ < pending_.size(); }

    bool inputEnded() const { return inputEnded_; }
    uint32_t unacknowledged() const { return unacked_; }

private:
    UniqueFd fd_;
    std::string pending_; // peer bytes not yet written locally
    size_t pendingStart_ = 0;
    uint32_t unacked_ = 0; // bytes we sent that the peer has not acknowledged
    bool inputEnded_ = false;
};

} // namespace v3ctl::agent
