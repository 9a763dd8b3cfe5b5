#include "agent_host.h"
#include "agent_messages.h"

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

} // namespace

AgentHost::AgentHost(Transport transport)
    : uri_(std::move(transport.uri)), displayName_(std::move(transport.displayName)),
      readFd_(std::move(transport.readFd)), writeFd_(std::move(transport.writeFd)),
      child_(transport.child), answerTimeoutMs_(transport.answerTimeoutMs) {
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
        host->output_.push(FrameType::Hello, 0, host->helloId_, hello.bytes());
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
            output_.push(FrameType::Bye, 0, byeId_, {});
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

void AgentHost::enqueue(FrameType type, uint16_t flags, uint32_t id, std::string_view payload) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return output_.bytes() < kOutputHighWater || !broken_.empty(); });
    if (!broken_.empty())
        return;
    output_.push(type, 0, id, payload, flags);
    wake();
}

void AgentHost::failEverything(const std::string& why, int errnum) {
    std::lock_guard lock(mutex_);
    if (broken_.empty()) {
        broken_ = why;
        brokenErrno_ = errnum;
    }
    output_.clear();
    changed_.notify_all();
}

Result<std::string> AgentHost::exchange(const char* what, const FieldWriter& request,
                                        bool opensChannel, int* channelFd, std::string_view bulk) {
    uint32_t id;
    {
        std::lock_guard lock(mutex_);
        if (!broken_.empty())
            return Error{brokenErrno_, broken_};
        id = nextId_++;
        if (id == 0)
            id = nextId_++;
        pending_[id].opensChannel = opensChannel;
        pending_[id].what = what;
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
        enqueue(FrameType::Request, flags, id, payload);
    } while (sent < total);

    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return pending_[id].done || !broken_.empty(); });
    Pending answer = std::move(pending_[id]);
    pending_.erase(id);
    if (!answer.done)
        return Error{brokenErrno_, broken_};
    if (answer.answer.type == FrameType::Error)
        return decodeError(answer.answer.payload);
    if (channelFd)
        *channelFd = answer.channelFd;
    return std::move(answer.answer.payload);
}

void AgentHost::ioLoop() {
    FrameReader reader;
    std::vector<pollfd> fds;
    char buffer[65536];
    std::optional<std::chrono::steady_clock::time_point> giveUpAt;
    auto lastActivity = std::chrono::steady_clock::now();
    bool wasWaiting = false;
    for (;;) {
        bool wantWrite;
        bool waiting;
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
            waiting = !pending_.empty();
        }
        // The silence that counts starts when a call begins to wait.
        if (waiting && !wasWaiting)
            lastActivity = std::chrono::steady_clock::now();
        wasWaiting = waiting;
        if (waiting && answerOverdue(lastActivity))
            break;
        fds.clear();
        const bool sameFd = readFd_.get() == writeTarget_;
        fds.push_back({readFd_.get(), short(POLLIN | (sameFd && wantWrite ? POLLOUT : 0)), 0});
        fds.push_back({wantWrite && !sameFd ? writeTarget_ : -1, POLLOUT, 0});
        fds.push_back({wakeRead_.get(), POLLIN, 0});
        {
            std::lock_guard lock(mutex_);
            channels_.addPollFds(fds, true);
        }
        // While a call waits, wake up in time to notice an overdue answer.
        int timeoutMs = giveUpAt ? 100 : waiting ? std::min(answerTimeoutMs_, 1000) : -1;
        if (::poll(fds.data(), fds.size(), timeoutMs) < 0) {
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
                failEverything(n == 0 || errno == ECONNRESET
                                   ? closedByAgent()
                                   : "reading from the agent (" + displayName_ +
                                         ") failed: " + std::strerror(errno));
                break;
            }
            if (n > 0) {
                reader.feed(buffer, size_t(n));
                lastActivity = std::chrono::steady_clock::now();
            }
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
        std::unique_lock lock(mutex_);
        channels_.service(fds, 3, output_);
        channelCount_ = channels_.size();
        // Write what is queued; the agent taking our bytes is a sign of life
        // too (it reads a long upload for a while before it answers).
        const size_t queued = output_.bytes();
        const FrameQueue::Flush flushed = output_.flush(writeTarget_);
        if (output_.bytes() < queued)
            lastActivity = std::chrono::steady_clock::now();
        if (flushed == FrameQueue::Flush::Failed) {
            // EPIPE and ECONNRESET are the agent hanging up, seen by a write
            // before the read that would say so: the same event, one message.
            std::string why =
                errno == EPIPE || errno == ECONNRESET
                    ? closedByAgent()
                    : "writing to the agent (" + displayName_ + ") failed: " + std::strerror(errno);
            lock.unlock();
            failEverything(why);
            break;
        }
        changed_.notify_all();
    }
    // The connection is gone or we are closing: every channel's user sees
    // end-of-file, every waiting call gets the reason.
    std::lock_guard lock(mutex_);
    channels_.clear();
    channelCount_ = 0;
    if (broken_.empty())
        broken_ = "the connection to the agent (" + displayName_ + ") is closed";
    changed_.notify_all();
}

