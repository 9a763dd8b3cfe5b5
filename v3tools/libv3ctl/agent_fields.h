// The payload encoding of REQUEST, RESPONSE, ERROR, HELLO and WELCOME
// frames: a sequence of fields, each a little-endian u16 tag, u32 length and
// that many bytes. Integers are little-endian u32/u64; strings are raw bytes
// (no terminator). A tag may repeat (the guest list); readers take the first
// unless they iterate. Unknown tags are ignored, so a newer peer may add
// fields without breaking an older one.
#pragma once

#include "result.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace v3ctl::agent {

enum class Tag : uint16_t {
    Op = 1,
    Index = 2,
    Name = 3,
    Image = 4,
    Stream = 5,
    Errno = 6,
    Message = 7,
    Bytes = 8,
    Channel = 9,
    // 10 carried host info as key=value text in protocol 1.
    Protocol = 11,
    Peer = 12, // who is talking: "v3_create", "v3agent 0.1 on v3sandbox"
    State = 13,
    ExitCode = 14,
    Cores = 15,
    MemoryBytes = 16,
    UptimeNs = 17,
    ExitsTotal = 18,
    Exits = 19, // kExitReasonCount u64 values
    Reason = 20,
    Device = 21,
    Sequence = 22,    // a kernel log record's sequence number
    TimestampUs = 23, // a kernel log record's time since boot
    Text = 24,        // a kernel log record's text
    Next = 25,        // where the next kernel log request continues
    // Host info (HostInfo's fields).
    AbiVersion = 26,
    Features = 27,
    SvmRevision = 28,
    NumAsids = 29,
    CpusPossible = 30,
    CpusEnabled = 31,
    NumGuests = 32,
    MaxGuests = 33,
    GuestMemoryTotal = 34,
    GuestMemoryFree = 35,
    CoreAllocations = 36,
    CorePages = 37,
    ModuleVersion = 38,
    KernelRelease = 39,
};
const char* tagName(Tag tag);

inline constexpr size_t kFieldHeaderSize = 6;

class FieldWriter {
public:
    FieldWriter& u32(Tag tag, uint32_t value);
    FieldWriter& u64(Tag tag, uint64_t value);
    FieldWriter& str(Tag tag, std::string_view value);
    // Only the field header, for a value the caller appends itself (an image
    // sent in pieces without first copying it into the payload).
    FieldWriter& header(Tag tag, uint32_t valueSize);
    // Raw bytes after header(): the value, or a piece of it.
    FieldWriter& append(std::string_view bytes);
    const std::string& bytes() const { return out_; }
    std::string take() { return std::move(out_); }

private:
    std::string out_;
};

// A parsed payload. Views point into the string given to parse(), which must
// outlive the Fields.
class Fields {
public:
    struct Field {
        Tag tag;
        std::string_view value;
    };

    // Every field must fit inside the payload; an error names the offset.
    static Result<Fields> parse(std::string_view payload);

    bool has(Tag tag) const { return find(tag) != nullptr; }
    Result<uint32_t> u32(Tag tag) const;
    Result<uint64_t> u64(Tag tag) const;
    Result<std::string_view> str(Tag tag) const;
    // A string of at most maxSize bytes.
    Result<std::string_view> str(Tag tag, size_t maxSize) const;
    const std::vector<Field>& all() const { return fields_; }

private:
    const Field* find(Tag tag) const;
    std::vector<Field> fields_;
};

} // namespace v3ctl::agent
