#include "agent_server.h"
#include "agent_messages.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>
#include <vector>

namespace v3ctl::agent {

namespace {

// Above this much queued output the agent stops reading VM streams, and
// above the second limit it stops reading requests too: a client that never
// reads its answers cannot make the agent queue without bound.
constexpr size_t kOutputHighWater = 1u << 20;
constexpr size_t kOutputStopRequests = 8u << 20;
// Requests reassembled at once, per session.
constexpr size_t kMaxPartialRequests = 4;
constexpr int kHighestVmIndex = 1023;

Result<int> vmIndex(const Fields& fields) {
    auto index = fields.u32(Tag::Index);
    if (!index)
        return index.error();
    if (index.value() > uint32_t(kHighestVmIndex))
        return Error{EINVAL, "VM index " + std::to_string(index.value()) + " is out of range"};
    return int(index.value());
}

} // namespace

AgentSession::AgentSession(HostConnection& host, int inFd, int outFd, SessionOptions options)
    : host_(host), inFd_(inFd), outFd_(outFd), options_(std::move(options)) {
    savedInFlags_ = ::fcntl(inFd_, F_GETFL);
    savedOutFlags_ = ::fcntl(outFd_, F_GETFL);
    setNonBlocking(inFd_);
    setNonBlocking(outFd_);
}

AgentSession::~AgentSession() {
    // stdin/stdout may be shared with the shell that started us.
    if (savedInFlags_ >= 0)
        ::fcntl(inFd_, F_SETFL, savedInFlags_);
    if (savedOutFlags_ >= 0 && outFd_ != inFd_)
        ::fcntl(outFd_, F_SETFL, savedOutFlags_);
}

void AgentSession::log(const std::string& message) const {
    if (options_.log)
        options_.log(message);
}

void AgentSession::send(FrameType type, uint32_t channel, uint32_t requestId,
                        std::string_view payload) {
    std::string frame = encodeFrame(type, 0, channel, requestId, payload);
    outputBytes_ += frame.size();
    output_.push_back(std::move(frame));
}

void AgentSession::sendError(uint32_t requestId, const Error& error) {
    send(FrameType::Error, 0, requestId, encodeError(error));
}

void AgentSession::respond(uint32_t requestId, std::string payload) {
    if (payload.size() > kMaxPayload) { // a guest list longer than 1 MiB cannot happen (127 VMs)
        sendError(requestId, Error{EMSGSIZE, "the response does not fit in one frame"});
        return;
    }
    send(FrameType::Response, 0, requestId, payload);
}

bool AgentSession::flushOutput() {
    while (!output_.empty()) {
        const std::string& front = output_.front();
        ssize_t n =
            writeNoSigpipe(outFd_, front.data() + outputStart_, front.size() - outputStart_);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return true;
        if (n <= 0)
            return false;
        outputStart_ += size_t(n);
        outputBytes_ -= size_t(n);
        if (outputStart_ == front.size()) {
            output_.pop_front();
            outputStart_ = 0;
        }
    }
    return true;
}

void AgentSession::resetSession() {
    channels_.clear(); // closes every stream descriptor
    partial_.clear();
    partialBytes_ = 0;
}

std::string AgentSession::run() {
    lastInput_ = std::chrono::steady_clock::now();
    std::vector<pollfd> fds;
    std::vector<uint32_t> channelIds;
    char buffer[65536];
    for (;;) {
        fds.clear();
        channelIds.clear();
        fds.push_back({inFd_, short(outputBytes_ < kOutputStopRequests ? POLLIN : 0), 0});
        fds.push_back({outFd_, short(output_.empty() ? 0 : POLLOUT), 0});
        if (fds[1].events == 0)
            fds[1].fd = -1;
        for (auto& [id, channel] : channels_) {
            short events = channel->pump.events();
            if (outputBytes_ >= kOutputHighWater)
                events &= ~POLLIN;
            if (!events)
                continue;
            fds.push_back({channel->pump.fd(), events, 0});
            channelIds.push_back(id);
        }
        int timeout = -1;
        if (options_.idleResyncMs > 0 && reader_.hasPartial()) {
            auto idle = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::steady_clock::now() - lastInput_)
                            .count();
            timeout = int(std::max<long long>(0, options_.idleResyncMs - idle));
        }
        int ready = ::poll(fds.data(), fds.size(), timeout);
        if (ready < 0) {
            if (errno == EINTR)
                continue;
            return std::string("poll failed: ") + std::strerror(errno);
        }
        if (ready == 0 && options_.idleResyncMs > 0 && reader_.hasPartial()) {
            log("abandoning " + std::to_string(reader_.buffered()) +
                " bytes of an unfinished frame after " + std::to_string(options_.idleResyncMs) +
                " ms of silence (the client went away mid-frame)");
            reader_.abandonPartial();
            lastInput_ = std::chrono::steady_clock::now();
        }

        if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
            ssize_t n = ::read(inFd_, buffer, sizeof buffer);
            if (n == 0) {
                if (!options_.awaitPeer || !options_.awaitPeer())
                    return "the client closed the connection";
                peerReturned_ = true;
                continue;
            }
            if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
                return std::string("reading from the client failed: ") + std::strerror(errno);
            if (n > 0) {
                // A client that vanished mid-frame left a frame in progress;
                // a new connection starts with a header (its HELLO), while a
                // frame that merely straddled a late hang-up notice goes on
                // with payload.
                if (peerReturned_ && reader_.hasPartial() &&
                    FrameReader::startsWithHeader(std::string_view(buffer, size_t(n)))) {
                    log("abandoning " + std::to_string(reader_.buffered()) +
                        " bytes of an unfinished frame: a new client started");
                    reader_.abandonPartial();
                }
                peerReturned_ = false;
                reader_.feed(buffer, size_t(n));
                lastInput_ = std::chrono::steady_clock::now();
            }
        }
        for (;;) {
            FrameReader::Event event = reader_.next();
            if (event.kind == FrameReader::Kind::NeedMore)
                break;
            if (event.kind == FrameReader::Kind::Error) {
                log("refused malformed input: " + event.message);
                int errnum = event.problem == FrameReader::Problem::Version     ? EPROTONOSUPPORT
                             : event.problem == FrameReader::Problem::Oversized ? EMSGSIZE
                                                                                : EPROTO;
                std::string message = event.message;
                if (event.problem == FrameReader::Problem::Version)
                    message = "this v3agent speaks protocol version " +
                              std::to_string(kProtocolVersion) + " but the client sent version " +
                              std::to_string(event.version) +
                              "; use the tools and the agent of one build";
                sendError(event.requestId, Error{errnum, message});
                continue;
            }
            handleFrame(event.frame);
        }

