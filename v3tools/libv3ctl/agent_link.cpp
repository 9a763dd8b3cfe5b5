#include "agent_link.h"
#include "agent_messages.h"

#include <cerrno>
#include <poll.h>

namespace v3ctl::agent {

std::string ackPayload(uint32_t consumed) {
    std::string s(4, '\0');
    for (int b = 0; b < 4; ++b)
        s[size_t(b)] = char(consumed >> (8 * b));
    return s;
}

std::optional<uint32_t> parseAckPayload(std::string_view payload) {
    if (payload.size() != 4)
        return std::nullopt;
    uint32_t n = 0;
    for (size_t b = 0; b < 4; ++b)
        n |= uint32_t(uint8_t(payload[b])) << (8 * b);
    return n;
}

void FrameQueue::push(FrameType type, uint32_t channel, uint32_t requestId,
                      std::string_view payload, uint16_t flags) {
    std::string frame = encodeFrame(type, flags, channel, requestId, payload);
    bytes_ += frame.size();
    frames_.push_back(std::move(frame));
}

void FrameQueue::clear() {
    frames_.clear();
    frontWritten_ = 0;
    bytes_ = 0;
}

FrameQueue::Flush FrameQueue::flush(int fd) {
    while (!frames_.empty()) {
        const std::string& front = frames_.front();
        ssize_t n = writeNoSigpipe(fd, front.data() + frontWritten_, front.size() - frontWritten_);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return Flush::Again;
        if (n <= 0)
            return Flush::Failed;
        frontWritten_ += size_t(n);
        bytes_ -= size_t(n);
        if (frontWritten_ == front.size()) {
            frames_.pop_front();
            frontWritten_ = 0;
        }
    }
    return Flush::Done;
}

void ChannelTable::open(uint32_t id, UniqueFd fd) {
    channels_[id] = std::make_unique<Channel>(std::move(fd));
}

void ChannelTable::close(uint32_t id, FrameQueue& out, int errnum, const char* why) {
    out.push(FrameType::Close, id, 0, encodeError(Error{errnum, why}));
    channels_.erase(id);
}

void ChannelTable::handle(const Frame& frame, FrameQueue& out) {
    auto it = channels_.find(frame.channel);
    if (it == channels_.end())
        return; // closed here while the frame was in flight
    Channel& channel = *it->second;
    switch (frame.type) {
    case FrameType::Data:
        if (!channel.pump.deliver(frame.payload))
            close(frame.channel, out, EPROTO, "the peer overran the channel's window");
        return;
    case FrameType::Ack: {
        auto consumed = parseAckPayload(frame.payload);
        if (!consumed || !channel.pump.acknowledged(*consumed))
            close(frame.channel, out, EPROTO, "the peer acknowledged bytes it was never sent");
        return;
    }
    case FrameType::Close:
        channel.peerClosed = true;
        if (!channel.pump.hasPending())
            channels_.erase(it);
        return;
    default:
        return; // not a channel frame
    }
}

void ChannelTable::addPollFds(std::vector<pollfd>& fds, bool allowInput) {
    polled_.clear();
    for (auto& [id, channel] : channels_) {
        short events = channel->pump.events();
        if (!allowInput || channel->peerClosed)
            events &= ~POLLIN;
        if (!events)
            continue; // nothing to do until the peer acknowledges or sends
        fds.push_back({channel->pump.fd(), events, 0});
        polled_.push_back(id);
    }
}

void ChannelTable::service(const std::vector<pollfd>& fds, size_t first, FrameQueue& out) {
    for (size_t i = 0; i < polled_.size() && first + i < fds.size(); ++i) {
        const short revents = fds[first + i].revents;
        if (!revents)
            continue;
        auto it = channels_.find(polled_[i]);
        if (it == channels_.end()) // closed by a frame handled since
            continue;
        if (pump(it->first, *it->second, revents, out))
            channels_.erase(polled_[i]);
    }
}

bool ChannelTable::pump(uint32_t id, Channel& channel, short revents, FrameQueue& out) {
    StreamPump& pump = channel.pump;
    const bool hangup = revents & (POLLHUP | POLLERR);
    if ((revents & POLLOUT) || (hangup && pump.hasPending())) {
        uint32_t written = 0;
        auto result = pump.flush(written);
        if (written)
            out.push(FrameType::Ack, id, 0, ackPayload(written));
        if (result == StreamPump::WriteResult::Failed) {
            if (!channel.peerClosed)
                out.push(FrameType::Close, id, 0,
                         encodeError(Error{EPIPE, "the stream no longer accepts input"}));
            return true;
        }
    }
    if (channel.peerClosed)
        return !pump.hasPending();
    if ((revents & (POLLIN | POLLHUP | POLLERR)) && (pump.events() & POLLIN)) {
        std::string data;
        auto result = pump.read(data);
        if (result == StreamPump::ReadResult::Data)
            out.push(FrameType::Data, id, 0, data);
        if (result != StreamPump::ReadResult::End)
            return false;
    } else if (!hangup || (revents & POLLIN)) {
        return false;
    }
    // The local side ended (end of file, or a hang-up with nothing left to read).
    out.push(FrameType::Close, id, 0, encodeError(Error{0, "the stream ended"}));
    return true;
}

} // namespace v3ctl::agent
