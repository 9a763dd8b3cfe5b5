// The transport both ends of the agent protocol share (agent_host, the
// client, and agent_server, the agent): the queue of encoded frames waiting
// for a non-blocking descriptor, and the stream channels that move bytes
// between local descriptors and DATA/ACK/CLOSE frames with the credit
// window of StreamPump. One implementation, so both ends flush, acknowledge
// and close channels the same way. Neither class locks: each is owned by one
// I/O loop (the client guards its queue with its own mutex).
#pragma once

#include "agent_protocol.h"
#include "stream_pump.h"

#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct pollfd;

namespace v3ctl::agent {

// The payload of an ACK frame: a little-endian u32 (the bytes consumed).
std::string ackPayload(uint32_t consumed);
std::optional<uint32_t> parseAckPayload(std::string_view payload);

class FrameQueue {
public:
    void push(FrameType type, uint32_t channel, uint32_t requestId, std::string_view payload,
              uint16_t flags = 0);
    bool empty() const { return frames_.empty(); }
    // Bytes queued and not yet written.
    size_t bytes() const { return bytes_; }
    void clear();

    enum class Flush { Done, Again, Failed }; // Failed: errno says why
    // Writes what the descriptor takes without blocking.
    Flush flush(int fd);

private:
    std::deque<std::string> frames_;
    size_t frontWritten_ = 0; // written prefix of frames_.front()
    size_t bytes_ = 0;
};

class ChannelTable {
public:
    // Serves `fd` (taken, made non-blocking) as channel `id`.
    void open(uint32_t id, UniqueFd fd);
    size_t size() const { return channels_.size(); }
    void clear() { channels_.clear(); }

    // A DATA, ACK or CLOSE frame from the peer. A peer that overruns the
    // window or acknowledges bytes it was never sent has its channel closed
    // with a CLOSE saying so; frames for unknown channels (closed while in
    // flight) are dropped.
    void handle(const Frame& frame, FrameQueue& out);

    // Appends one pollfd per channel that wants events (input only while
    // allowInput: the output queue is short enough); remembers the order.
    void addPollFds(std::vector<pollfd>& fds, bool allowInput);
    // Moves bytes for the channels polled by addPollFds, whose entries start
    // at fds[first]; channels that are finished are closed (their
    // descriptors with them) and a CLOSE tells the peer why, unless it
    // closed first.
    void service(const std::vector<pollfd>& fds, size_t first, FrameQueue& out);

private:
    struct Channel {
        explicit Channel(UniqueFd fd) : pump(std::move(fd)) {}
        StreamPump pump;
        bool peerClosed = false; // the peer sent CLOSE: write what it sent, then close
    };
    // Returns whether the channel is finished.
    bool pump(uint32_t id, Channel& channel, short revents, FrameQueue& out);
    void close(uint32_t id, FrameQueue& out, int errnum, const char* why);

    std::map<uint32_t, std::unique_ptr<Channel>> channels_;
    std::vector<uint32_t> polled_;
};

} // namespace v3ctl::agent