        for (size_t i = 2; i < fds.size(); ++i) {
            if (!fds[i].revents)
                continue;
            auto it = channels_.find(channelIds[i - 2]);
            if (it == channels_.end()) // closed by a frame handled above
                continue;
            bool remove = false;
            pumpChannel(it->first, *it->second, fds[i].revents, remove);
            if (remove)
                channels_.erase(it);
        }
        if (!flushOutput())
            return std::string("writing to the client failed: ") + std::strerror(errno);
    }
}

void AgentSession::pumpChannel(uint32_t id, Channel& channel, short revents, bool& remove) {
    StreamPump& pump = channel.pump;
    if ((revents & POLLOUT) || ((revents & (POLLHUP | POLLERR)) && pump.hasPending())) {
        uint32_t written = 0;
        auto result = pump.flush(written);
        if (written) {
            std::string ack(4, '\0');
            for (int b = 0; b < 4; ++b)
                ack[size_t(b)] = char(written >> (8 * b));
            send(FrameType::Ack, id, 0, ack);
        }
        if (result == StreamPump::WriteResult::Failed) {
            send(FrameType::Close, id, 0,
                 encodeError(Error{EPIPE, "the VM stream no longer accepts input"}));
            remove = true;
            return;
        }
    }
    if ((revents & (POLLIN | POLLHUP | POLLERR)) && (pump.events() & POLLIN)) {
        std::string data;
        auto result = pump.read(data);
        if (result == StreamPump::ReadResult::Data) {
            send(FrameType::Data, id, 0, data);
        } else if (result == StreamPump::ReadResult::End) {
            send(FrameType::Close, id, 0, encodeError(Error{0, "the VM stream ended"}));
            remove = true;
        }
    }
}

