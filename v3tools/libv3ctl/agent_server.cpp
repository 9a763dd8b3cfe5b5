#include "agent_server.h"
#include "agent_messages.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <type_traits>
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
    output_.push(type, channel, requestId, payload);
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

void AgentSession::resetSession() {
    channels_.clear(); // closes every stream descriptor
    partial_.clear();
    partialBytes_ = 0;
}

std::string AgentSession::run() {
    lastInput_ = std::chrono::steady_clock::now();
    std::vector<pollfd> fds;
    char buffer[65536];
    for (;;) {
        fds.clear();
        fds.push_back({inFd_, short(output_.bytes() < kOutputStopRequests ? POLLIN : 0), 0});
        fds.push_back({outFd_, short(output_.empty() ? 0 : POLLOUT), 0});
        if (fds[1].events == 0)
            fds[1].fd = -1;
        channels_.addPollFds(fds, output_.bytes() < kOutputHighWater);
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

        channels_.service(fds, 2, output_);
        if (output_.flush(outFd_) == FrameQueue::Flush::Failed)
            return std::string("writing to the client failed: ") + std::strerror(errno);
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
    case FrameType::Data:
    case FrameType::Ack:
    case FrameType::Close:
        channels_.handle(frame, output_);
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
    auto code = in.u32(Tag::Op);
    if (!code) {
        sendError(id, Error{EPROTO, "the request is malformed: " + code.error().message});
        return;
    }
    const bool known = ops::findOperation([&]<typename Op>() {
        if (Op::code != code.value())
            return false;
        serve<Op>(id, in);
        return true;
    });
    if (!known)
        sendError(id, Error{ENOSYS, "unknown operation " + std::to_string(code.value()) +
                                        " (this v3agent knows 1 to " +
                                        std::to_string(ops::kLastCode) + ")"});
}

template <typename Op> void AgentSession::serve(uint32_t id, const Fields& in) {
    if constexpr (requires { Op::localOnly; }) {
        (void)in;
        sendError(id,
                  Error{ENOTSUP, std::string(Op::doing) + " through the agent is not available"});
    } else {
        serveOverAgent<Op>(id, in);
    }
}

template <typename Op> void AgentSession::serveOverAgent(uint32_t id, const Fields& in) {
    auto args = readArgs(in, std::type_identity<typename Op::Args>{});
    if (!args) {
        const Error& e = args.error();
        sendError(id,
                  Error{e.errnum ? e.errnum : EPROTO,
                        std::string("the ") + Op::name + " request is malformed: " + e.message});
        return;
    }
    auto value = host_.call<Op>(args.value());
    if (!value) {
        sendError(id, value.error());
        return;
    }
    FieldWriter out;
    if constexpr (std::is_same_v<typename Op::Value, ops::StreamFd>) {
        uint32_t channel = nextChannel_++;
        if (nextChannel_ == 0)
            nextChannel_ = 1;
        channels_.open(channel, UniqueFd(value.value().fd));
        out.u32(Tag::Channel, channel);
    } else {
        writeValue(out, value.value());
    }
    respond(id, out.take());
}

} // namespace v3ctl::agent
