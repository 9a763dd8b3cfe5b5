#include "agent_protocol.h"

#include <array>
#include <cstring>

namespace v3ctl::agent {

namespace {

// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), as zlib computes it.
constexpr std::array<uint32_t, 256> makeCrcTable() {
    std::array<uint32_t, 256> table{};
    for (uint32_t i = 0; i < 256; ++i) {
        uint32_t c = i;
        for (int bit = 0; bit < 8; ++bit)
            c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        table[i] = c;
    }
    return table;
}
constexpr std::array<uint32_t, 256> kCrcTable = makeCrcTable();

void putU16(char* p, uint16_t v) {
    p[0] = char(v);
    p[1] = char(v >> 8);
}
void putU32(char* p, uint32_t v) {
    for (int i = 0; i < 4; ++i)
        p[i] = char(v >> (8 * i));
}
uint16_t getU16(const char* p) {
    return uint16_t(uint8_t(p[0]) | uint8_t(p[1]) << 8);
}
uint32_t getU32(const char* p) {
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i)
        v |= uint32_t(uint8_t(p[i])) << (8 * i);
    return v;
}

constexpr char kMagicBytes[4] = {'V', '3', 'A', 'G'};
static_assert(uint8_t(kMagicBytes[0]) == (kMagic & 0xff) &&
              uint8_t(kMagicBytes[3]) == (kMagic >> 24));

// Offsets of the header fields (see agent_protocol.h).
constexpr size_t kVersionAt = 4, kTypeAt = 5, kFlagsAt = 6, kChannelAt = 8, kRequestAt = 12,
                 kLengthAt = 16, kPayloadCrcAt = 20, kReservedAt = 24, kHeaderCrcAt = 28;

std::string plural(uint64_t n, const char* noun) {
    return std::to_string(n) + " " + noun + (n == 1 ? "" : "s");
}

} // namespace

const char* frameTypeName(FrameType type) {
    switch (type) {
    case FrameType::Hello:
        return "HELLO";
    case FrameType::Welcome:
        return "WELCOME";
    case FrameType::Request:
        return "REQUEST";
    case FrameType::Response:
        return "RESPONSE";
    case FrameType::Error:
        return "ERROR";
    case FrameType::Data:
        return "DATA";
    case FrameType::Ack:
        return "ACK";
    case FrameType::Close:
        return "CLOSE";
    case FrameType::Bye:
        return "BYE";
    }
    return "unknown";
}

uint32_t crc32(const void* data, size_t size, uint32_t seed) {
    const auto* p = static_cast<const uint8_t*>(data);
    uint32_t c = ~seed;
    for (size_t i = 0; i < size; ++i)
        c = kCrcTable[(c ^ p[i]) & 0xff] ^ (c >> 8);
    return ~c;
}

std::string encodeFrame(FrameType type, uint16_t flags, uint32_t channel, uint32_t requestId,
                        std::string_view payload) {
    if (payload.size() > kMaxPayload)
        payload = payload.substr(0, kMaxPayload);
    std::string out(kHeaderSize + payload.size(), '\0');
    char* h = out.data();
    std::memcpy(h, kMagicBytes, 4);
    h[kVersionAt] = char(kProtocolVersion);
    h[kTypeAt] = char(type);
    putU16(h + kFlagsAt, flags);
    putU32(h + kChannelAt, channel);
    putU32(h + kRequestAt, requestId);
    putU32(h + kLengthAt, uint32_t(payload.size()));
    putU32(h + kPayloadCrcAt, crc32(payload.data(), payload.size()));
    putU32(h + kReservedAt, 0);
    putU32(h + kHeaderCrcAt, crc32(h, kHeaderCrcAt));
    if (!payload.empty()) // an empty view may have no data pointer at all
        std::memcpy(h + kHeaderSize, payload.data(), payload.size());
    return out;
}

std::string encodeFrame(const Frame& frame) {
    return encodeFrame(frame.type, frame.flags, frame.channel, frame.requestId, frame.payload);
}

void FrameReader::feed(const void* data, size_t size) {
    // Compact once the consumed prefix dominates, so a long session does not
    // grow the buffer and a frame is copied at most a few times.
    if (start_ > 0 && (start_ == buffer_.size() || start_ >= 65536)) {
        buffer_.erase(0, start_);
        start_ = 0;
    }
    buffer_.append(static_cast<const char*>(data), size);
}

void FrameReader::dropFront(size_t n) {
    start_ += n;
    if (start_ >= buffer_.size()) {
        buffer_.clear();
        start_ = 0;
    }
}

