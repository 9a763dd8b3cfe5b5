// A host reached through v3agent: every HostConnection operation becomes a
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
#include "agent_protocol.h"
#include "fd_io.h"
#include "host_connection.h"

#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <sys/types.h>

namespace v3ctl {

namespace agent {
class StreamPump;
class FieldWriter;
} // namespace agent

class AgentHost final : public HostConnection {
public:
    struct Transport {
        UniqueFd readFd;
        UniqueFd writeFd;        // invalid: the same descriptor as readFd (a socket)
        pid_t child = -1;        // a process behind the pipes (ssh), reaped on close
        std::string uri;         // "unix:/path", "ssh://host"
        std::string displayName; // "agent at /path", "host (ssh)"
    };

    // Starts the I/O thread and says HELLO; waits up to timeoutMs for the
    // agent's WELCOME, repeating HELLO every second in case the first one
    // was swallowed by the remains of an earlier client's frame on a serial
    // line.
    static Result<std::unique_ptr<AgentHost>> connect(Transport transport, int timeoutMs = 15000);
    ~AgentHost() override;

    std::string uri() const override { return uri_; }
    std::string displayName() const override { return displayName_; }
    Result<HostInfo> hostInfo() override;
    Result<uint64_t> addMemory(uint64_t bytes) override;
    Result<uint64_t> releaseMemory(uint64_t bytes) override;
    Result<int> createGuest(const std::vector<uint8_t>& image, const std::string& name) override;
    Result<Ok> freeGuest(int index) override;
    Result<Ok> launch(int index) override;
    Result<Ok> pause(int index) override;
    Result<Ok> resume(int index) override;
    Result<Ok> stop(int index) override;
    Result<VmInfo> vmInfo(int index) override;
    Result<std::vector<GuestEntry>> listGuests() override;
    Result<int> openStream(int index, const std::string& stream) override;
    Result<KernelLog> kernelLog(uint64_t after) override;

    // What the agent said about itself in WELCOME.
    const std::string& agentDescription() const { return agentDescription_; }
    // Stream channels currently open (their descriptors not yet closed).
    size_t openChannels() const;
    // False once the connection broke; every call then fails.
    bool connected() const;

private:
    explicit AgentHost(Transport transport);

    struct Pending {
        bool done = false;
        bool opensChannel = false;
        agent::Frame answer; // Response or Error
        int channelFd = -1;  // openStream: the caller's end
    };
    struct Channel;

    Result<std::string> call(const agent::FieldWriter& request, bool opensChannel = false,
                             int* channelFd = nullptr, std::string_view bulk = {});
    Result<Ok> simple(uint32_t op, int index);
    // Sends `request` and hands the answer's fields to `read` while the
    // answer they point into is alive.
    template <typename T, typename Read>
    Result<T> ask(const agent::FieldWriter& request, Read read) {
        auto answer = call(request);
        if (!answer)
            return answer.error();
        auto fields = agent::Fields::parse(answer.value());
        if (!fields)
            return fields.error();
        return read(fields.value());
    }
    void enqueue(std::string frame, bool fromIoThread);
    void wake();
    void ioLoop();
    void handleFrame(agent::Frame& frame);
    void failEverything(const std::string& why);
    void pumpChannel(uint32_t id, Channel& channel, short revents);

    std::string uri_;
    std::string displayName_;
    std::string agentDescription_;
    UniqueFd readFd_;
    UniqueFd writeFd_;
    int writeTarget_ = -1;
    pid_t child_ = -1;
    UniqueFd wakeRead_, wakeWrite_;

    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::deque<std::string> output_;
    size_t outputStart_ = 0;
    size_t outputBytes_ = 0;
    std::map<uint32_t, Pending> pending_;
    uint32_t nextId_ = 1;
    uint32_t firstHelloId_ = 0; // HELLOs go out with ids firstHelloId_..helloId_
    uint32_t helloId_ = 0;
    std::optional<Error> helloResult_; // set when WELCOME (or a refusal) arrives
    std::string broken_;               // why the connection is gone; empty while it works
    bool stopping_ = false;
    uint32_t byeId_ = 0;
    bool byeAnswered_ = false;
    size_t channelCount_ = 0;

    // Owned by the I/O thread only.
    std::map<uint32_t, std::unique_ptr<Channel>> channels_;
    std::thread io_;
};

} // namespace v3ctl
