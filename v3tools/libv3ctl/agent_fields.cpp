#include "agent_fields.h"

#include <cerrno>

namespace v3ctl::agent {

namespace {

void appendLe(std::string& out, uint64_t value, int bytes) {
    for (int i = 0; i < bytes; ++i)
        out += char(value >> (8 * i));
}

uint64_t readLe(std::string_view in, int bytes) {
    uint64_t v = 0;
    for (int i = 0; i < bytes; ++i)
        v |= uint64_t(uint8_t(in[size_t(i)])) << (8 * i);
    return v;
}

Error fieldError(const std::string& what) {
    return Error{EPROTO, what};
}

} // namespace

const char* tagName(Tag tag) {
    switch (tag) {
    case Tag::Op:
        return "op";
    case Tag::Index:
        return "index";
    case Tag::Name:
        return "name";
    case Tag::Image:
        return "image";
    case Tag::Stream:
        return "stream";
    case Tag::Errno:
        return "errno";
    case Tag::Message:
        return "message";
    case Tag::Bytes:
        return "bytes";
    case Tag::Channel:
        return "channel";
    case Tag::Protocol:
        return "protocol";
    case Tag::Peer:
        return "peer";
    case Tag::State:
        return "state";
    case Tag::ExitCode:
        return "exit code";
    case Tag::Cores:
        return "cores";
    case Tag::MemoryBytes:
        return "memory bytes";
    case Tag::UptimeNs:
        return "uptime";
    case Tag::ExitsTotal:
        return "exits total";
    case Tag::Exits:
        return "exits";
    case Tag::Reason:
        return "reason";
    case Tag::Device:
        return "device";
    case Tag::Sequence:
        return "sequence";
    case Tag::TimestampUs:
        return "timestamp";
    case Tag::Text:
        return "text";
    case Tag::Next:
        return "next";
    case Tag::AbiVersion:
        return "abi version";
    case Tag::Features:
        return "features";
    case Tag::SvmRevision:
        return "svm revision";
    case Tag::NumAsids:
        return "asids";
    case Tag::CpusPossible:
        return "cpus possible";
    case Tag::CpusEnabled:
        return "cpus enabled";
    case Tag::NumGuests:
        return "guests";
    case Tag::MaxGuests:
        return "max guests";
    case Tag::GuestMemoryTotal:
        return "guest memory total";
    case Tag::GuestMemoryFree:
        return "guest memory free";
    case Tag::CoreAllocations:
        return "core allocations";
    case Tag::CorePages:
        return "core pages";
    case Tag::ModuleVersion:
        return "module version";
    case Tag::KernelRelease:
        return "kernel release";
    }
    return "unknown";
}

FieldWriter& FieldWriter::header(Tag tag, uint32_t valueSize) {
    appendLe(out_, uint16_t(tag), 2);
    appendLe(out_, valueSize, 4);
    return *this;
}

FieldWriter& FieldWriter::append(std::string_view bytes) {
    out_.append(bytes);
    return *this;
}

FieldWriter& FieldWriter::u32(Tag tag, uint32_t value) {
    header(tag, 4);
    appendLe(out_, value, 4);
    return *this;
}

FieldWriter& FieldWriter::u64(Tag tag, uint64_t value) {
    header(tag, 8);
    appendLe(out_, value, 8);
    return *this;
}

FieldWriter& FieldWriter::str(Tag tag, std::string_view value) {
    header(tag, uint32_t(value.size()));
    out_.append(value);
    return *this;
}

Result<Fields> Fields::parse(std::string_view payload) {
    Fields fields;
    size_t at = 0;
    while (at < payload.size()) {
        size_t left = payload.size() - at;
        if (left < kFieldHeaderSize)
            return fieldError("a field header at offset " + std::to_string(at) + " is cut short (" +
                              std::to_string(left) + " of 6 bytes)");
        auto tag = Tag(readLe(payload.substr(at), 2));
        uint64_t size = readLe(payload.substr(at + 2), 4);
        if (size > left - kFieldHeaderSize)
            return fieldError("the field at offset " + std::to_string(at) + " (tag " +
                              std::to_string(unsigned(tag)) + ") claims " + std::to_string(size) +
                              " bytes but only " + std::to_string(left - kFieldHeaderSize) +
                              " remain");
        fields.fields_.push_back({tag, payload.substr(at + kFieldHeaderSize, size_t(size))});
        at += kFieldHeaderSize + size_t(size);
    }
    return fields;
}

const Fields::Field* Fields::find(Tag tag) const {
    for (const Field& f : fields_)
        if (f.tag == tag)
            return &f;
    return nullptr;
}

Result<uint32_t> Fields::u32(Tag tag) const {
    const Field* f = find(tag);
    if (!f)
        return fieldError(std::string("the '") + tagName(tag) + "' field is missing");
    if (f->value.size() != 4)
        return fieldError(std::string("the '") + tagName(tag) + "' field has " +
                          std::to_string(f->value.size()) + " bytes, not 4");
    return uint32_t(readLe(f->value, 4));
}

Result<uint64_t> Fields::u64(Tag tag) const {
    const Field* f = find(tag);
    if (!f)
        return fieldError(std::string("the '") + tagName(tag) + "' field is missing");
    if (f->value.size() != 8)
        return fieldError(std::string("the '") + tagName(tag) + "' field has " +
                          std::to_string(f->value.size()) + " bytes, not 8");
    return readLe(f->value, 8);
}

Result<std::string_view> Fields::str(Tag tag) const {
    const Field* f = find(tag);
    if (!f)
        return fieldError(std::string("the '") + tagName(tag) + "' field is missing");
    return f->value;
}

Result<std::string_view> Fields::str(Tag tag, size_t maxSize) const {
    auto value = str(tag);
    if (value && value.value().size() > maxSize)
        return fieldError(std::string("the '") + tagName(tag) + "' field has " +
                          std::to_string(value.value().size()) + " bytes; at most " +
                          std::to_string(maxSize) + " are allowed");
    return value;
}

} // namespace v3ctl::agent
