#include "agent_host.h"
#include "agent_messages.h"
#include "stream_pump.h"

#include <cerrno>
#include <csignal>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <random>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

namespace v3ctl {

using namespace agent;

namespace {

// Callers wait while this much is queued: an upload streams through.
constexpr size_t kOutputHighWater = 4u << 20;
constexpr int kHelloRepeatMs = 1000;

std::string u32Payload(uint32_t v) {
    std::string s(4, '\0');
    for (int b = 0; b < 4; ++b)
        s[size_t(b)] = char(v >> (8 * b));
    return s;
}

} // namespace

struct AgentHost::Channel {
    Channel(UniqueFd fd) : pump(std::move(fd)) {}
    StreamPump pump;
    bool peerClosed = false; // the agent sent CLOSE: flush, then close our end
};

AgentHost::AgentHost(Transport transport)
    : uri_(std::move(transport.uri)), displayName_(std::move(transport.displayName)),
      readFd_(std::move(transport.readFd)), writeFd_(std::move(transport.writeFd)),
      child_(transport.child) {
    writeTarget_ = writeFd_.valid() ? writeFd_.get() : readFd_.get();
    int pipe[2];
    if (::pipe2(pipe, O_CLOEXEC | O_NONBLOCK) == 0) {
        wakeRead_.reset(pipe[0]);
        wakeWrite_.reset(pipe[1]);
    }
    setNonBlocking(readFd_.get());
    setNonBlocking(writeTarget_);
    // Random first ids: answers meant for an earlier client of the same
    // serial line can never match ours.
    std::random_device random;
    nextId_ = (uint32_t(random()) & 0x7fffffff) | 1;
}

Result<std::unique_ptr<AgentHost>> AgentHost::connect(Transport transport, int timeoutMs) {
    std::unique_ptr<AgentHost> host(new AgentHost(std::move(transport)));
    if (!host->wakeRead_.valid())
        return errnoError(errno, "cannot create a pipe for the agent connection");
    host->io_ = std::thread([h = host.get()] { h->ioLoop(); });

    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMs);
    std::unique_lock lock(host->mutex_);
    host->firstHelloId_ = host->nextId_;
    while (!host->helloResult_ && host->broken_.empty()) {
        FieldWriter hello;
        hello.u32(Tag::Protocol, kProtocolVersion).str(Tag::Peer, "libv3ctl");
        host->helloId_ = host->nextId_++;
        std::string frame = encodeFrame(FrameType::Hello, 0, 0, host->helloId_, hello.bytes());
        host->outputBytes_ += frame.size();
        host->output_.push_back(std::move(frame));
        host->wake();
        auto until = std::min(deadline, std::chrono::steady_clock::now() +
                                            std::chrono::milliseconds(kHelloRepeatMs));
        host->changed_.wait_until(lock, until,
                                  [&] { return host->helloResult_ || !host->broken_.empty(); });
        if (!host->helloResult_ && host->broken_.empty() &&
            std::chrono::steady_clock::now() >= deadline) {
            lock.unlock();
            std::string where = host->displayName_;
            return Error{ETIMEDOUT,
                         "the agent (" + where + ") did not answer within " +
                             std::to_string(timeoutMs / 1000) +
                             " s; is v3agent running there, and is no other program using the "
                             "same channel?"};
        }
    }
    // An agent that refuses the HELLO (e.g. a peer it does not admit)
    // hangs up right after its answer: the reason beats the hang-up.
    if (host->helloResult_ && host->helloResult_->errnum != 0)
        return *host->helloResult_;
    if (!host->broken_.empty())
        return Error{ECONNRESET, host->broken_};
    return host;
}

AgentHost::~AgentHost() {
    {
        std::lock_guard lock(mutex_);
        if (broken_.empty()) {
            byeId_ = nextId_++;
            std::string bye = encodeFrame(FrameType::Bye, 0, 0, byeId_, {});
            outputBytes_ += bye.size();
            output_.push_back(std::move(bye));
        }
        stopping_ = true;
    }
    wake();
    if (io_.joinable())
        io_.join();
    readFd_.reset();
    writeFd_.reset();
    if (child_ > 0) {
        // ssh ends once its input closes; give it a moment, then insist.
        for (int waited = 0; waited < 50; ++waited) {
            if (::waitpid(child_, nullptr, WNOHANG) != 0)
                return;
            ::usleep(100 * 1000);
        }
        ::kill(child_, SIGTERM);
        while (::waitpid(child_, nullptr, 0) < 0 && errno == EINTR) {
        }
    }
}

