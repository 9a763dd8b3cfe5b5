#include "agent_messages.h"

#include <cerrno>

namespace v3ctl::agent {

const char* opName(Op op) {
    switch (op) {
    case Op::HostInfo:
        return "host info";
    case Op::AddMemory:
        return "add memory";
    case Op::CreateGuest:
        return "create";
    case Op::FreeGuest:
        return "free";
    case Op::Launch:
        return "launch";
    case Op::Pause:
        return "pause";
    case Op::Resume:
        return "continue";
    case Op::Stop:
        return "stop";
    case Op::VmInfo:
        return "VM info";
    case Op::ListGuests:
        return "list";
    case Op::OpenStream:
        return "open stream";
    case Op::KernelLog:
        return "kernel log";
    case Op::ReleaseMemory:
        return "release memory";
    }
    return "unknown";
}

void writeVmInfo(FieldWriter& out, const VmInfo& info) {
    out.str(Tag::Name, info.name)
        .u32(Tag::Index, uint32_t(info.index))
        .u32(Tag::State, uint32_t(info.state))
        .u32(Tag::ExitCode, info.exitCode)
        .u32(Tag::Cores, info.numCores)
        .u64(Tag::MemoryBytes, info.memoryBytes)
        .u64(Tag::UptimeNs, info.uptimeNs)
        .u64(Tag::ExitsTotal, info.exitsTotal);
    std::string raw;
    for (uint64_t count : info.exits)
        for (int i = 0; i < 8; ++i)
            raw += char(count >> (8 * i));
    out.str(Tag::Exits, raw).str(Tag::Reason, info.reason);
}

Result<VmInfo> readVmInfo(const Fields& in) {
    VmInfo info;
    auto name = in.str(Tag::Name);
    auto index = in.u32(Tag::Index);
    auto state = in.u32(Tag::State);
    auto exitCode = in.u32(Tag::ExitCode);
    auto cores = in.u32(Tag::Cores);
    auto memory = in.u64(Tag::MemoryBytes);
    auto uptime = in.u64(Tag::UptimeNs);
    auto total = in.u64(Tag::ExitsTotal);
    auto exits = in.str(Tag::Exits);
    auto reason = in.str(Tag::Reason);
    for (const Error* e : {name ? nullptr : &name.error(), index ? nullptr : &index.error(),
                           state ? nullptr : &state.error(), exitCode ? nullptr : &exitCode.error(),
                           cores ? nullptr : &cores.error(), memory ? nullptr : &memory.error(),
                           uptime ? nullptr : &uptime.error(), total ? nullptr : &total.error(),
                           exits ? nullptr : &exits.error(), reason ? nullptr : &reason.error()})
        if (e)
            return Error{EPROTO, "the agent's VM info is incomplete: " + e->message};
    if (exits.value().size() != 8 * kExitReasonCount)
        return Error{EPROTO, "the agent's VM info has " + std::to_string(exits.value().size()) +
                                 " bytes of exit counters, not " +
                                 std::to_string(8 * kExitReasonCount)};
    info.name = std::string(name.value());
    info.index = int(index.value());
    info.state =
        state.value() <= uint32_t(VmState::Unknown) ? VmState(state.value()) : VmState::Unknown;
    info.exitCode = exitCode.value();
    info.numCores = cores.value();
    info.memoryBytes = memory.value();
    info.uptimeNs = uptime.value();
    info.exitsTotal = total.value();
    for (size_t i = 0; i < kExitReasonCount; ++i) {
        uint64_t v = 0;
        for (int b = 0; b < 8; ++b)
            v |= uint64_t(uint8_t(exits.value()[8 * i + size_t(b)])) << (8 * b);
        info.exits[i] = v;
    }
    info.reason = std::string(reason.value());
    return info;
}

void writeGuestList(FieldWriter& out, const std::vector<GuestEntry>& guests) {
    for (const GuestEntry& g : guests)
        out.str(Tag::Name, g.name).str(Tag::Device, g.deviceFile);
}

Result<std::vector<GuestEntry>> readGuestList(const Fields& in) {
    std::vector<GuestEntry> guests;
    for (const Fields::Field& f : in.all()) {
        if (f.tag == Tag::Name) {
            guests.push_back({std::string(f.value), {}});
        } else if (f.tag == Tag::Device) {
            if (guests.empty() || !guests.back().deviceFile.empty())
                return Error{EPROTO, "the agent's guest list has a device without a name"};
            guests.back().deviceFile = std::string(f.value);
        }
    }
    for (const GuestEntry& g : guests)
        if (g.deviceFile.empty())
            return Error{EPROTO, "the agent's guest list names '" + g.name + "' without a device"};
    return guests;
}

void writeKernelLog(FieldWriter& out, const KernelLog& log) {
    for (const KernelLogLine& line : log.lines)
        out.u64(Tag::Sequence, line.sequence)
            .u64(Tag::TimestampUs, line.timestampUs)
            .str(Tag::Text, line.text);
    out.u64(Tag::Next, log.next);
}

Result<KernelLog> readKernelLog(const Fields& in) {
    KernelLog log;
    for (const Fields::Field& f : in.all()) {
        bool number = f.tag == Tag::Sequence || f.tag == Tag::TimestampUs;
        if (!number && f.tag != Tag::Text)
            continue;
        if (number && f.value.size() != 8)
            return Error{EPROTO, "the agent's kernel log has a malformed number"};
        uint64_t value = 0;
        for (size_t i = number ? 8 : 0; i-- > 0;) // little-endian, as FieldWriter::u64
            value = (value << 8) | static_cast<unsigned char>(f.value[i]);
        if (f.tag == Tag::Sequence) {
            log.lines.push_back(KernelLogLine{value, 0, {}});
            continue;
        }
        if (log.lines.empty())
            return Error{EPROTO, "the agent's kernel log has a field before its sequence"};
        if (f.tag == Tag::TimestampUs)
            log.lines.back().timestampUs = value;
        else
            log.lines.back().text = std::string(f.value);
    }
    auto next = in.u64(Tag::Next);
    if (!next)
        return next.error();
    log.next = next.value();
    return log;
}

std::string encodeError(const Error& error) {
    FieldWriter out;
    out.u32(Tag::Errno, uint32_t(error.errnum)).str(Tag::Message, error.message);
    return out.take();
}

Error decodeError(std::string_view payload) {
    auto fields = Fields::parse(payload);
    if (!fields)
        return Error{EPROTO, "the agent sent an unreadable error (" + fields.error().message + ")"};
    auto errnum = fields.value().u32(Tag::Errno);
    auto message = fields.value().str(Tag::Message);
    if (!message)
        return Error{EPROTO, "the agent sent an error without a message"};
    return Error{errnum ? int(errnum.value()) : EIO, std::string(message.value())};
}

} // namespace v3ctl::agent
