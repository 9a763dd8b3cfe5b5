// Test helpers that speak the agent protocol by hand: hand-made (including
// deliberately broken) frames, and a blocking reader of one frame.
#pragma once

#include "agent_fields.h"
#include "agent_protocol.h"

#include <cstring>
#include <poll.h>
#include <string>
#include <unistd.h>

namespace wire {

using namespace v3ctl::agent;

// A frame with every header field chosen by the caller; the checksums are
// computed so the frame is well formed except for what the caller broke.
inline std::string rawFrame(uint8_t version, uint8_t type, uint16_t flags, uint32_t channel,
                            uint32_t requestId, const std::string& payload,
                            uint32_t announcedLength) {
    std::string f = encodeFrame(FrameType::Data, 0, channel, requestId,
                                payload.substr(0, std::min<size_t>(payload.size(), kMaxPayload)));
    f.resize(kHeaderSize);
    f += payload;
    f[4] = char(version);
    f[5] = char(type);
    f[6] = char(flags);
    f[7] = char(flags >> 8);
    for (int i = 0; i < 4; ++i)
        f[size_t(16 + i)] = char(announcedLength >> (8 * i));
    uint32_t payloadCrc = crc32(payload.data(), payload.size());
    for (int i = 0; i < 4; ++i)
        f[size_t(20 + i)] = char(payloadCrc >> (8 * i));
    uint32_t headerCrc = crc32(f.data(), 28);
    for (int i = 0; i < 4; ++i)
        f[size_t(28 + i)] = char(headerCrc >> (8 * i));
    return f;
}

inline std::string hello(uint32_t id, uint32_t protocol = kProtocolVersion) {
    FieldWriter w;
    w.u32(Tag::Protocol, protocol).str(Tag::Peer, "test");
    return encodeFrame(FrameType::Hello, 0, 0, id, w.bytes());
}

inline std::string request(uint32_t id, FieldWriter fields) {
    return encodeFrame(FrameType::Request, 0, 0, id, fields.bytes());
}

inline bool writeAll(int fd, const std::string& bytes) {
    size_t done = 0;
    while (done < bytes.size()) {
        ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n <= 0)
            return false;
        done += size_t(n);
    }
    return true;
}

// Reads until the reader yields a frame (errors are skipped) or the
// timeout passes; type Error with requestId 0xffffffff means nothing came.
class Receiver {
public:
    explicit Receiver(int fd) : fd_(fd) {}
    Frame next(int timeoutMs = 5000) {
        for (;;) {
            FrameReader::Event e = reader_.next();
            if (e.kind == FrameReader::Kind::Frame)
                return e.frame;
            if (e.kind == FrameReader::Kind::Error)
                continue;
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, timeoutMs) <= 0)
                return timedOut();
            char buf[65536];
            ssize_t n = ::read(fd_, buf, sizeof buf);
            if (n <= 0)
                return timedOut();
            reader_.feed(buf, size_t(n));
        }
    }

private:
    static Frame timedOut() {
        Frame f;
        f.type = FrameType::Error;
        f.requestId = 0xffffffff;
        return f;
    }
    int fd_;
    FrameReader reader_;
};

} // namespace wire
