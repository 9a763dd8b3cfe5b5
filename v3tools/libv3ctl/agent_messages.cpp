#include "agent_messages.h"

#include <cerrno>
#include <optional>
#include <type_traits>

namespace v3ctl::agent {

namespace {

// Each host info field with its tag, for writing and reading alike.
template <typename Visit> void hostInfoFields(Visit&& visit, auto& info) {
    visit(Tag::AbiVersion, info.abiVersion);
    visit(Tag::Features, info.features);
    visit(Tag::SvmRevision, info.svmRevision);
    visit(Tag::NumAsids, info.numAsids);
    visit(Tag::CpusPossible, info.cpusPossible);
    visit(Tag::CpusEnabled, info.cpusEnabled);
    visit(Tag::NumGuests, info.numGuests);
    visit(Tag::MaxGuests, info.maxGuests);
    visit(Tag::GuestMemoryTotal, info.guestMemoryTotal);
    visit(Tag::GuestMemoryFree, info.guestMemoryFree);
    visit(Tag::CoreAllocations, info.coreAllocations);
    visit(Tag::CorePages, info.corePages);
    visit(Tag::ModuleVersion, info.moduleVersion);
    visit(Tag::KernelRelease, info.kernelRelease);
}

} // namespace

void writeHostInfo(FieldWriter& out, const HostInfo& info) {
    hostInfoFields(
        [&](Tag tag, const auto& value) {
            using T = std::decay_t<decltype(value)>;
            if constexpr (std::is_same_v<T, uint32_t>)
                out.u32(tag, value);
            else if constexpr (std::is_same_v<T, uint64_t>)
                out.u64(tag, value);
            else
                out.str(tag, value);
        },
        info);
}

Result<HostInfo> readHostInfo(const Fields& in) {
    HostInfo info;
    std::optional<Error> missing;
    hostInfoFields(
        [&](Tag tag, auto& value) {
            using T = std::decay_t<decltype(value)>;
            if (missing)
                return;
            if constexpr (std::is_same_v<T, uint32_t>) {
                auto v = in.u32(tag);
                v ? void(value = v.value()) : void(missing = v.error());
            } else if constexpr (std::is_same_v<T, uint64_t>) {
                auto v = in.u64(tag);
                v ? void(value = v.value()) : void(missing = v.error());
            } else {
                auto v = in.str(tag, 255);
                v ? void(value = std::string(v.value())) : void(missing = v.error());
            }
        },
        info);
    if (missing)
        return Error{EPROTO, "the agent's host info is incomplete: " + missing->message};
    return info;
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
    log.next = TRY(in.u64(Tag::Next));
    return log;
}

std::string_view writeArgs(FieldWriter&, const ops::NoArgs&) {
    return {};
}
std::string_view writeArgs(FieldWriter& out, const ops::VmArgs& args) {
    out.u32(Tag::Index, uint32_t(args.index));
    return {};
}
std::string_view writeArgs(FieldWriter& out, const ops::MemoryArgs& args) {
    out.u64(Tag::Bytes, args.bytes);
    return {};
}
std::string_view writeArgs(FieldWriter& out, const ops::CreateArgs& args) {
    out.str(Tag::Name, args.name).header(Tag::Image, uint32_t(args.image.size()));
    return {reinterpret_cast<const char*>(args.image.data()), args.image.size()};
}
std::string_view writeArgs(FieldWriter& out, const ops::StreamArgs& args) {
    out.u32(Tag::Index, uint32_t(args.index)).str(Tag::Stream, args.stream);
    return {};
}
std::string_view writeArgs(FieldWriter& out, const ops::LogArgs& args) {
    out.u64(Tag::Sequence, args.after);
    return {};
}

namespace {

Result<int> vmIndex(const Fields& in) {
    uint32_t index = TRY(in.u32(Tag::Index));
    if (index > uint32_t(kHighestVmIndex))
        return Error{EINVAL, "VM index " + std::to_string(index) + " is out of range"};
    return int(index);
}

} // namespace

Result<ops::NoArgs> readArgs(const Fields&, std::type_identity<ops::NoArgs>) {
    return ops::NoArgs{};
}
Result<ops::VmArgs> readArgs(const Fields& in, std::type_identity<ops::VmArgs>) {
    return ops::VmArgs{TRY(vmIndex(in))};
}
Result<ops::MemoryArgs> readArgs(const Fields& in, std::type_identity<ops::MemoryArgs>) {
    return ops::MemoryArgs{TRY(in.u64(Tag::Bytes))};
}
Result<ops::CreateArgs> readArgs(const Fields& in, std::type_identity<ops::CreateArgs>) {
    std::string_view name = TRY(in.str(Tag::Name, 255));
    std::string_view image = TRY(in.str(Tag::Image));
    return ops::CreateArgs{{reinterpret_cast<const uint8_t*>(image.data()), image.size()}, name};
}
Result<ops::StreamArgs> readArgs(const Fields& in, std::type_identity<ops::StreamArgs>) {
    int index = TRY(vmIndex(in));
    return ops::StreamArgs{index, TRY(in.str(Tag::Stream, 255))};
}
Result<ops::LogArgs> readArgs(const Fields& in, std::type_identity<ops::LogArgs>) {
    return ops::LogArgs{TRY(in.u64(Tag::Sequence))};
}

void writeValue(FieldWriter&, const Ok&) {}
void writeValue(FieldWriter& out, uint64_t bytes) {
    out.u64(Tag::Bytes, bytes);
}
void writeValue(FieldWriter& out, int index) {
    out.u32(Tag::Index, uint32_t(index));
}
void writeValue(FieldWriter& out, const HostInfo& info) {
    writeHostInfo(out, info);
}
void writeValue(FieldWriter& out, const VmInfo& info) {
    writeVmInfo(out, info);
}
void writeValue(FieldWriter& out, const std::vector<GuestEntry>& guests) {
    writeGuestList(out, guests);
}
void writeValue(FieldWriter& out, const KernelLog& log) {
    writeKernelLog(out, log);
}

Result<Ok> readValue(const Fields&, std::type_identity<Ok>) {
    return Ok{};
}
Result<uint64_t> readValue(const Fields& in, std::type_identity<uint64_t>) {
    return in.u64(Tag::Bytes);
}
Result<int> readValue(const Fields& in, std::type_identity<int>) {
    return int(TRY(in.u32(Tag::Index)));
}
Result<HostInfo> readValue(const Fields& in, std::type_identity<HostInfo>) {
    return readHostInfo(in);
}
Result<VmInfo> readValue(const Fields& in, std::type_identity<VmInfo>) {
    return readVmInfo(in);
}
Result<std::vector<GuestEntry>> readValue(const Fields& in,
                                          std::type_identity<std::vector<GuestEntry>>) {
    return readGuestList(in);
}
Result<KernelLog> readValue(const Fields& in, std::type_identity<KernelLog>) {
    return readKernelLog(in);
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