void AgentHost::wake() {
    char byte = 1;
    (void)!::write(wakeWrite_.get(), &byte, 1);
}

size_t AgentHost::openChannels() const {
    std::lock_guard lock(mutex_);
    return channelCount_;
}

bool AgentHost::connected() const {
    std::lock_guard lock(mutex_);
    return broken_.empty();
}

void AgentHost::enqueue(std::string frame, bool fromIoThread) {
    std::unique_lock lock(mutex_);
    if (!fromIoThread)
        changed_.wait(lock, [&] { return outputBytes_ < kOutputHighWater || !broken_.empty(); });
    if (!broken_.empty())
        return;
    outputBytes_ += frame.size();
    output_.push_back(std::move(frame));
    if (!fromIoThread)
        wake();
}

void AgentHost::failEverything(const std::string& why) {
    std::lock_guard lock(mutex_);
    if (broken_.empty())
        broken_ = why;
    output_.clear();
    outputBytes_ = 0;
    outputStart_ = 0;
    changed_.notify_all();
}

Result<std::string> AgentHost::call(const FieldWriter& request, bool opensChannel, int* channelFd,
                                    std::string_view bulk) {
    uint32_t id;
    {
        std::lock_guard lock(mutex_);
        if (!broken_.empty())
            return Error{ECONNRESET, broken_};
        id = nextId_++;
        if (id == 0)
            id = nextId_++;
        pending_[id].opensChannel = opensChannel;
    }
    // The payload is the request's fields followed by `bulk` (an image's
    // bytes, whose field header ends `request`), cut into frames of at most
    // kMaxPayload without copying the bulk as a whole.
    std::string_view head = request.bytes();
    const size_t total = head.size() + bulk.size();
    size_t sent = 0;
    do {
        size_t size = std::min<size_t>(kMaxPayload, total - sent);
        std::string payload;
        payload.reserve(size);
        size_t from = sent;
        if (from < head.size()) {
            size_t n = std::min(size, head.size() - from);
            payload.append(head.substr(from, n));
            from += n;
        }
        if (payload.size() < size)
            payload.append(bulk.substr(from - head.size(), size - payload.size()));
        sent += size;
        uint16_t flags = sent < total ? kFlagMore : 0;
        enqueue(encodeFrame(FrameType::Request, flags, 0, id, payload), false);
    } while (sent < total);

    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return pending_[id].done || !broken_.empty(); });
    Pending answer = std::move(pending_[id]);
    pending_.erase(id);
    if (!answer.done)
        return Error{ECONNRESET, broken_};
    if (answer.answer.type == FrameType::Error)
        return decodeError(answer.answer.payload);
    if (channelFd)
        *channelFd = answer.channelFd;
    return std::move(answer.answer.payload);
}