void AgentSession::handleFrame(Frame& frame) {
    switch (frame.type) {
    case FrameType::Hello:
        handleHello(frame);
        return;
    case FrameType::Bye:
        resetSession();
        helloSeen_ = false;
        send(FrameType::Bye, 0, frame.requestId, {});
        return;
    case FrameType::Request:
        handleRequestFrame(frame);
        return;
    case FrameType::Data: {
        auto it = channels_.find(frame.channel);
        if (it == channels_.end())
            return; // the channel closed while this was in flight
        if (!it->second->pump.deliver(frame.payload)) {
            send(FrameType::Close, frame.channel, 0,
                 encodeError(Error{EPROTO, "the client overran the channel's window"}));
            channels_.erase(it);
        }
        return;
    }
    case FrameType::Ack: {
        auto it = channels_.find(frame.channel);
        if (it == channels_.end())
            return;
        uint32_t n = 0;
        bool ok = frame.payload.size() == 4;
        for (size_t b = 0; ok && b < 4; ++b)
            n |= uint32_t(uint8_t(frame.payload[b])) << (8 * b);
        if (!ok || !it->second->pump.acknowledged(n)) {
            send(FrameType::Close, frame.channel, 0,
                 encodeError(Error{EPROTO, "the client acknowledged bytes it was never sent"}));
            channels_.erase(it);
        }
        return;
    }
    case FrameType::Close:
        channels_.erase(frame.channel);
        return;
    case FrameType::Welcome:
    case FrameType::Response:
    case FrameType::Error:
        sendError(frame.requestId, Error{EPROTO, std::string("a client does not send ") +
                                                     frameTypeName(frame.type) + " frames"});
        return;
    }
}

void AgentSession::handleHello(const Frame& frame) {
    auto fields = Fields::parse(frame.payload);
    auto version = fields ? fields.value().u32(Tag::Protocol) : Result<uint32_t>(fields.error());
    if (!version) {
        sendError(frame.requestId, Error{EPROTO, "HELLO is malformed: " + version.error().message});
        return;
    }
    if (version.value() != kProtocolVersion) {
        sendError(frame.requestId,
                  Error{EPROTONOSUPPORT,
                        "this v3agent speaks protocol version " + std::to_string(kProtocolVersion) +
                            " but the client asked for version " + std::to_string(version.value()) +
                            "; use the tools and the agent of one build"});
        return;
    }
    if (helloSeen_)
        log("a new client said HELLO: the previous session ends");
    resetSession();
    helloSeen_ = true;
    FieldWriter out;
    out.u32(Tag::Protocol, kProtocolVersion).str(Tag::Peer, options_.description);
    send(FrameType::Welcome, 0, frame.requestId, out.bytes());
}

void AgentSession::handleRequestFrame(Frame& frame) {
    const uint32_t id = frame.requestId;
    if (!helloSeen_) {
        sendError(id, Error{EPROTO, "a request arrived before HELLO; the session starts with "
                                    "HELLO"});
        return;
    }
    if (id == 0) {
        sendError(0, Error{EPROTO, "a request has id 0, which is reserved"});
        return;
    }
    auto it = partial_.find(id);
    if (it == partial_.end() && !(frame.flags & kFlagMore)) {
        perform(id, frame.payload); // the common case: a request in one frame
        return;
    }
    if (it == partial_.end()) {
        if (partial_.size() >= kMaxPartialRequests) {
            sendError(id, Error{EBUSY, "too many requests are being uploaded at once (limit " +
                                           std::to_string(kMaxPartialRequests) + ")"});
            it = partial_.emplace(id, PartialRequest{{}, true}).first;
        } else {
            it = partial_.emplace(id, PartialRequest{}).first;
        }
    }
    PartialRequest& request = it->second;
    if (!request.refused) {
        // One bound for everything half-received, so several uploads at
        // once cannot multiply it.
        if (partialBytes_ + frame.payload.size() > options_.maxRequest) {
            sendError(id, Error{EMSGSIZE, "the request is larger than " +
                                              std::to_string(options_.maxRequest) +
                                              " bytes, counting any other upload in progress "
                                              "(images are limited to 512 MiB)"});
            partialBytes_ -= request.payload.size();
            request.payload = std::string();
            request.refused = true;
        } else {
            request.payload += frame.payload;
            partialBytes_ += frame.payload.size();
        }
    }
    if (frame.flags & kFlagMore)
        return;
    std::string payload = std::move(request.payload);
    bool refused = request.refused;
    partialBytes_ -= payload.size();
    partial_.erase(it);
    if (!refused)
        perform(id, payload);
}