bool AgentHost::answerOverdue(std::chrono::steady_clock::time_point lastActivity) {
    const auto silent = std::chrono::steady_clock::now() - lastActivity;
    if (silent < std::chrono::milliseconds(answerTimeoutMs_))
        return false;
    std::string waitingFor;
    {
        std::lock_guard lock(mutex_);
        for (const auto& [id, pending] : pending_)
            if (!pending.done) {
                waitingFor = pending.what;
                break;
            }
    }
    if (waitingFor.empty())
        return false;
    const long seconds = long(std::chrono::duration_cast<std::chrono::seconds>(silent).count());
    failEverything("the agent (" + displayName_ + ") has not answered the '" + waitingFor +
                       "' request for " + std::to_string(seconds) +
                       " s: it or its host has hung; check it and connect again",
                   ETIMEDOUT);
    return true;
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
                output_.push(FrameType::Close, channel.value(), 0,
                             encodeError(Error{e, "the client could not open the channel"}));
            } else {
                // Registered here, before any DATA behind this answer is read.
                channels_.open(channel.value(), UniqueFd(pair[1]));
                channelCount_ = channels_.size();
                pending.channelFd = pair[0];
            }
        }
        pending.answer = std::move(frame);
        pending.done = true;
        changed_.notify_all();
        return;
    }
    case FrameType::Data:
    case FrameType::Ack:
    case FrameType::Close: {
        std::lock_guard lock(mutex_);
        channels_.handle(frame, output_);
        channelCount_ = channels_.size();
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

template <typename Op>
Result<typename Op::Value> AgentHost::request(const typename Op::Args& args) {
    if constexpr (requires { Op::localOnly; }) {
        (void)args;
        return Error{ENOTSUP,
                     std::string(Op::doing) +
                         " through an agent is not available yet; run the tool on the "
                         "machine that has the module (inside the sandbox: v3sandbox run)"};
    } else {
        return requestOverAgent<Op>(args);
    }
}

template <typename Op>
Result<typename Op::Value> AgentHost::requestOverAgent(const typename Op::Args& args) {
    FieldWriter fields;
    fields.u32(Tag::Op, Op::code);
    const std::string_view bulk = writeArgs(fields, args);
    if (bulk.size() > kMaxRequest - 4096)
        return Error{EFBIG, "the image has " + std::to_string(bulk.size()) +
                                " bytes; the agent accepts at most 512 MiB"};
    if constexpr (std::is_same_v<typename Op::Value, ops::StreamFd>) {
        int fd = -1;
        TRY(exchange(Op::name, fields, true, &fd));
        if (fd < 0)
            return Error{EPROTO, "the agent opened a stream but no channel was set up"};
        return ops::StreamFd{fd};
    } else {
        const std::string answer = TRY(exchange(Op::name, fields, false, nullptr, bulk));
        const Fields parsed = TRY(Fields::parse(answer));
        return readValue(parsed, std::type_identity<typename Op::Value>{});
    }
}

void AgentHost::perform(ops::AnyCall call) {
    std::visit([&]<typename Op>(ops::Call<Op>* c) { c->result = request<Op>(c->args); }, call);
}

} // namespace v3ctl