void AgentHost::ioLoop() {
    FrameReader reader;
    std::vector<pollfd> fds;
    std::vector<uint32_t> ids;
    char buffer[65536];
    std::optional<std::chrono::steady_clock::time_point> giveUpAt;
    for (;;) {
        bool wantWrite;
        {
            std::lock_guard lock(mutex_);
            if (!broken_.empty())
                break;
            if (stopping_ && !giveUpAt)
                giveUpAt = std::chrono::steady_clock::now() + std::chrono::seconds(2);
            // Closing: once the agent answered BYE (it has read everything
            // we sent), or after 2 s without an answer.
            if (stopping_ &&
                (byeAnswered_ || byeId_ == 0 || std::chrono::steady_clock::now() >= *giveUpAt))
                break;
            wantWrite = !output_.empty();
        }
        fds.clear();
        ids.clear();
        const bool sameFd = readFd_.get() == writeTarget_;
        fds.push_back({readFd_.get(), short(POLLIN | (sameFd && wantWrite ? POLLOUT : 0)), 0});
        fds.push_back({wantWrite && !sameFd ? writeTarget_ : -1, POLLOUT, 0});
        fds.push_back({wakeRead_.get(), POLLIN, 0});
        for (auto& [id, channel] : channels_) {
            short events = channel->pump.events();
            if (channel->peerClosed)
                events &= ~POLLIN;
            fds.push_back({channel->pump.fd(), events, 0}); // HUP is reported regardless
            ids.push_back(id);
        }
        if (::poll(fds.data(), fds.size(), giveUpAt ? 100 : -1) < 0) {
            if (errno == EINTR)
                continue;
            failEverything(std::string("polling the agent connection failed: ") +
                           std::strerror(errno));
            break;
        }
        if (fds[2].revents & POLLIN) {
            char drain[64];
            while (::read(wakeRead_.get(), drain, sizeof drain) > 0) {
            }
        }
        if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
            ssize_t n = ::read(readFd_.get(), buffer, sizeof buffer);
            if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
                failEverything(n == 0 ? "the agent (" + displayName_ + ") closed the connection"
                                      : "reading from the agent (" + displayName_ +
                                            ") failed: " + std::strerror(errno));
                break;
            }
            if (n > 0)
                reader.feed(buffer, size_t(n));
        }
        for (;;) {
            FrameReader::Event event = reader.next();
            if (event.kind == FrameReader::Kind::NeedMore)
                break;
            bool handshaking;
            {
                std::lock_guard lock(mutex_);
                handshaking = !helloResult_;
            }
            if (event.kind == FrameReader::Kind::Error) {
                if (event.problem == FrameReader::Problem::Version) {
                    failEverything("the agent (" + displayName_ + ") speaks protocol version " +
                                   std::to_string(event.version) + "; this program speaks " +
                                   std::to_string(kProtocolVersion) +
                                   ". Use the tools and the agent of one build");
                    break;
                }
                // Before WELCOME, leftovers of an earlier session on a serial
                // line are expected; afterwards the stream must be clean.
                if (!handshaking) {
                    failEverything("the agent (" + displayName_ +
                                   ") sent malformed data: " + event.message);
                    break;
                }
                continue;
            }
            handleFrame(event.frame);
        }
        {
            std::lock_guard lock(mutex_);
            if (!broken_.empty())
                break;
        }
        for (size_t i = 3; i < fds.size(); ++i) {
            if (!fds[i].revents)
                continue;
            auto it = channels_.find(ids[i - 3]);
            if (it == channels_.end())
                continue;
            pumpChannel(it->first, *it->second, fds[i].revents);
        }
        // Channels whose work is done: closed by the agent and flushed, or
        // closed by their user.
        for (auto it = channels_.begin(); it != channels_.end();) {
            if (it->second->peerClosed && !it->second->pump.hasPending()) {
                it = channels_.erase(it);
                std::lock_guard lock(mutex_);
                --channelCount_;
            } else {
                ++it;
            }
        }
        // Write what is queued.
        std::unique_lock lock(mutex_);
        while (!output_.empty()) {
            const std::string& front = output_.front();
            ssize_t n = writeNoSigpipe(writeTarget_, front.data() + outputStart_,
                                       front.size() - outputStart_);
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
                break;
            if (n <= 0) {
                std::string why =
                    "writing to the agent (" + displayName_ + ") failed: " + std::strerror(errno);
                lock.unlock();
                failEverything(why);
                break;
            }
            outputStart_ += size_t(n);
            outputBytes_ -= size_t(n);
            if (outputStart_ == front.size()) {
                output_.pop_front();
                outputStart_ = 0;
            }
        }
        if (lock.owns_lock())
            changed_.notify_all();
    }
    // The connection is gone or we are closing: every channel's user sees
    // end-of-file, every waiting call gets the reason.
    channels_.clear();
    std::lock_guard lock(mutex_);
    channelCount_ = 0;
    if (broken_.empty())
        broken_ = "the connection to the agent (" + displayName_ + ") is closed";
    changed_.notify_all();
}