void AgentSession::perform(uint32_t id, const std::string& payload) {
    auto parsed = Fields::parse(payload);
    if (!parsed) {
        sendError(id, Error{EPROTO, "the request is malformed: " + parsed.error().message});
        return;
    }
    const Fields& in = parsed.value();
    auto opCode = in.u32(Tag::Op);
    if (!opCode) {
        sendError(id, Error{EPROTO, "the request is malformed: " + opCode.error().message});
        return;
    }
    if (opCode.value() == 0 || opCode.value() > kLastOp) {
        sendError(id,
                  Error{ENOSYS, "unknown operation " + std::to_string(opCode.value()) +
                                    " (this v3agent knows 1 to " + std::to_string(kLastOp) + ")"});
        return;
    }
    const Op op = Op(opCode.value());
    auto fail = [&](const Error& e) { sendError(id, e); };
    auto badRequest = [&](const Error& e) {
        sendError(id,
                  Error{e.errnum ? e.errnum : EPROTO,
                        std::string("the ") + opName(op) + " request is malformed: " + e.message});
    };
    FieldWriter out;
    switch (op) {
    case Op::HostInfo: {
        auto info = host_.hostInfo();
        if (!info)
            return fail(info.error());
        out.str(Tag::HostInfoText, info.value().toKeyValues());
        break;
    }
    case Op::AddMemory: {
        auto bytes = in.u64(Tag::Bytes);
        if (!bytes)
            return badRequest(bytes.error());
        auto added = host_.addMemory(bytes.value());
        if (!added)
            return fail(added.error());
        out.u64(Tag::Bytes, added.value());
        break;
    }
    case Op::ReleaseMemory: {
        auto bytes = in.u64(Tag::Bytes);
        if (!bytes)
            return badRequest(bytes.error());
        auto released = host_.releaseMemory(bytes.value());
        if (!released)
            return fail(released.error());
        out.u64(Tag::Bytes, released.value());
        break;
    }
    case Op::CreateGuest: {
        auto name = in.str(Tag::Name, 255);
        if (!name)
            return badRequest(name.error());
        auto image = in.str(Tag::Image);
        if (!image)
            return badRequest(image.error());
        std::vector<uint8_t> bytes(image.value().begin(), image.value().end());
        auto index = host_.createGuest(bytes, std::string(name.value()));
        if (!index)
            return fail(index.error());
        out.u32(Tag::Index, uint32_t(index.value()));
        break;
    }
    case Op::FreeGuest:
    case Op::Launch:
    case Op::Pause:
    case Op::Resume:
    case Op::Stop: {
        auto index = vmIndex(in);
        if (!index)
            return badRequest(index.error());
        Result<Ok> done = op == Op::FreeGuest ? host_.freeGuest(index.value())
                          : op == Op::Launch  ? host_.launch(index.value())
                          : op == Op::Pause   ? host_.pause(index.value())
                          : op == Op::Resume  ? host_.resume(index.value())
                                              : host_.stop(index.value());
        if (!done)
            return fail(done.error());
        break;
    }
    case Op::VmInfo: {
        auto index = vmIndex(in);
        if (!index)
            return badRequest(index.error());
        auto info = host_.vmInfo(index.value());
        if (!info)
            return fail(info.error());
        writeVmInfo(out, info.value());
        break;
    }
    case Op::KernelLog: {
        auto after = in.u64(Tag::Sequence);
        if (!after)
            return badRequest(after.error());
        auto log = host_.kernelLog(after.value());
        if (!log)
            return fail(log.error());
        writeKernelLog(out, log.value());
        break;
    }
    case Op::ListGuests: {
        auto guests = host_.listGuests();
        if (!guests)
            return fail(guests.error());
        writeGuestList(out, guests.value());
        break;
    }
    case Op::OpenStream: {
        auto index = vmIndex(in);
        if (!index)
            return badRequest(index.error());
        auto stream = in.str(Tag::Stream, 255);
        if (!stream)
            return badRequest(stream.error());
        auto fd = host_.openStream(index.value(), std::string(stream.value()));
        if (!fd)
            return fail(fd.error());
        uint32_t channel = nextChannel_++;
        if (nextChannel_ == 0)
            nextChannel_ = 1;
        channels_[channel] = std::make_unique<Channel>(UniqueFd(fd.value()));
        out.u32(Tag::Channel, channel);
        break;
    }
    }
    respond(id, out.take());
}

} // namespace v3ctl::agent
