// The v3agent wire format: frames on one byte stream (a pipe, a unix socket,
// ssh's stdio, or a raw serial line out of the sandbox).
//
// A frame is a 32-byte little-endian header followed by its payload:
//
//   offset size  field
//        0    4  magic 0x47413356 ("V3AG" in byte order)
//        4    1  protocol version (kProtocolVersion)
//        5    1  type (FrameType)
//        6    2  flags (kFlagMore; other bits must be 0)
//        8    4  channel (stream frames; 0 otherwise)
//       12    4  request id (requests, responses, errors; 0 = none)
//       16    4  payload length, at most kMaxPayload
//       20    4  CRC-32 of the payload
//       24    4  reserved, 0
//       28    4  CRC-32 of bytes 0..27
//
// The header checksum lets a reader that lost its place (garbage on a serial
// line, a client that vanished mid-frame) find the next real frame by
// scanning for the magic. Payloads are capped at 1 MiB; a request larger than
// that (an image upload, up to V3_IMAGE_MAX = 512 MiB) is split over several
// REQUEST frames with the same id, each but the last flagged kFlagMore, and
// the agent reassembles it (bounded by kMaxRequest).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace v3ctl::agent {

inline constexpr uint32_t kMagic = 0x47413356;
// 2: host info in tagged fields (1 sent it as key=value text).
inline constexpr uint8_t kProtocolVersion = 2;
inline constexpr size_t kHeaderSize = 32;
inline constexpr uint32_t kMaxPayload = 1u << 20;
// Largest reassembled request: an image of V3_IMAGE_MAX plus its fields.
inline constexpr uint64_t kMaxRequest = (512ull << 20) + 4096;

enum class FrameType : uint8_t {
    Hello = 1,    // client -> agent: starts (or restarts) a session
    Welcome = 2,  // agent -> client: the answer to Hello, same request id
    Request = 3,  // client -> agent: one operation (fields)
    Response = 4, // agent -> client: its result (fields)
    Error = 5,    // either way: errno + message; request id of what failed, or 0
    Data = 6,     // either way: stream bytes on a channel (raw payload)
    Ack = 7,      // either way: the receiver consumed N bytes of a channel (u32 payload)
    Close = 8,    // either way: the channel is finished
    Bye = 9,      // client -> agent: the session ends; the agent closes its channels
                  // and answers BYE (same id) so the client knows every byte it
                  // sent was read before it hangs up (QEMU's socket chardev drops
                  // what the guest has not read when the client disconnects)
};
inline constexpr uint8_t kLastFrameType = 9;
const char* frameTypeName(FrameType type);

inline constexpr uint16_t kFlagMore = 1; // the request continues in the next frame
inline constexpr uint16_t kKnownFlags = kFlagMore;

struct Frame {
    FrameType type = FrameType::Error;
    uint16_t flags = 0;
    uint32_t channel = 0;
    uint32_t requestId = 0;
    std::string payload;
};

uint32_t crc32(const void* data, size_t size, uint32_t seed = 0);

// Header + payload, ready to write. The payload must not exceed kMaxPayload
// (callers split larger requests; an oversized one here is a programming
// error and is truncated to the limit).
std::string encodeFrame(const Frame& frame);
// Same, from parts, without building a Frame.
std::string encodeFrame(FrameType type, uint16_t flags, uint32_t channel, uint32_t requestId,
                        std::string_view payload);

// Turns a byte stream that arrives in arbitrary pieces into frames.
// next() yields frames in order; malformed input yields one Error event per
// problem, then the reader resynchronizes by scanning for the next header
// whose checksum is right, so one bad frame never ends the stream.
class FrameReader {
public:
    enum class Kind { NeedMore, Frame, Error };
    enum class Problem {
        None,
        Garbage,         // bytes that are not the start of a frame
        HeaderChecksum,  // magic found, header corrupt
        Version,         // a well-formed header of another protocol version
        Oversized,       // payload length above the limit
        UnknownType,     // well-formed frame of a type this side does not know
        BadFlags,        // reserved flag or field bits set
        PayloadChecksum, // header fine, payload corrupt (or a frame cut short)
    };
    struct Event {
        Kind kind = Kind::NeedMore;
        Frame frame;                     // Kind::Frame
        Problem problem = Problem::None; // Kind::Error
        std::string message;             // Kind::Error: one sentence
        uint32_t requestId = 0;          // Kind::Error: from a readable header, else 0
        uint8_t version = 0;             // Problem::Version: the version seen
    };

    explicit FrameReader(uint32_t maxPayload = kMaxPayload) : maxPayload_(maxPayload) {}

    void feed(const void* data, size_t size);
    Event next();

    // Bytes held that do not yet make a frame (a frame in progress).
    bool hasPartial() const { return !buffer_.empty() || discard_ > 0; }
    size_t buffered() const { return buffer_.size(); }
    // Gives up on the frame in progress (its sender went away): drops its
    // first byte and rescans what is buffered, so a frame that started
    // inside the abandoned one is still found.
    void abandonPartial();

    // True if `bytes` begins with a complete frame header whose magic and
    // checksum are right: the first bytes a new client sends.
    static bool startsWithHeader(std::string_view bytes);

private:
    Event error(Problem problem, std::string message, uint32_t requestId = 0);
    void dropFront(size_t n);

    uint32_t maxPayload_;
    std::string buffer_;
    size_t start_ = 0;      // consumed prefix of buffer_ (compacted lazily)
    uint64_t discard_ = 0;  // payload bytes of a refused frame still to skip
    bool skipping_ = false; // inside a run of garbage already reported
};

} // namespace v3ctl::agent
