// libFuzzer target: the v3agent protocol from both ends. Either side may be
// hostile: a local client of `v3agent --listen`, or a remote host behind
// `ssh HOST v3agent --stdio` answering the window.
//
// Agent side: the input becomes a byte stream of frames (valid headers and
// checksums, so the fuzzer reaches the session logic, with raw garbage and
// corrupted bytes spliced in) served by a real AgentSession over a test
// double host, until the stream ends.
// Client side: the input is taken as a response or error payload and run
// through every reader the client uses (fields, VM info, guest list, kernel
// log, errors, host info).
#include "agent_fields.h"
#include "agent_messages.h"
#include "agent_protocol.h"
#include "agent_server.h"
#include "host_info.h"

#include "../v3tools/tst_agent_protocol/fake_host.h"

#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <fcntl.h>
#include <string>
#include <sys/mman.h>
#include <unistd.h>

using namespace v3ctl::agent;

namespace {

std::string random_payload(FuzzedDataProvider& in) {
    if (in.ConsumeIntegralInRange(0, 3) == 0)
        return in.ConsumeRandomLengthString(4096);
    // A field list as real peers write it, with any tags and values.
    FieldWriter fields;
    fields.u32(Tag::Op, in.ConsumeIntegralInRange<uint32_t>(0, v3ctl::ops::kLastCode + 1));
    int count = in.ConsumeIntegralInRange(0, 6);
    for (int i = 0; i < count; ++i) {
        Tag tag = Tag(in.ConsumeIntegralInRange<uint16_t>(0, 27));
        switch (in.ConsumeIntegralInRange(0, 2)) {
        case 0:
            fields.u32(tag, in.ConsumeIntegralInRange<uint32_t>(0, 16));
            break;
        case 1:
            fields.u64(tag, in.ConsumeIntegral<uint64_t>());
            break;
        default:
            fields.str(tag, in.ConsumeRandomLengthString(512));
            break;
        }
    }
    return fields.take();
}

std::string frame_stream(FuzzedDataProvider& in) {
    std::string out;
    while (in.remaining_bytes() > 0 && out.size() < (1u << 20)) {
        switch (in.ConsumeIntegralInRange(0, 15)) {
        case 0: // bytes that are not a frame
            out += in.ConsumeRandomLengthString(64);
            break;
        case 1: { // a frame with one byte flipped somewhere
            std::string frame = encodeFrame(FrameType(in.ConsumeIntegralInRange(1, 9)), 0, 0,
                                            in.ConsumeIntegral<uint32_t>(), random_payload(in));
            size_t at = in.ConsumeIntegralInRange<size_t>(0, frame.size() - 1);
            frame[at] = char(frame[at] ^ (1 << in.ConsumeIntegralInRange(0, 7)));
            out += frame;
            break;
        }
        case 2: { // a frame cut short
            std::string frame = encodeFrame(FrameType(in.ConsumeIntegralInRange(1, 9)), 0, 0,
                                            in.ConsumeIntegral<uint32_t>(), random_payload(in));
            out += frame.substr(0, in.ConsumeIntegralInRange<size_t>(0, frame.size()));
            break;
        }
        default: {
            FrameType type = FrameType(in.ConsumeIntegralInRange(1, kLastFrameType + 1));
            uint16_t flags = in.ConsumeIntegralInRange(0, 7) == 0 ? kFlagMore : 0;
            uint32_t channel = in.ConsumeIntegralInRange<uint32_t>(0, 4);
            uint32_t id = in.ConsumeIntegralInRange<uint32_t>(0, 8);
            std::string payload;
            if (type == FrameType::Ack) {
                uint32_t n = in.ConsumeIntegral<uint32_t>();
                payload.assign(reinterpret_cast<const char*>(&n), sizeof n);
            } else if (type == FrameType::Data) {
                payload = in.ConsumeRandomLengthString(2048);
            } else {
                payload = random_payload(in);
            }
            out += encodeFrame(type, flags, channel, id, payload);
            break;
        }
        }
    }
    return out;
}

void serve(const std::string& stream) {
    // The client's bytes in a memory file: always readable, then end of input.
    int in = ::memfd_create("fuzz-agent-input", MFD_CLOEXEC);
    if (in < 0)
        __builtin_trap();
    if (::write(in, stream.data(), stream.size()) != ssize_t(stream.size()) ||
        ::lseek(in, 0, SEEK_SET) != 0)
        __builtin_trap();
    int out = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (out < 0)
        __builtin_trap();
    {
        FakeHost host;
        SessionOptions options;
        options.maxRequest = 1 << 20; // a small bound, so reassembly limits are reached
        AgentSession session(host, in, out, options);
        (void)session.run();
    }
    ::close(in);
    ::close(out);
}

void read_as_client(FuzzedDataProvider& in) {
    std::string payload = in.ConsumeRemainingBytesAsString();
    (void)decodeError(payload);
    (void)v3ctl::HostInfo::fromKeyValues(payload); // the sandbox's boot banner
    auto fields = Fields::parse(payload);
    if (!fields)
        return;
    (void)readHostInfo(fields.value());
    (void)readVmInfo(fields.value());
    (void)readGuestList(fields.value());
    (void)readKernelLog(fields.value());
    for (const Tag tag : {Tag::Op, Tag::Index, Tag::Name, Tag::Channel, Tag::Bytes}) {
        (void)fields.value().u32(tag);
        (void)fields.value().u64(tag);
        (void)fields.value().str(tag, 64);
    }
    // A raw byte stream through the frame reader, in pieces.
    FrameReader reader(4096);
    reader.feed(payload.data(), payload.size() / 2);
    for (int i = 0; i < 64 && reader.next().kind != FrameReader::Kind::NeedMore; ++i) {
    }
    reader.feed(payload.data() + payload.size() / 2, payload.size() - payload.size() / 2);
    for (int i = 0; i < 4096 && reader.next().kind != FrameReader::Kind::NeedMore; ++i) {
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzedDataProvider in(data, size);
    if (in.ConsumeBool())
        serve(frame_stream(in));
    else
        read_as_client(in);
    return 0;
}
