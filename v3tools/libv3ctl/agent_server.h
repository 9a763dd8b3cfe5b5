// The agent side of the protocol: serves one HostConnection (LocalHost in
// v3agent, a test double in the tests) to one client over a byte stream.
//
// One thread runs the whole session in a poll() loop: it reads frames,
// performs each request synchronously on the host (the v3vee ioctls are
// short), and pumps every open stream channel both ways. Replies go through
// an output queue written without blocking, so a client that is slow to
// read never stops the agent from reading (no write/write deadlock); while
// the queue is long the agent stops reading VM streams instead.
//
// Sessions: a client starts with HELLO; the agent answers WELCOME. A HELLO
// in the middle of a session (a new client on a serial line, where the old
// one's disconnect is invisible) or a BYE ends the old session: its
// channels close and half-received requests are dropped. Malformed input is
// answered with an ERROR frame and the session goes on.
#pragma once

#include "agent_fields.h"
#include "agent_link.h"
#include "host_connection.h"

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>

namespace v3ctl::agent {

struct SessionOptions {
    // Who answers: sent in WELCOME ("v3agent on v3sandbox").
    std::string description = "v3agent";
    // On a serial line a client can vanish mid-frame without any sign; after
    // this many milliseconds without input, a frame in progress is abandoned
    // (0: never, for sockets and pipes where a disconnect is visible).
    int idleResyncMs = 0;
    // For a transport whose peer comes and goes while the descriptor stays
    // open (a virtio-serial port: each client is one connection to QEMU's
    // socket). read() then reports end-of-file while nobody is connected;
    // instead of ending, the session calls this, which returns true once a
    // peer may be back (false ends the session). Sessions are delimited by
    // HELLO and BYE only: the port's connected state reaches the guest on a
    // different queue than the data, late, so a session cut at a reported
    // hang-up could swallow the next client's first bytes.
    std::function<bool()> awaitPeer;
    // Largest request reassembled from several frames, counting every
    // upload in progress at once (V3_IMAGE_MAX plus room for the fields).
    uint64_t maxRequest = kMaxRequest;
    // Diagnostics (malformed frames, abandoned frames); may be empty.
    std::function<void(const std::string&)> log;
};

class AgentSession {
public:
    // Serves on inFd/outFd (the same descriptor for a socket). They are not
    // closed by the session.
    AgentSession(HostConnection& host, int inFd, int outFd, SessionOptions options = {});
    ~AgentSession();
    AgentSession(const AgentSession&) = delete;
    AgentSession& operator=(const AgentSession&) = delete;

    // Serves until the input ends (see awaitPeer) or the output fails;
    // returns why.
    std::string run();

private:
    struct PartialRequest {
        std::string payload;
        bool refused = false; // too large: drop the rest, the error is already sent
    };

    void handleFrame(Frame& frame);
    void handleHello(const Frame& frame);
    void handleRequestFrame(Frame& frame);
    // Finds the request's operation in the table and serves it.
    void perform(uint32_t requestId, const std::string& payload);
    template <typename Op> void serve(uint32_t requestId, const Fields& in);
    template <typename Op> void serveOverAgent(uint32_t requestId, const Fields& in);
    void resetSession();

    void send(FrameType type, uint32_t channel, uint32_t requestId, std::string_view payload);
    void sendError(uint32_t requestId, const Error& error);
    void respond(uint32_t requestId, std::string payload);
    void log(const std::string& message) const;

    HostConnection& host_;
    int inFd_;
    int outFd_;
    SessionOptions options_;
    FrameReader reader_;
    FrameQueue output_;
    bool helloSeen_ = false;
    bool peerReturned_ = false; // awaitPeer() returned since the last input
    ChannelTable channels_;
    uint32_t nextChannel_ = 1;
    std::map<uint32_t, PartialRequest> partial_;
    uint64_t partialBytes_ = 0;
    std::chrono::steady_clock::time_point lastInput_;
    int savedInFlags_ = -1;
    int savedOutFlags_ = -1;
};

} // namespace v3ctl::agent