void AgentHost::handleFrame(Frame& frame) {
    switch (frame.type) {
    case FrameType::Welcome:
    case FrameType::Response:
    case FrameType::Error: {
        std::lock_guard lock(mutex_);
        if (!helloResult_) {
            // Only answers to our HELLOs count; anything else is a
            // leftover of an earlier client.
            if (frame.requestId < firstHelloId_ || frame.requestId > helloId_)
                return;
            if (frame.type == FrameType::Welcome) {
                auto fields = Fields::parse(frame.payload);
                auto peer = fields ? fields.value().str(Tag::Peer)
                                   : Result<std::string_view>(fields.error());
                agentDescription_ = peer ? std::string(peer.value()) : "v3agent";
                helloResult_ = Error{0, {}};
            } else if (frame.type == FrameType::Error) {
                Error e = decodeError(frame.payload);
                helloResult_ = Error{e.errnum ? e.errnum : EPROTO,
                                     "the agent (" + displayName_ + ") refused: " + e.message};
            } else {
                return;
            }
            changed_.notify_all();
            return;
        }
        if (frame.type == FrameType::Welcome)
            return; // a repeated HELLO's answer
        auto it = pending_.find(frame.requestId);
        if (it == pending_.end()) {
            if (frame.type == FrameType::Error && frame.requestId == 0) {
                // The agent could not tell which request it refused: nothing
                // can be trusted any more.
                Error e = decodeError(frame.payload);
                broken_ = "the agent (" + displayName_ + ") reported: " + e.message;
                changed_.notify_all();
            }
            return;
        }
        Pending& pending = it->second;
        if (pending.opensChannel && frame.type == FrameType::Response) {
            auto fields = Fields::parse(frame.payload);
            auto channel =
                fields ? fields.value().u32(Tag::Channel) : Result<uint32_t>(fields.error());
            int pair[2];
            if (!channel) {
                frame.type = FrameType::Error;
                frame.payload = encodeError(Error{EPROTO, "the agent's stream answer is "
                                                          "malformed: " +
                                                              channel.error().message});
            } else if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) {
                int e = errno;
                frame.type = FrameType::Error;
                frame.payload = encodeError(errnoError(e, "cannot create a socketpair"));
                std::string close = encodeFrame(FrameType::Close, 0, channel.value(), 0, {});
                outputBytes_ += close.size();
                output_.push_back(std::move(close));
            } else {
                // Registered here, before any DATA behind this answer is read.
                channels_[channel.value()] = std::make_unique<Channel>(UniqueFd(pair[1]));
                ++channelCount_;
                pending.channelFd = pair[0];
            }
        }
        pending.answer = std::move(frame);
        pending.done = true;
        changed_.notify_all();
        return;
    }
    case FrameType::Data: {
        auto it = channels_.find(frame.channel);
        if (it == channels_.end())
            return; // we closed it while this was in flight
        if (!it->second->pump.deliver(frame.payload)) {
            enqueue(encodeFrame(FrameType::Close, 0, frame.channel, 0, {}), true);
            channels_.erase(it);
            std::lock_guard lock(mutex_);
            --channelCount_;
        }
        return;
    }
    case FrameType::Ack: {
        auto it = channels_.find(frame.channel);
        uint32_t n = 0;
        for (size_t b = 0; b < 4 && frame.payload.size() == 4; ++b)
            n |= uint32_t(uint8_t(frame.payload[b])) << (8 * b);
        if (it != channels_.end())
            (void)it->second->pump.acknowledged(n);
        return;
    }
    case FrameType::Close: {
        auto it = channels_.find(frame.channel);
        if (it != channels_.end())
            it->second->peerClosed = true;
        return;
    }
    case FrameType::Bye: {
        std::lock_guard lock(mutex_);
        if (byeId_ != 0 && frame.requestId == byeId_)
            byeAnswered_ = true;
        return;
    }
    case FrameType::Hello:
    case FrameType::Request:
        return; // an agent never sends these; ignore rather than trust them
    }
}

void AgentHost::pumpChannel(uint32_t id, Channel& channel, short revents) {
    StreamPump& pump = channel.pump;
    bool userGone = false;
    if (revents & POLLOUT) {
        uint32_t written = 0;
        if (pump.flush(written) == StreamPump::WriteResult::Failed)
            userGone = true;
        if (written)
            enqueue(encodeFrame(FrameType::Ack, 0, id, 0, u32Payload(written)), true);
    }
    if (!userGone && (revents & (POLLIN | POLLHUP | POLLERR)) && (pump.events() & POLLIN) &&
        !channel.peerClosed) {
        std::string data;
        if (pump.read(data) == StreamPump::ReadResult::Data)
            enqueue(encodeFrame(FrameType::Data, 0, id, 0, data), true);
    }
    // POLLHUP on a socketpair end: the user closed theirs (both directions).
    if (userGone || ((revents & (POLLHUP | POLLERR)) && !(revents & POLLIN))) {
        if (!channel.peerClosed)
            enqueue(encodeFrame(FrameType::Close, 0, id, 0, {}), true);
        channels_.erase(id);
        std::lock_guard lock(mutex_);
        --channelCount_;
    }
}

