// A host reached through v3agent: every operation of the table becomes a
// REQUEST frame on a byte stream (a unix socket, ssh's stdio, the sandbox's
// serial line) and waits for its RESPONSE or ERROR.
//
// Threading: one background I/O thread owns the connection. It alone reads
// and writes the descriptors: it decodes frames, hands each response to the
// thread waiting for it (matched by request id), and pumps stream channels.
// Operations may be called from any number of threads at once; each queues
// its request frames (blocking while more than a few MiB are queued, so an
// image upload streams instead of being copied whole) and sleeps until its
// answer arrives or the connection breaks.
//
// openStream returns one end of a socketpair; the I/O thread moves bytes
// between the other end and the channel (guest output to the caller, the
// caller's writes to the guest), with the protocol's credit window in both
// directions. Closing the returned descriptor closes the channel; when the
// VM's stream ends, the descriptor reads end-of-file.
#pragma once

#include "agent_fields.h"
#include "agent_link.h"
#include "fd_io.h"
#include "host_connection.h"

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <sys/types.h>

namespace v3ctl {

class AgentHost final : public HostConnection {
public:
    struct Transport {
        UniqueFd readFd;
        UniqueFd writeFd;        // invalid: the same descriptor as readFd (a socket)
        pid_t child = -1;        // a process behind the pipes (ssh), reaped on close
        std::string uri;         // "unix:/path", "ssh://host"
        std::string displayName; // "agent at /path", "host (ssh)"
        // How long the agent may stay silent while a request waits for its
        // answer (counted from the last byte read from the agent or the
        // last request byte it took). The agent performs requests one at a
        // time and its longest, a pause, waits 10 s in the module; an agent
        // silent for longer has hung, or its host has, and the connection
        // is given up instead of leaving the caller waiting for ever (a
        // dead agent in the sandbox leaves its serial port open).
        int answerTimeoutMs = kDefaultAnswerTimeoutMs;
    };
    static constexpr int kDefaultAnswerTimeoutMs = 60000;

    // Starts the I/O thread and says HELLO; waits up to timeoutMs for the
    // agent's WELCOME, repeating HELLO every second in case the first one
    // was swallowed by the remains of an earlier client's frame on a serial
    // line.
    static Result<std::unique_ptr<AgentHost>> connect(Transport transport, int timeoutMs = 15000);
    ~AgentHost() override;

    std::string uri() const override { return uri_; }
    std::string displayName() const override { return displayName_; }
    // Every operation of the table becomes a REQUEST with the row's code and
    // its arguments' fields; the answer's fields become its result.
    void perform(ops::AnyCall call) override;

    // What the agent said about itself in WELCOME.
    const std::string& agentDescription() const { return agentDescription_; }
    // Stream channels currently open (their descriptors not yet closed).
    size_t openChannels() const;
    // False once the connection broke; every call then fails.
    bool connected() const;
    // Gives the connection up: waiting calls fail at once with `why`.
    void abandon(const std::string& why) override {
        failEverything(why, ECANCELED);
        wake();
    }

private:
    explicit AgentHost(Transport transport);

    struct Pending {
        bool done = false;
        bool opensChannel = false;
        agent::Frame answer;   // Response or Error
        int channelFd = -1;    // openStream: the caller's end
        const char* what = ""; // the operation's name, for a timeout's message
    };
    Result<std::string> exchange(const char* what, const agent::FieldWriter& request,
                                 bool opensChannel = false, int* channelFd = nullptr,
                                 std::string_view bulk = {});
    // The I/O thread's check of answerTimeoutMs_; true when it gave up.
    bool answerOverdue(std::chrono::steady_clock::time_point lastActivity);
    template <typename Op> Result<typename Op::Value> request(const typename Op::Args& args);
    template <typename Op>
    Result<typename Op::Value> requestOverAgent(const typename Op::Args& args);
    // Queues a frame from a calling thread (waits while the queue is long).
    void enqueue(agent::FrameType type, uint16_t flags, uint32_t id, std::string_view payload);
    void wake();
    void ioLoop();
    void handleFrame(agent::Frame& frame);
    void failEverything(const std::string& why, int errnum = ECONNRESET);
    std::string closedByAgent() const {
        return "the agent (" + displayName_ + ") closed the connection";
    }

    std::string uri_;
    std::string displayName_;
    std::string agentDescription_;
    UniqueFd readFd_;
    UniqueFd writeFd_;
    int writeTarget_ = -1;
    pid_t child_ = -1;
    int answerTimeoutMs_ = kDefaultAnswerTimeoutMs;
    UniqueFd wakeRead_, wakeWrite_;

    mutable std::mutex mutex_;
    std::condition_variable changed_;
    agent::FrameQueue output_;
    std::map<uint32_t, Pending> pending_;
    uint32_t nextId_ = 1;
    uint32_t firstHelloId_ = 0; // HELLOs go out with ids firstHelloId_..helloId_
    uint32_t helloId_ = 0;
    std::optional<Error> helloResult_; // set when WELCOME (or a refusal) arrives
    std::string broken_;               // why the connection is gone; empty while it works
    int brokenErrno_ = ECONNRESET;
    bool stopping_ = false;
    uint32_t byeId_ = 0;
    bool byeAnswered_ = false;
    size_t channelCount_ = 0; // channels_.size(), for other threads

    // Used by the I/O thread only, with mutex_ held (it queues frames).
    agent::ChannelTable channels_;
    std::thread io_;
};

} // namespace v3ctl