bool FrameReader::startsWithHeader(std::string_view bytes) {
    return bytes.size() >= kHeaderSize && std::memcmp(bytes.data(), kMagicBytes, 4) == 0 &&
           getU32(bytes.data() + kHeaderCrcAt) == crc32(bytes.data(), kHeaderCrcAt);
}

void FrameReader::abandonPartial() {
    if (discard_ > 0) {
        discard_ = 0;
        return;
    }
    if (start_ < buffer_.size()) {
        dropFront(1);
        skipping_ = true;
    }
}

FrameReader::Event FrameReader::error(Problem problem, std::string message, uint32_t requestId) {
    Event e;
    e.kind = Kind::Error;
    e.problem = problem;
    e.message = std::move(message);
    e.requestId = requestId;
    return e;
}

FrameReader::Event FrameReader::next() {
    for (;;) {
        std::string_view view(buffer_.data() + start_, buffer_.size() - start_);
        if (discard_ > 0) {
            size_t n = size_t(std::min<uint64_t>(discard_, view.size()));
            dropFront(n);
            discard_ -= n;
            if (discard_ > 0)
                return {};
            continue;
        }
        if (view.empty())
            return {};

        // Where the next frame may start: here, or at the next magic (a
        // magic cut off at the end of the buffer counts).
        size_t candidate = 0;
        if (std::memcmp(view.data(), kMagicBytes, std::min<size_t>(4, view.size())) != 0) {
            candidate = view.size();
            for (size_t i = 1; i < view.size(); ++i) {
                size_t have = std::min<size_t>(4, view.size() - i);
                if (std::memcmp(view.data() + i, kMagicBytes, have) == 0) {
                    candidate = i;
                    break;
                }
            }
            dropFront(candidate);
            if (!skipping_) {
                skipping_ = true;
                return error(Problem::Garbage, "skipped " + plural(candidate, "byte") +
                                                   " that do not start a frame (no V3AG magic)");
            }
            continue;
        }
        if (view.size() < kHeaderSize)
            return {};

        const char* h = view.data();
        if (crc32(h, kHeaderCrcAt) != getU32(h + kHeaderCrcAt)) {
            dropFront(1);
            if (!skipping_) {
                skipping_ = true;
                return error(Problem::HeaderChecksum,
                             "a frame header failed its checksum (corrupted, or not a frame); "
                             "skipping to the next frame");
            }
            continue;
        }
        skipping_ = false; // a well-formed header: we are in step again
        const uint8_t version = uint8_t(h[kVersionAt]);
        const uint8_t type = uint8_t(h[kTypeAt]);
        const uint16_t flags = getU16(h + kFlagsAt);
        const uint32_t requestId = getU32(h + kRequestAt);
        const uint32_t length = getU32(h + kLengthAt);
        if (version != kProtocolVersion) {
            dropFront(kHeaderSize);
            discard_ = length;
            Event e =
                error(Problem::Version,
                      "a frame of protocol version " + std::to_string(version) +
                          " arrived; this side speaks version " + std::to_string(kProtocolVersion),
                      requestId);
            e.version = version;
            return e;
        }
        if (length > maxPayload_) {
            dropFront(kHeaderSize);
            discard_ = length;
            return error(Problem::Oversized,
                         "a frame announced a payload of " + plural(length, "byte") +
                             "; the limit is " + std::to_string(maxPayload_),
                         requestId);
        }
        if (view.size() < kHeaderSize + length)
            return {};
        const char* payload = h + kHeaderSize;
        if (crc32(payload, length) != getU32(h + kPayloadCrcAt)) {
            // The header was sound, so the frame was cut short and other
            // bytes took its place: rescan from the next byte.
            dropFront(1);
            skipping_ = true;
            return error(Problem::PayloadChecksum,
                         "the " + plural(length, "byte") +
                             " payload of a frame failed its checksum (cut short or corrupted); "
                             "skipping to the next frame",
                         requestId);
        }
        if (type == 0 || type > kLastFrameType) {
            dropFront(kHeaderSize + length);
            return error(Problem::UnknownType, "unknown frame type " + std::to_string(type),
                         requestId);
        }
        if ((flags & ~kKnownFlags) || getU32(h + kReservedAt) != 0) {
            dropFront(kHeaderSize + length);
            return error(Problem::BadFlags,
                         std::string("a ") + frameTypeName(FrameType(type)) +
                             " frame has unknown flag or reserved bits set",
                         requestId);
        }
        Event e;
        e.kind = Kind::Frame;
        e.frame.type = FrameType(type);
        e.frame.flags = flags;
        e.frame.channel = getU32(h + kChannelAt);
        e.frame.requestId = requestId;
        e.frame.payload.assign(payload, length);
        dropFront(kHeaderSize + length);
        return e;
    }
}

} // namespace v3ctl::agent