Result<Ok> AgentHost::simple(uint32_t op, int index) {
    FieldWriter request;
    request.u32(Tag::Op, op).u32(Tag::Index, uint32_t(index));
    auto answer = call(request);
    if (!answer)
        return answer.error();
    return Ok{};
}

Result<HostInfo> AgentHost::hostInfo() {
    FieldWriter request;
    request.u32(Tag::Op, uint32_t(Op::HostInfo));
    return ask<HostInfo>(request, [](const Fields& fields) -> Result<HostInfo> {
        auto text = fields.str(Tag::HostInfoText);
        if (!text)
            return text.error();
        return HostInfo::fromKeyValues(std::string(text.value()));
    });
}

Result<uint64_t> AgentHost::addMemory(uint64_t bytes) {
    FieldWriter request;
    request.u32(Tag::Op, uint32_t(Op::AddMemory)).u64(Tag::Bytes, bytes);
    return ask<uint64_t>(request, [](const Fields& fields) { return fields.u64(Tag::Bytes); });
}

Result<uint64_t> AgentHost::releaseMemory(uint64_t bytes) {
    FieldWriter request;
    request.u32(Tag::Op, uint32_t(Op::ReleaseMemory)).u64(Tag::Bytes, bytes);
    return ask<uint64_t>(request, [](const Fields& fields) { return fields.u64(Tag::Bytes); });
}

Result<int> AgentHost::createGuest(const std::vector<uint8_t>& image, const std::string& name) {
    if (image.size() > kMaxRequest - 4096)
        return Error{EFBIG, "the image has " + std::to_string(image.size()) +
                                " bytes; the agent accepts at most 512 MiB"};
    FieldWriter request;
    request.u32(Tag::Op, uint32_t(Op::CreateGuest))
        .str(Tag::Name, name)
        .header(Tag::Image, uint32_t(image.size()));
    auto answer = call(request, false, nullptr,
                       std::string_view(reinterpret_cast<const char*>(image.data()), image.size()));
    if (!answer)
        return answer.error();
    auto fields = Fields::parse(answer.value());
    if (!fields)
        return fields.error();
    auto index = fields.value().u32(Tag::Index);
    if (!index)
        return index.error();
    return int(index.value());
}

Result<Ok> AgentHost::freeGuest(int index) {
    return simple(uint32_t(Op::FreeGuest), index);
}
Result<Ok> AgentHost::launch(int index) {
    return simple(uint32_t(Op::Launch), index);
}
Result<Ok> AgentHost::pause(int index) {
    return simple(uint32_t(Op::Pause), index);
}
Result<Ok> AgentHost::resume(int index) {
    return simple(uint32_t(Op::Resume), index);
}
Result<Ok> AgentHost::stop(int index) {
    return simple(uint32_t(Op::Stop), index);
}

Result<VmInfo> AgentHost::vmInfo(int index) {
    FieldWriter request;
    request.u32(Tag::Op, uint32_t(Op::VmInfo)).u32(Tag::Index, uint32_t(index));
    return ask<VmInfo>(request, [](const Fields& fields) { return readVmInfo(fields); });
}

Result<std::vector<GuestEntry>> AgentHost::listGuests() {
    FieldWriter request;
    request.u32(Tag::Op, uint32_t(Op::ListGuests));
    return ask<std::vector<GuestEntry>>(request,
                                        [](const Fields& fields) { return readGuestList(fields); });
}

Result<KernelLog> AgentHost::kernelLog(uint64_t after) {
    FieldWriter request;
    request.u32(Tag::Op, uint32_t(Op::KernelLog)).u64(Tag::Sequence, after);
    return ask<KernelLog>(request, [](const Fields& fields) { return readKernelLog(fields); });
}

Result<int> AgentHost::openStream(int index, const std::string& stream) {
    FieldWriter request;
    request.u32(Tag::Op, uint32_t(Op::OpenStream))
        .u32(Tag::Index, uint32_t(index))
        .str(Tag::Stream, stream);
    int fd = -1;
    auto answer = call(request, true, &fd);
    if (!answer)
        return answer.error();
    if (fd < 0)
        return Error{EPROTO, "the agent opened a stream but no channel was set up"};
    return fd;
}

} // namespace v3ctl
