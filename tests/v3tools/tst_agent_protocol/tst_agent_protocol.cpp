// The v3agent protocol: the frame reader against every way a byte stream can
// go wrong (cut short at each byte, oversized, garbage, other versions,
// unknown types), the field encoding, and a real AgentSession serving a test
// double over a socketpair — to hand-written frames and to AgentHost, the
// client the tools use: requests matched by id, uploads over several frames,
// interleaved stream channels with flow control, errors with errno and
// sentence, and a session that keeps serving after malformed input.
#include "agent_host.h"
#include "agent_listener.h"
#include "agent_messages.h"
#include "agent_server.h"
#include "agent_transport.h"
#include "sandbox_host.h"
#include "fake_host.h"
#include "test_paths.h"
#include "wire.h"

#include <QTemporaryDir>
#include <QtTest>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <random>
#include <sys/socket.h>
#include <thread>

using namespace v3ctl;
using namespace v3ctl::agent;

namespace {

// Everything the reader yields until it needs more input.
struct Drained {
    std::vector<Frame> frames;
    std::vector<FrameReader::Event> errors;
};

Drained drain(FrameReader& reader) {
    Drained out;
    for (;;) {
        auto e = reader.next();
        if (e.kind == FrameReader::Kind::NeedMore)
            return out;
        if (e.kind == FrameReader::Kind::Frame)
            out.frames.push_back(e.frame);
        else
            out.errors.push_back(e);
    }
}

std::string bytesOf(size_t n, uint32_t seed) {
    std::mt19937 random(seed);
    std::string s(n, '\0');
    for (char& c : s)
        c = char(random());
    return s;
}

bool sameFrame(const Frame& a, const Frame& b) {
    return a.type == b.type && a.flags == b.flags && a.channel == b.channel &&
           a.requestId == b.requestId && a.payload == b.payload;
}

// An AgentSession serving a FakeHost on one end of a socketpair, in a thread.
struct ServedFake {
    explicit ServedFake(SessionOptions options = {}) {
        int pair[2];
        QVERIFY(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) == 0);
        client = pair[0];
        agentEnd = pair[1];
        options.description = "fake agent";
        options.log = [this](const std::string& m) {
            std::lock_guard lock(logMutex);
            log.push_back(m);
        };
        thread = std::thread([this, options] {
            AgentSession session(host, agentEnd, agentEnd, options);
            ended = session.run();
        });
    }
    ~ServedFake() {
        if (client >= 0)
            ::close(client);
        if (thread.joinable())
            thread.join();
        ::close(agentEnd);
    }
    // Hands the client end to an AgentHost.
    Result<std::unique_ptr<AgentHost>> connect(int timeoutMs = 5000) {
        AgentHost::Transport t;
        t.readFd = UniqueFd(client);
        client = -1;
        t.uri = "test";
        t.displayName = "fake agent";
        return AgentHost::connect(std::move(t), timeoutMs);
    }
    std::vector<std::string> logLines() {
        std::lock_guard lock(logMutex);
        return log;
    }

    FakeHost host;
    int client = -1;
    int agentEnd = -1;
    std::thread thread;
    std::string ended;
    std::mutex logMutex;
    std::vector<std::string> log;
};

// An agent that answers HELLO and then reads every request without ever
// answering: a v3agent that hung, or died behind a port that stays open.
struct SilentAgent {
    SilentAgent() {
        int pair[2];
        QVERIFY(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) == 0);
        client = pair[0];
        agentEnd = pair[1];
        thread = std::thread([this] {
            FrameReader reader;
            char buf[4096];
            for (;;) {
                ssize_t n = ::read(agentEnd, buf, sizeof buf);
                if (n <= 0)
                    return;
                reader.feed(buf, size_t(n));
                for (auto e = reader.next(); e.kind != FrameReader::Kind::NeedMore;
                     e = reader.next()) {
                    if (e.kind != FrameReader::Kind::Frame)
                        continue;
                    if (e.frame.type == FrameType::Hello)
                        wire::writeAll(
                            agentEnd, encodeFrame(FrameType::Welcome, 0, 0, e.frame.requestId, {}));
                    if (e.frame.type == FrameType::Request) {
                        std::lock_guard lock(mutex);
                        requests++;
                        arrived.notify_all();
                    }
                }
            }
        });
    }
    ~SilentAgent() {
        ::shutdown(agentEnd, SHUT_RDWR);
        thread.join();
        ::close(agentEnd);
        if (client >= 0)
            ::close(client);
    }
    Result<std::unique_ptr<AgentHost>> connect(int answerTimeoutMs) {
        AgentHost::Transport t;
        t.readFd = UniqueFd(client);
        client = -1;
        t.displayName = "silent agent";
        t.answerTimeoutMs = answerTimeoutMs;
        return AgentHost::connect(std::move(t), 5000);
    }
    void waitForRequest() {
        std::unique_lock lock(mutex);
        arrived.wait(lock, [&] { return requests > 0; });
    }

    int client = -1;
    int agentEnd = -1;
    std::thread thread;
    std::mutex mutex;
    std::condition_variable arrived;
    int requests = 0;
};

// An AgentSession serving a FakeHost the way v3agent serves a virtio-serial
// port: one descriptor whose peer comes and goes. Each connection is a
// socketpair; when the client hangs up, the session's awaitPeer() waits for
// the test to connect the next client, which the descriptor then reaches
// (dup2 onto the same number, as the port keeps its descriptor).
struct ServedPort {
    ServedPort() {
        int pair[2];
        QVERIFY(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) == 0);
        client = pair[0];
        agentFd = pair[1];
        SessionOptions options;
        options.description = "fake port agent";
        options.log = [this](const std::string& m) {
            std::lock_guard lock(mutex);
            log.push_back(m);
        };
        options.awaitPeer = [this] {
            std::unique_lock lock(mutex);
            ++hangUps;
            changed.notify_all();
            changed.wait(lock, [this] { return nextAgentEnd >= 0 || closing; });
            if (closing)
                return false;
            ::dup2(nextAgentEnd, agentFd);
            ::close(nextAgentEnd);
            nextAgentEnd = -1;
            return true;
        };
        thread = std::thread([this, options] {
            AgentSession session(host, agentFd, agentFd, options);
            ended = session.run();
        });
    }
    ~ServedPort() {
        {
            std::lock_guard lock(mutex);
            closing = true;
            changed.notify_all();
        }
        if (client >= 0)
            ::close(client);
        if (thread.joinable())
            thread.join();
        ::close(agentFd);
    }
    // The client hangs up and the next one connects; the session reaches
    // it when it notices the hang-up. Returns the new client's descriptor.
    int reconnect() {
        ::close(client);
        client = -1;
        int pair[2];
        if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0)
            return -1;
        std::lock_guard lock(mutex);
        client = pair[0];
        nextAgentEnd = pair[1];
        changed.notify_all();
        return client;
    }
    bool waitForHangUp(int count) {
        std::unique_lock lock(mutex);
        return changed.wait_for(lock, std::chrono::seconds(5), [&] { return hangUps >= count; });
    }
    std::vector<std::string> logLines() {
        std::lock_guard lock(mutex);
        return log;
    }

    FakeHost host;
    int client = -1;
    int agentFd = -1;
    int nextAgentEnd = -1;
    int hangUps = 0;
    bool closing = false;
    std::mutex mutex;
    std::condition_variable changed;
    std::thread thread;
    std::string ended;
    std::vector<std::string> log;
};

std::string readSome(int fd, size_t want, int timeoutMs = 5000) {
    std::string out;
    QElapsedTimer clock;
    clock.start();
    while (out.size() < want && clock.elapsed() < timeoutMs) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 100) <= 0)
            continue;
        char buf[65536];
        ssize_t n = ::read(fd, buf, std::min(sizeof buf, want - out.size()));
        if (n <= 0)
            break;
        out.append(buf, size_t(n));
    }
    return out;
}

uint32_t fieldU32(const Frame& f, Tag tag) {
    auto fields = Fields::parse(f.payload);
    if (!fields)
        return 0xdeadbeef;
    auto v = fields.value().u32(tag);
    return v ? v.value() : 0xdeadbeef;
}

std::string errorMessage(const Frame& f) {
    return f.type == FrameType::Error ? decodeError(f.payload).message : "(not an error)";
}

} // namespace

class TestAgentProtocol : public QObject {
    Q_OBJECT

private slots:
    // --- frames -------------------------------------------------------------

    void crcMatchesTheStandardCheckValue() {
        QCOMPARE(crc32("123456789", 9), 0xCBF43926u); // CRC-32/ISO-HDLC check value
    }

    void framesRoundTripWholeAndByteByByte() {
        std::vector<Frame> frames;
        for (uint8_t type = 1; type <= kLastFrameType; ++type) {
            Frame f;
            f.type = FrameType(type);
            f.flags = type == uint8_t(FrameType::Request) ? kFlagMore : 0;
            f.channel = type * 1000u + 7;
            f.requestId = 0x80000000u + type;
            f.payload = bytesOf(type * 37u, type);
            frames.push_back(f);
        }
        frames.push_back({FrameType::Data, 0, 3, 0, std::string()});           // empty payload
        frames.push_back({FrameType::Data, 0, 3, 0, bytesOf(kMaxPayload, 9)}); // the largest
        std::string stream;
        for (const Frame& f : frames)
            stream += encodeFrame(f);

        FrameReader whole;
        whole.feed(stream.data(), stream.size());
        Drained a = drain(whole);
        QCOMPARE(a.errors.size(), size_t(0));
        QCOMPARE(a.frames.size(), frames.size());
        for (size_t i = 0; i < frames.size(); ++i)
            QVERIFY2(sameFrame(a.frames[i], frames[i]), qPrintable(QString::number(i)));

        // Without the 1 MiB frame, byte by byte (a serial line's worst case).
        std::string small = stream.substr(0, stream.size() - (kHeaderSize + kMaxPayload));
        FrameReader trickle;
        std::vector<Frame> got;
        for (char c : small) {
            trickle.feed(&c, 1);
            Drained d = drain(trickle);
            QCOMPARE(d.errors.size(), size_t(0));
            got.insert(got.end(), d.frames.begin(), d.frames.end());
        }
        QCOMPARE(got.size(), frames.size() - 1);
        for (size_t i = 0; i < got.size(); ++i)
            QVERIFY(sameFrame(got[i], frames[i]));
        QVERIFY(!trickle.hasPartial());
    }

    void headerLayoutIsLittleEndianAsDocumented() {
        std::string f = encodeFrame(FrameType::Request, kFlagMore, 0x01020304, 0x0a0b0c0d, "xyz");
        QCOMPARE(f.size(), kHeaderSize + 3);
        QCOMPARE(f.substr(0, 4), std::string("V3AG"));
        QCOMPARE(int(f[4]), int(kProtocolVersion));
        QCOMPARE(int(f[5]), int(FrameType::Request));
        QCOMPARE(int(f[6]), 1);
        QCOMPARE(int(f[8]), 4); // channel, low byte first
        QCOMPARE(int(f[12]), 0x0d);
        QCOMPARE(int(f[16]), 3);
    }

    // A frame cut at every byte: nothing comes out early and nothing is
    // reported as an error; the rest completes it.
    void truncatedAtEveryByteWaitsForTheRest() {
        std::string frame = encodeFrame(FrameType::Response, 0, 0, 42, bytesOf(100, 1));
        for (size_t cut = 0; cut < frame.size(); ++cut) {
            FrameReader reader;
            reader.feed(frame.data(), cut);
            Drained before = drain(reader);
            QVERIFY2(before.frames.empty() && before.errors.empty(),
                     qPrintable(QString("cut at %1").arg(cut)));
            QCOMPARE(reader.hasPartial(), cut > 0);
            reader.feed(frame.data() + cut, frame.size() - cut);
            Drained after = drain(reader);
            QCOMPARE(after.errors.size(), size_t(0));
            QCOMPARE(after.frames.size(), size_t(1));
            QCOMPARE(after.frames[0].requestId, 42u);
        }
    }

    // A sender that vanished after `cut` bytes, then a new sender's frame
    // (the serial-line case): the new frame is always recovered, once.
    void truncatedFrameFollowedByANewOneIsRecovered() {
        std::string stale = encodeFrame(FrameType::Request, 0, 0, 1, bytesOf(200, 2));
        std::string fresh = wire::hello(77);
        for (size_t cut = 1; cut < stale.size(); ++cut) {
            FrameReader reader;
            reader.feed(stale.data(), cut);
            reader.feed(fresh.data(), fresh.size());
            std::vector<Frame> frames;
            size_t errors = 0;
            for (int round = 0; round < 400 && frames.empty(); ++round) {
                Drained d = drain(reader);
                frames.insert(frames.end(), d.frames.begin(), d.frames.end());
                errors += d.errors.size();
                if (frames.empty())
                    reader.abandonPartial(); // what the agent does after silence
            }
            QVERIFY2(frames.size() == 1, qPrintable(QString("cut at %1").arg(cut)));
            QCOMPARE(frames[0].type, FrameType::Hello);
            QCOMPARE(frames[0].requestId, 77u);
            QVERIFY(errors <= 2);
        }
    }

    void oversizedLengthIsRefusedAndSkipped() {
        std::string header = wire::rawFrame(kProtocolVersion, uint8_t(FrameType::Request), 0, 0, 5,
                                            "", kMaxPayload + 1);
        FrameReader reader;
        reader.feed(header.data(), header.size());
        auto e = reader.next();
        QCOMPARE(e.kind, FrameReader::Kind::Error);
        QCOMPARE(e.problem, FrameReader::Problem::Oversized);
        QCOMPARE(e.requestId, 5u);
        QVERIFY2(e.message.find(std::to_string(kMaxPayload + 1) + " bytes") != std::string::npos,
                 e.message.c_str());
        QVERIFY(e.message.find("limit is " + std::to_string(kMaxPayload)) != std::string::npos);
        // The sender's announced payload is skipped, then reading goes on.
        std::string body(kMaxPayload + 1, 'x');
        reader.feed(body.data(), body.size());
        std::string next = encodeFrame(FrameType::Response, 0, 0, 6, "ok");
        reader.feed(next.data(), next.size());
        Drained d = drain(reader);
        QCOMPARE(d.errors.size(), size_t(0));
        QCOMPARE(d.frames.size(), size_t(1));
        QCOMPARE(d.frames[0].requestId, 6u);

        // A smaller limit applies as configured.
        FrameReader strict(16);
        std::string big = encodeFrame(FrameType::Data, 0, 1, 0, std::string(17, 'a'));
        strict.feed(big.data(), big.size());
        QCOMPARE(strict.next().problem, FrameReader::Problem::Oversized);
    }

    void badMagicIsReportedOnceThenTheFrameIsFound() {
        std::string garbage = "XXXXV3AXnot a frame at all";
        std::string frame = encodeFrame(FrameType::Response, 0, 0, 9, "payload");
        FrameReader reader;
        std::string all = garbage + frame;
        reader.feed(all.data(), all.size());
        Drained d = drain(reader);
        QCOMPARE(d.errors.size(), size_t(1));
        QCOMPARE(d.errors[0].problem, FrameReader::Problem::Garbage);
        QVERIFY2(d.errors[0].message.find("skipped " + std::to_string(garbage.size()) + " bytes") !=
                     std::string::npos,
                 d.errors[0].message.c_str());
        QCOMPARE(d.frames.size(), size_t(1));
        QCOMPARE(d.frames[0].payload, std::string("payload"));
    }

    void otherVersionIsRefusedWithTheVersionSeen() {
        // Version 1: the protocol before host info travelled in tagged fields.
        std::string v1 = wire::rawFrame(1, uint8_t(FrameType::Hello), 0, 0, 3, "abc", 3);
        std::string ok = encodeFrame(FrameType::Response, 0, 0, 4, "");
        FrameReader reader;
        std::string all = v1 + ok;
        reader.feed(all.data(), all.size());
        auto e = reader.next();
        QCOMPARE(e.problem, FrameReader::Problem::Version);
        QCOMPARE(int(e.version), 1);
        QCOMPARE(e.requestId, 3u);
        QVERIFY(e.message.find("version 1") != std::string::npos);
        QVERIFY(e.message.find("speaks version 2") != std::string::npos);
        auto f = reader.next();
        QCOMPARE(f.kind, FrameReader::Kind::Frame);
        QCOMPARE(f.frame.requestId, 4u);
    }

    void unknownTypeAndFlagsAreRefusedWithTheRequestId() {
        std::string unknown = wire::rawFrame(kProtocolVersion, 42, 0, 0, 11, "zz", 2);
        std::string flags =
            wire::rawFrame(kProtocolVersion, uint8_t(FrameType::Request), 0x8000, 0, 12, "", 0);
        std::string ok = encodeFrame(FrameType::Response, 0, 0, 13, "");
        std::string all = unknown + flags + ok;
        FrameReader reader;
        reader.feed(all.data(), all.size());
        Drained d = drain(reader);
        QCOMPARE(d.errors.size(), size_t(2));
        QCOMPARE(d.errors[0].problem, FrameReader::Problem::UnknownType);
        QCOMPARE(d.errors[0].requestId, 11u);
        QVERIFY(d.errors[0].message.find("unknown frame type 42") != std::string::npos);
        QCOMPARE(d.errors[1].problem, FrameReader::Problem::BadFlags);
        QCOMPARE(d.errors[1].requestId, 12u);
        QCOMPARE(d.frames.size(), size_t(1));
        QCOMPARE(d.frames[0].requestId, 13u);
    }

    void corruptedHeaderAndPayloadAreSkipped() {
        std::string a = encodeFrame(FrameType::Response, 0, 0, 1, "first");
        std::string b = encodeFrame(FrameType::Response, 0, 0, 2, "second");
        std::string c = encodeFrame(FrameType::Response, 0, 0, 3, "third");
        a[10] ^= 0x40;              // header bit flip
        b[kHeaderSize + 2] ^= 0x01; // payload bit flip
        std::string all = a + b + c;
        FrameReader reader;
        reader.feed(all.data(), all.size());
        Drained d = drain(reader);
        QCOMPARE(d.frames.size(), size_t(1));
        QCOMPARE(d.frames[0].payload, std::string("third"));
        QVERIFY(d.errors.size() >= 2);
        QCOMPARE(d.errors[0].problem, FrameReader::Problem::HeaderChecksum);
        bool payloadError = false;
        for (const auto& e : d.errors)
            payloadError |= e.problem == FrameReader::Problem::PayloadChecksum && e.requestId == 2;
        QVERIFY(payloadError);
    }

    void garbageBetweenFramesLosesNoFrame() {
        std::mt19937 random(5);
        std::string all;
        std::vector<Frame> sent;
        for (uint32_t i = 1; i <= 50; ++i) {
            Frame f{FrameType::Data, 0, i % 3, 0, bytesOf(random() % 300, i)};
            sent.push_back(f);
            all += encodeFrame(f);
            if (i % 2)
                all += bytesOf(1 + random() % 40, 1000 + i); // line noise
        }
        FrameReader reader;
        std::vector<Frame> got;
        size_t errors = 0;
        for (size_t at = 0; at < all.size(); at += 7) { // odd-sized pieces
            reader.feed(all.data() + at, std::min<size_t>(7, all.size() - at));
            Drained d = drain(reader);
            got.insert(got.end(), d.frames.begin(), d.frames.end());
            errors += d.errors.size();
        }
        QCOMPARE(got.size(), sent.size());
        for (size_t i = 0; i < sent.size(); ++i)
            QVERIFY(sameFrame(got[i], sent[i]));
        QVERIFY(errors >= 25); // every run of noise was reported
    }

    // --- fields -------------------------------------------------------------

    void fieldsRoundTripAndBoundsAreChecked() {
        FieldWriter w;
        w.u32(Tag::Op, 3).u64(Tag::Bytes, 0x0102030405060708ull).str(Tag::Name, "hello");
        auto parsed = Fields::parse(w.bytes());
        QVERIFY(parsed.ok());
        QCOMPARE(parsed.value().u32(Tag::Op).value(), 3u);
        QCOMPARE(parsed.value().u64(Tag::Bytes).value(), 0x0102030405060708ull);
        QCOMPARE(std::string(parsed.value().str(Tag::Name).value()), std::string("hello"));
        auto missing = parsed.value().u32(Tag::Index);
        QVERIFY(!missing.ok());
        QCOMPARE(missing.error().message, std::string("the 'index' field is missing"));
        auto wrongSize = parsed.value().u32(Tag::Bytes);
        QCOMPARE(wrongSize.error().message, std::string("the 'bytes' field has 8 bytes, not 4"));
        auto tooLong = parsed.value().str(Tag::Name, 3);
        QVERIFY(!tooLong.ok());

        // Every truncation of the encoding is refused with an offset, never read past.
        for (size_t cut = 1; cut < w.bytes().size(); ++cut) {
            std::string partial = w.bytes().substr(0, cut);
            auto p = Fields::parse(partial);
            bool boundary = cut == 10 || cut == 24; // ends exactly after a field
            QVERIFY2(p.ok() == boundary, qPrintable(QString("cut %1").arg(cut)));
            if (!p.ok())
                QVERIFY(p.error().message.find("offset") != std::string::npos);
        }
        std::string lying = FieldWriter().header(Tag::Name, 0xffffffffu).bytes() + "abc";
        auto l = Fields::parse(lying);
        QVERIFY(!l.ok());
        QVERIFY(l.error().message.find("claims 4294967295 bytes but only 3 remain") !=
                std::string::npos);
    }

    void vmInfoAndGuestListRoundTrip() {
        FakeHost fake;
        (void)fake.createGuest({}, "one");
        auto info = fake.vmInfo(0).value();
        FieldWriter w;
        writeVmInfo(w, info);
        auto back = readVmInfo(Fields::parse(w.bytes()).value());
        QVERIFY(back.ok());
        QCOMPARE(back.value().toKeyValues(), info.toKeyValues());

        FieldWriter g;
        writeGuestList(g, {{"a", "/dev/v3-vm0"}, {"b", "/dev/v3-vm1"}});
        auto list = readGuestList(Fields::parse(g.bytes()).value());
        QVERIFY(list.ok());
        QCOMPARE(list.value().size(), size_t(2));
        QCOMPARE(list.value()[1].deviceFile, std::string("/dev/v3-vm1"));
        FieldWriter orphan;
        orphan.str(Tag::Name, "x");
        QVERIFY(!readGuestList(Fields::parse(orphan.bytes()).value()).ok());

        // Host info travels as tagged fields, like VM info.
        auto host = fake.hostInfo().value();
        host.features = 0x15;
        host.corePages = 1ull << 40;
        FieldWriter h;
        writeHostInfo(h, host);
        auto hostBack = readHostInfo(Fields::parse(h.bytes()).value());
        QVERIFY(hostBack.ok());
        QCOMPARE(hostBack.value().toKeyValues(), host.toKeyValues());
        FieldWriter partial;
        partial.u32(Tag::AbiVersion, 2);
        auto incomplete = readHostInfo(Fields::parse(partial.bytes()).value());
        QVERIFY(!incomplete.ok());
        QVERIFY2(incomplete.error().message.find("'features' field is missing") !=
                     std::string::npos,
                 incomplete.error().message.c_str());
    }

    // --- an agent session, by hand ------------------------------------------

    void sessionAnswersRequestsByIdAfterHello() {
        ServedFake served;
        wire::Receiver in(served.client);
        // Before HELLO, requests are refused (with their id).
        FieldWriter info;
        info.u32(Tag::Op, ops::GetHostInfo::code);
        QVERIFY(wire::writeAll(served.client, wire::request(5, info)));
        Frame early = in.next();
        QCOMPARE(early.type, FrameType::Error);
        QCOMPARE(early.requestId, 5u);
        QVERIFY(errorMessage(early).find("before HELLO") != std::string::npos);

        QVERIFY(wire::writeAll(served.client, wire::hello(100)));
        Frame welcome = in.next();
        QCOMPARE(welcome.type, FrameType::Welcome);
        QCOMPARE(welcome.requestId, 100u);
        QCOMPARE(fieldU32(welcome, Tag::Protocol), uint32_t(kProtocolVersion));

        // Three requests in one write; answers carry their ids, in order.
        FieldWriter vm;
        vm.u32(Tag::Op, ops::GetVmInfo::code).u32(Tag::Index, 4);
        FieldWriter list;
        list.u32(Tag::Op, ops::ListGuests::code);
        QVERIFY(wire::writeAll(served.client, wire::request(7, info) + wire::request(8, vm) +
                                                  wire::request(9, list)));
        Frame a = in.next(), b = in.next(), c = in.next();
        QCOMPARE(a.type, FrameType::Response);
        QCOMPARE(a.requestId, 7u);
        QCOMPARE(b.type, FrameType::Error); // VM 4 does not exist
        QCOMPARE(b.requestId, 8u);
        QCOMPARE(decodeError(b.payload).errnum, ENOENT);
        QCOMPARE(decodeError(b.payload).message, std::string("cannot open /dev/v3-vm4"));
        QCOMPARE(c.type, FrameType::Response);
        QCOMPARE(c.requestId, 9u);
    }

    void sessionRefusesMalformedInputAndKeepsServing() {
        ServedFake served;
        wire::Receiver in(served.client);
        QVERIFY(wire::writeAll(served.client, wire::hello(1)));
        QCOMPARE(in.next().type, FrameType::Welcome);

        struct Case {
            const char* what;
            std::string bytes;
            uint32_t id;
            const char* expect;
        };
        FieldWriter noOp;
        noOp.str(Tag::Name, "x");
        FieldWriter badOp;
        badOp.u32(Tag::Op, 99);
        FieldWriter noIndex;
        noIndex.u32(Tag::Op, ops::Launch::code);
        FieldWriter hugeIndex;
        hugeIndex.u32(Tag::Op, ops::Launch::code).u32(Tag::Index, 0x7fffffff);
        std::string lyingFields = FieldWriter().u32(Tag::Op, 1).header(Tag::Name, 100).bytes();
        const Case cases[] = {
            {"garbage", "this is not a frame", 0, "do not start a frame"},
            {"unknown type", wire::rawFrame(kProtocolVersion, 200, 0, 0, 21, "", 0), 21,
             "unknown frame type 200"},
            {"version 1", wire::rawFrame(1, uint8_t(FrameType::Request), 0, 0, 22, "", 0), 22,
             "this v3agent speaks protocol version 2 but the client sent version 1"},
            {"oversized",
             wire::rawFrame(kProtocolVersion, uint8_t(FrameType::Request), 0, 0, 23, "",
                            kMaxPayload + 10) +
                 std::string(kMaxPayload + 10, 'x'), // what such a sender sends: skipped
             23, "a frame announced a payload of 1048586 bytes; the limit is 1048576"},
            {"no op", wire::request(24, noOp), 24, "the 'op' field is missing"},
            {"unknown op", wire::request(25, badOp), 25, "unknown operation 99"},
            {"no index", wire::request(26, noIndex), 26,
             "the launch request is malformed: the 'index' field is missing"},
            {"index out of range", wire::request(27, hugeIndex), 27,
             "VM index 2147483647 is out of range"},
            {"field overrun", encodeFrame(FrameType::Request, 0, 0, 28, lyingFields), 28,
             "claims 100 bytes"},
            {"client-only type", encodeFrame(FrameType::Response, 0, 0, 29, ""), 29,
             "a client does not send RESPONSE frames"},
        };
        FieldWriter info;
        info.u32(Tag::Op, ops::GetHostInfo::code);
        for (const Case& c : cases) {
            QVERIFY(wire::writeAll(served.client, c.bytes));
            Frame e = in.next();
            QVERIFY2(e.type == FrameType::Error, c.what);
            QVERIFY2(e.requestId == c.id, c.what);
            std::string m = errorMessage(e);
            QVERIFY2(m.find(c.expect) != std::string::npos,
                     qPrintable(QString(c.what) + ": " + QString::fromStdString(m)));
            // ...and the session still answers a good request right after.
            QVERIFY(wire::writeAll(served.client, wire::request(1000, info)));
            Frame ok = in.next();
            QVERIFY2(ok.type == FrameType::Response && ok.requestId == 1000, c.what);
        }
        QVERIFY(!served.logLines().empty()); // refusals are logged for the operator
    }

    void helloWithAnotherProtocolIsRefused() {
        ServedFake served;
        wire::Receiver in(served.client);
        QVERIFY(wire::writeAll(served.client, wire::hello(3, 1)));
        Frame e = in.next();
        QCOMPARE(e.type, FrameType::Error);
        QCOMPARE(e.requestId, 3u);
        QCOMPARE(decodeError(e.payload).errnum, EPROTONOSUPPORT);
        QVERIFY(errorMessage(e).find("asked for version 1") != std::string::npos);
    }

    // A serial line: the client vanished mid-frame; after the configured
    // silence the agent drops the remains and the next client's HELLO works.
    void abandonedFrameOnASerialLineIsDroppedAfterSilence() {
        SessionOptions options;
        options.idleResyncMs = 100;
        ServedFake served(options);
        wire::Receiver in(served.client);
        std::string stale = encodeFrame(FrameType::Request, 0, 0, 1, bytesOf(5000, 3));
        QVERIFY(wire::writeAll(served.client, stale.substr(0, 1500)));
        QTest::qWait(20);
        QVERIFY(wire::writeAll(served.client, wire::hello(500)));
        Frame welcome = in.next(3000);
        QCOMPARE(welcome.type, FrameType::Welcome);
        QCOMPARE(welcome.requestId, 500u);
        bool logged = false;
        for (const std::string& line : served.logLines())
            logged |= line.find("abandoning") != std::string::npos;
        QVERIFY(logged);
    }

    // v3agent on a virtio-serial port learns of hang-ups on the port's
    // control queue, after the data: a hang-up may be noticed when the next
    // client has already said HELLO. The session goes on across it, so that
    // client's next request is answered (a session cut there would refuse it
    // as "before HELLO", or drop it).
    void sessionOnAPortOutlivesAHangUpNoticedLate() {
        ServedPort served;
        {
            wire::Receiver in(served.client);
            QVERIFY(wire::writeAll(served.client, wire::hello(100)));
            QCOMPARE(in.next().type, FrameType::Welcome);
        }
        const int next = served.reconnect();
        QVERIFY(next >= 0);
        QVERIFY(served.waitForHangUp(1));
        wire::Receiver in(next);
        FieldWriter list;
        list.u32(Tag::Op, ops::ListGuests::code);
        QVERIFY(wire::writeAll(next, wire::request(101, list)));
        Frame answer = in.next();
        QVERIFY2(answer.type == FrameType::Response, errorMessage(answer).c_str());
        QCOMPARE(answer.requestId, 101u);
    }

    // A frame the hang-up notice fell into the middle of is completed by
    // what follows; a frame its sender abandoned (the next connection starts
    // with a header) gives way to the next client's HELLO at once.
    void framesAcrossAHangUpOnAPortAreKeptOrAbandonedByWhatFollows() {
        ServedPort served;
        FieldWriter list;
        list.u32(Tag::Op, ops::ListGuests::code);
        const std::string straddling = wire::request(201, list);
        {
            wire::Receiver in(served.client);
            QVERIFY(wire::writeAll(served.client, wire::hello(200)));
            QCOMPARE(in.next().type, FrameType::Welcome);
            QVERIFY(wire::writeAll(served.client, straddling.substr(0, 20)));
        }
        int next = served.reconnect();
        QVERIFY(next >= 0);
        QVERIFY(served.waitForHangUp(1));
        {
            wire::Receiver in(next);
            QVERIFY(wire::writeAll(next, straddling.substr(20)));
            Frame answer = in.next();
            QVERIFY2(answer.type == FrameType::Response, errorMessage(answer).c_str());
            QCOMPARE(answer.requestId, 201u);
            // Now a client vanishes mid-frame (an upload cut short).
            const std::string upload = encodeFrame(FrameType::Request, 0, 0, 202, bytesOf(5000, 7));
            QVERIFY(wire::writeAll(next, upload.substr(0, 1500)));
            QTest::qWait(20);
        }
        next = served.reconnect();
        QVERIFY(next >= 0);
        QVERIFY(served.waitForHangUp(2));
        wire::Receiver in(next);
        QVERIFY(wire::writeAll(next, wire::hello(300)));
        Frame welcome = in.next(3000);
        QCOMPARE(welcome.type, FrameType::Welcome);
        QCOMPARE(welcome.requestId, 300u);
        bool logged = false;
        for (const std::string& line : served.logLines())
            logged |= line.find("a new client started") != std::string::npos;
        QVERIFY(logged);
    }

    // --- AgentHost against a real session ------------------------------------

    void agentHostCarriesEveryOperation() {
        ServedFake served;
        auto connected = served.connect();
        QVERIFY2(connected.ok(), connected.ok() ? "" : connected.error().message.c_str());
        AgentHost& host = *connected.value();
        QCOMPARE(host.agentDescription(), std::string("fake agent"));

        QCOMPARE(host.addMemory(64ull << 20).value(), 64ull << 20);
        auto info = host.hostInfo();
        QVERIFY(info.ok());
        QCOMPARE(info.value().guestMemoryTotal, 64ull << 20);
        QCOMPARE(info.value().moduleVersion, std::string("0.1.0-fake"));
        QCOMPARE(host.releaseMemory(16ull << 20).value(), 16ull << 20);
        QCOMPARE(host.releaseMemory(0).value(), 48ull << 20); // 0: all

        // An image larger than one frame goes up in pieces, byte-exact.
        std::string image = bytesOf(3 * kMaxPayload + 12345, 77);
        std::vector<uint8_t> bytes(image.begin(), image.end());
        auto index = host.createGuest(bytes, "big");
        QVERIFY2(index.ok(), index.ok() ? "" : index.error().message.c_str());
        QCOMPARE(index.value(), 0);
        QVERIFY(served.host.lastImage == bytes);

        auto dup = host.createGuest({1, 2, 3}, "dup");
        QVERIFY(!dup.ok());
        QCOMPARE(dup.error().errnum, EEXIST);
        QCOMPARE(dup.error().message,
                 std::string("cannot create VM 'dup': a VM named 'dup' already exists"));

        QVERIFY(host.launch(0).ok());
        QVERIFY(host.pause(0).ok());
        QVERIFY(host.resume(0).ok());
        QVERIFY(host.stop(0).ok());
        auto refused = host.pause(9);
        QCOMPARE(refused.error().errnum, EINVAL);
        QVERIFY(refused.error().message.find("cannot pause /dev/v3-vm9") != std::string::npos);
        QVERIFY(host.freeGuest(0).ok());

        auto vm = host.vmInfo(0);
        QVERIFY(vm.ok());
        QCOMPARE(vm.value().toKeyValues(), served.host.vmInfo(0).value().toKeyValues());
        auto list = host.listGuests();
        QVERIFY(list.ok());
        QCOMPARE(list.value().size(), size_t(1));
        QCOMPARE(list.value()[0].name, std::string("big"));

        auto nosuch = host.openStream(0, "nosuch");
        QCOMPARE(nosuch.error().errnum, ENOENT);

        std::vector<std::string> expected = {"addMemory 67108864",
                                             "hostInfo",
                                             "releaseMemory 16777216",
                                             "releaseMemory 0",
                                             "createGuest big",
                                             "createGuest dup",
                                             "launch 0",
                                             "pause 0",
                                             "resume 0",
                                             "stop 0",
                                             "pause 9",
                                             "free 0",
                                             "vmInfo 0",
                                             "listGuests",
                                             "openStream 0 nosuch"};
        std::lock_guard lock(served.host.mutex);
        std::vector<std::string> calls = served.host.calls;
        calls.erase(std::remove(calls.begin(), calls.end(), "vmInfo 0"), calls.end());
        expected.erase(std::remove(expected.begin(), expected.end(), "vmInfo 0"), expected.end());
        QCOMPARE(calls, expected);
    }

    // Uploads are bounded as a whole: two at once cannot exceed the limit
    // together, and a refused upload leaves the session serving.
    void uploadsInProgressShareOneLimit() {
        SessionOptions options;
        options.maxRequest = 3 << 20;
        ServedFake served(options);
        auto host = std::move(served.connect().value());
        std::vector<uint8_t> two(2 << 20, 0x5a);
        std::vector<uint8_t> four(4 << 20, 0xa5);
        auto tooBig = host->createGuest(four, "four");
        QCOMPARE(tooBig.error().errnum, EMSGSIZE);
        QVERIFY2(tooBig.error().message.find("larger than 3145728 bytes") != std::string::npos,
                 tooBig.error().message.c_str());
        QVERIFY(host->createGuest(two, "two").ok());

        // By hand: two 2 MiB uploads interleaved, frame by frame.
        ServedFake raw(options);
        wire::Receiver in(raw.client);
        QVERIFY(wire::writeAll(raw.client, wire::hello(1)));
        QCOMPARE(in.next().type, FrameType::Welcome);
        std::string piece(kMaxPayload, 'p');
        for (uint32_t id : {10u, 11u, 10u, 11u})
            QVERIFY(wire::writeAll(raw.client,
                                   encodeFrame(FrameType::Request, kFlagMore, 0, id, piece)));
        Frame refused = in.next();
        QCOMPARE(refused.type, FrameType::Error);
        QCOMPARE(refused.requestId, 11u); // the one that crossed the limit
        QCOMPARE(decodeError(refused.payload).errnum, EMSGSIZE);
        FieldWriter info;
        info.u32(Tag::Op, ops::GetHostInfo::code);
        QVERIFY(wire::writeAll(raw.client, wire::request(12, info)));
        Frame ok = in.next();
        QCOMPARE(ok.type, FrameType::Response);
        QCOMPARE(ok.requestId, 12u);
    }

    void callsFromManyThreadsGetTheirOwnAnswers() {
        ServedFake served;
        auto host = std::move(served.connect().value());
        for (int i = 0; i < 5; ++i)
            (void)served.host.createGuest({}, "vm" + std::to_string(i));
        std::atomic<int> wrong{0};
        std::vector<std::thread> threads;
        for (int t = 0; t < 8; ++t)
            threads.emplace_back([&, t] {
                for (int i = 0; i < 50; ++i) {
                    int index = (t + i) % 5;
                    auto info = host->vmInfo(index);
                    if (!info || info.value().name != "vm" + std::to_string(index))
                        ++wrong;
                }
            });
        for (auto& t : threads)
            t.join();
        QCOMPARE(wrong.load(), 0);
    }

    void streamsAreInterleavedOnOneConnection() {
        ServedFake served;
        auto host = std::move(served.connect().value());
        (void)served.host.createGuest({}, "a");
        (void)served.host.createGuest({}, "b");
        auto com1 = host->openStream(0, "com1");
        auto com2 = host->openStream(1, "com1");
        QVERIFY(com1.ok() && com2.ok());
        QCOMPARE(host->openChannels(), size_t(2));
        int guestA = served.host.guestEnd(0, "com1");
        int guestB = served.host.guestEnd(1, "com1");
        QVERIFY(guestA >= 0 && guestB >= 0);

        // Output of both guests, interleaved, arrives at the right descriptor.
        for (int i = 0; i < 20; ++i) {
            QVERIFY(wire::writeAll(guestA, "A" + std::to_string(i) + ";"));
            QVERIFY(wire::writeAll(guestB, "B" + std::to_string(i) + ";"));
        }
        std::string expectA, expectB;
        for (int i = 0; i < 20; ++i) {
            expectA += "A" + std::to_string(i) + ";";
            expectB += "B" + std::to_string(i) + ";";
        }
        QCOMPARE(readSome(com1.value(), expectA.size()), expectA);
        QCOMPARE(readSome(com2.value(), expectB.size()), expectB);

        // Input goes the other way, to the right guest; a request meanwhile
        // is answered as usual.
        QVERIFY(wire::writeAll(com2.value(), "keys for b"));
        QVERIFY(host->vmInfo(0).ok());
        QVERIFY(wire::writeAll(com1.value(), "keys for a"));
        QCOMPARE(readSome(guestB, 10), std::string("keys for b"));
        QCOMPARE(readSome(guestA, 10), std::string("keys for a"));

        // Closing one descriptor closes that channel only.
        ::close(com1.value());
        QTRY_COMPARE(host->openChannels(), size_t(1));
        QVERIFY(wire::writeAll(guestB, "still here"));
        QCOMPARE(readSome(com2.value(), 10), std::string("still here"));

        // The guest's stream ends: the caller reads end-of-file.
        served.host.endStream(1, "com1");
        char c;
        pollfd p{com2.value(), POLLIN, 0};
        QVERIFY(::poll(&p, 1, 5000) == 1);
        QCOMPARE(::read(com2.value(), &c, 1), ssize_t(0));
        QTRY_COMPARE(host->openChannels(), size_t(0));
        ::close(com2.value());
    }

    // A reader that does not keep up stalls the guest's side (the window)
    // instead of buffering without bound, and loses nothing.
    void streamFlowControlLosesNothing() {
        ServedFake served;
        auto host = std::move(served.connect().value());
        (void)served.host.createGuest({}, "a");
        auto stream = host->openStream(0, "com1");
        QVERIFY(stream.ok());
        int guest = served.host.guestEnd(0, "com1");
        const std::string data = bytesOf(4 << 20, 12);
        std::atomic<size_t> written{0};
        std::thread writer([&] {
            size_t at = 0;
            while (at < data.size()) {
                ssize_t n =
                    ::write(guest, data.data() + at, std::min<size_t>(65536, data.size() - at));
                if (n <= 0)
                    break;
                at += size_t(n);
                written = at;
            }
        });
        QTest::qWait(500); // nobody reads yet
        size_t stalledAt = written;
        QVERIFY2(stalledAt < data.size(), "the writer was never held back");
        std::string got = readSome(stream.value(), data.size(), 60000);
        writer.join();
        QCOMPARE(got.size(), data.size());
        QVERIFY(got == data);
        ::close(stream.value());
    }

    void handshakeSkipsLeftoversOfAnEarlierSession() {
        int pair[2];
        QVERIFY(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) == 0);
        // What an earlier client left on the line: half a frame, noise and
        // a whole answer meant for someone else.
        std::string junk = encodeFrame(FrameType::Data, 0, 4, 0, "old").substr(0, 20) + "noise" +
                           encodeFrame(FrameType::Welcome, 0, 0, 12345, "");
        QVERIFY(wire::writeAll(pair[1], junk));
        FakeHost fake;
        std::thread agent([&] {
            AgentSession session(fake, pair[1], pair[1]);
            session.run();
        });
        AgentHost::Transport t;
        t.readFd = UniqueFd(pair[0]);
        t.displayName = "leftovers";
        auto host = AgentHost::connect(std::move(t), 5000);
        QVERIFY2(host.ok(), host.ok() ? "" : host.error().message.c_str());
        QVERIFY(host.value()->hostInfo().ok());
        host.value().reset();
        agent.join();
        ::close(pair[1]);
    }

    void handshakeNamesAVersionMismatch() {
        // An agent of the previous protocol (host info as text) and one from
        // the future: both are named, neither is half understood.
        for (uint8_t version : {uint8_t(1), uint8_t(kProtocolVersion + 1)}) {
            int pair[2];
            QVERIFY(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) == 0);
            std::thread agent([&] {
                char buf[256];
                (void)!::read(pair[1], buf, sizeof buf);
                wire::writeAll(
                    pair[1], wire::rawFrame(version, uint8_t(FrameType::Welcome), 0, 0, 1, "", 0));
            });
            AgentHost::Transport t;
            t.readFd = UniqueFd(pair[0]);
            t.displayName = "other agent";
            auto host = AgentHost::connect(std::move(t), 5000);
            agent.join();
            ::close(pair[1]);
            QVERIFY(!host.ok());
            QCOMPARE(host.error().message,
                     "the agent (other agent) speaks protocol version " + std::to_string(version) +
                         "; this program speaks 2. Use the tools and the agent of one build");
        }
    }

    void silentPeerTimesOutWithAClearMessage() {
        int pair[2];
        QVERIFY(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) == 0);
        AgentHost::Transport t;
        t.readFd = UniqueFd(pair[0]);
        t.displayName = "nobody";
        auto host = AgentHost::connect(std::move(t), 1500);
        ::close(pair[1]);
        QVERIFY(!host.ok());
        QCOMPARE(host.error().errnum, ETIMEDOUT);
        QVERIFY(host.error().message.find("did not answer within 1 s") != std::string::npos);
    }

    void agentGoingAwayFailsCallsInsteadOfHanging() {
        auto served = std::make_unique<ServedFake>();
        auto host = std::move(served->connect().value());
        QVERIFY(host->hostInfo().ok());
        ::shutdown(served->agentEnd, SHUT_RDWR);
        served->thread.join();
        auto after = host->hostInfo();
        QVERIFY(!after.ok());
        QVERIFY2(after.error().message.find("closed the connection") != std::string::npos,
                 after.error().message.c_str());
        QVERIFY(!host->connected());
    }

    void agentSilentAfterHandshakeFailsTheCallInsteadOfHanging() {
        // A dead agent in the sandbox leaves its serial port open: nothing
        // says it is gone, only its silence.
        SilentAgent agent;
        auto host = agent.connect(300);
        QVERIFY2(host.ok(), host.is_error() ? host.error().message.c_str() : "");
        auto info = host.value()->hostInfo();
        QVERIFY(!info.ok());
        QCOMPARE(info.error().errnum, ETIMEDOUT);
        QVERIFY2(info.error().message.find("has not answered the 'host info' request") !=
                     std::string::npos,
                 info.error().message.c_str());
        QVERIFY(!host.value()->connected());
        // Later calls fail at once with the same reason.
        auto again = host.value()->listGuests();
        QVERIFY(!again.ok());
        QCOMPARE(again.error().message, info.error().message);
    }

    void silenceCountsOnlyWhileACallWaits() {
        // An idle connection is not a hung one: a call made after a quiet
        // spell longer than the answer timeout still gets its answer.
        auto served = std::make_unique<ServedFake>();
        AgentHost::Transport t;
        t.readFd = UniqueFd(served->client);
        served->client = -1;
        t.displayName = "fake agent";
        t.answerTimeoutMs = 200;
        auto host = AgentHost::connect(std::move(t), 5000);
        QVERIFY(host.ok());
        std::this_thread::sleep_for(std::chrono::milliseconds(600));
        auto info = host.value()->hostInfo();
        QVERIFY2(info.ok(), info.is_error() ? info.error().message.c_str() : "");
        QVERIFY(host.value()->connected());
    }

    void abandonFailsAWaitingCallAtOnce() {
        SilentAgent agent;
        auto host = agent.connect(AgentHost::kDefaultAnswerTimeoutMs);
        QVERIFY(host.ok());
        std::optional<Result<HostInfo>> info;
        std::thread caller([&] { info = host.value()->hostInfo(); });
        agent.waitForRequest();
        host.value()->abandon("the window closed its connection");
        caller.join();
        QVERIFY(info && !info->ok());
        QCOMPARE(info->error().errnum, ECANCELED);
        QCOMPARE(info->error().message, std::string("the window closed its connection"));
    }

    // --- v3agent --listen and the ssh transport --------------------------------

    void listenerServesSeveralClientsAndSurvivesBadOnes() {
        QTemporaryDir dir;
        std::string path = dir.filePath("agent.sock").toStdString();
        FakeHost fake;
        (void)fake.createGuest({}, "shared");
        std::atomic<bool> stop{false};
        std::atomic<bool> served{false};
        std::thread listener(
            [&] { served = serveUnixSocket(fake, path, SessionOptions{}, stop).ok(); });
        QTRY_VERIFY(QFile::exists(QString::fromStdString(path)));

        // A second listener on the same path is refused.
        std::atomic<bool> dummy{true};
        auto twice = serveUnixSocket(fake, path, SessionOptions{}, dummy);
        QVERIFY(!twice.ok());
        QVERIFY(twice.error().message.find("already listening") != std::string::npos);

        auto first = AgentHost::connect(std::move(connectUnixSocket(path).value()));
        auto second = AgentHost::connect(std::move(connectUnixSocket(path).value()));
        QVERIFY(first.ok() && second.ok());
        // A rude client: garbage and half a frame, then gone.
        auto rude = connectUnixSocket(path);
        QVERIFY(rude.ok());
        int rudeFd = rude.value().readFd.get();
        QVERIFY(wire::writeAll(rudeFd, "garbage" + wire::hello(1).substr(0, 10)));
        rude.value().readFd.reset();

        auto stream = first.value()->openStream(0, "com1"); // held open meanwhile
        QVERIFY(stream.ok());
        for (int i = 0; i < 20; ++i) {
            QVERIFY(first.value()->vmInfo(0).ok());
            QVERIFY(second.value()->listGuests().ok());
        }
        QCOMPARE(first.value()->uri(), "unix:" + path);
        ::close(stream.value());
        first.value().reset();
        second.value().reset();
        stop = true;
        listener.join();
        QVERIFY(served);
        QVERIFY(!QFile::exists(QString::fromStdString(path)));
    }

    void sshUrisAreParsedStrictly() {
        auto plain = parseSshUri("ssh://box");
        QVERIFY(plain.ok());
        QCOMPARE(plain.value().destination, std::string("box"));
        QCOMPARE(plain.value().agentPath, std::string("v3agent"));
        auto full = parseSshUri("ssh://me@box:2222/opt/palacios/bin/v3agent");
        QVERIFY(full.ok());
        QCOMPARE(full.value().destination, std::string("me@box"));
        QCOMPARE(full.value().port, std::string("2222"));
        QCOMPARE(full.value().agentPath, std::string("/opt/palacios/bin/v3agent"));
        QCOMPARE(sshCommand(full.value()),
                 (std::vector<std::string>{"ssh", "-T", "-e", "none", "-p", "2222", "--", "me@box",
                                           "/opt/palacios/bin/v3agent --stdio"}));
        for (const char* bad : {"ssh://", "ssh://me@", "ssh://box:", "ssh://box:22x",
                                "ssh://-oProxyCommand=evil", "ssh://@box"}) {
            auto r = parseSshUri(bad);
            QVERIFY2(!r.ok(), bad);
            QCOMPARE(r.error().errnum, EINVAL);
        }
    }

    // The ssh path end to end, with a stand-in for ssh that runs the real
    // v3agent here (this machine has no /dev/v3vee, so the agent's answer is
    // LocalHost's refusal, carried back with its errno and sentence).
    void sshTransportReachesARealAgent() {
        QString agent = testpaths::buildRoot() + "/bin/v3agent";
        QVERIFY2(QFile::exists(agent), qPrintable("missing " + agent + "; build first"));
        if (QFile::exists("/dev/v3vee"))
            QSKIP("this machine has /dev/v3vee: the refusal checked here does not happen");
        QTemporaryDir dir;
        QString fakeSsh = dir.filePath("ssh");
        QFile f(fakeSsh);
        QVERIFY(f.open(QIODevice::WriteOnly));
        // Arguments: -T -e none -- DESTINATION "COMMAND --stdio"
        f.write("#!/bin/sh\necho \"$5 $6\" > \"$(dirname \"$0\")/args\"\nexec " +
                agent.toLocal8Bit() + " --stdio 2>/dev/null\n");
        f.close();
        f.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
        qputenv("PALACIOS_SSH", fakeSsh.toLocal8Bit());
        auto host = openHost("ssh://tester@example.org");
        qunsetenv("PALACIOS_SSH");
        QVERIFY2(host.ok(), host.ok() ? "" : host.error().message.c_str());
        QCOMPARE(host.value()->displayName(), std::string("tester@example.org (ssh)"));
        auto info = host.value()->hostInfo();
        QVERIFY(!info.ok());
        QCOMPARE(info.error().errnum, ENOENT);
        QVERIFY2(info.error().message.find("cannot open /dev/v3vee") != std::string::npos,
                 info.error().message.c_str());
        host.value().reset(); // BYE, then the stand-in ssh exits and is reaped
        QFile args(dir.filePath("args"));
        QVERIFY(args.open(QIODevice::ReadOnly));
        QCOMPARE(args.readAll().trimmed(), QByteArray("tester@example.org v3agent --stdio"));
    }

    // A sandbox whose boot report announces no agent (an initramfs from
    // before v3agent) keeps its boot-time host info and refuses VM
    // operations with what to do; one that announces an agent is reached
    // through RUNDIR/agent.sock.
    void sandboxHostUsesTheAgentOnlyWhenAnnounced() {
        QTemporaryDir dir;
        FakeHost fake;
        std::string banner = fake.hostInfo().value().toKeyValues() + "sandbox_accel=tcg\n";
        auto standIn = [&](const std::string& extra) {
            QString path = dir.filePath("v3sandbox");
            QFile f(path);
            f.open(QIODevice::WriteOnly);
            f.write(QByteArray::fromStdString("#!/bin/sh\nprintf '%s' '" + banner + extra + "'\n"));
            f.close();
            f.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
            return path.toStdString();
        };
        SandboxHost old(dir.path().toStdString(), standIn(""));
        QCOMPARE(old.hostInfo().value().moduleVersion, std::string("0.1.0-fake"));
        auto refused = old.createGuest({1}, "x");
        QCOMPARE(refused.error().errnum, ENOSYS);
        QVERIFY2(refused.error().message.find("runs no v3agent") != std::string::npos,
                 refused.error().message.c_str());

        // With an agent: live answers through agent.sock (here a listener
        // serving the fake host, whose memory changes after boot).
        std::atomic<bool> stop{false};
        std::thread listener([&] {
            (void)serveUnixSocket(fake, dir.filePath("agent.sock").toStdString(), {}, stop);
        });
        QTRY_VERIFY(QFile::exists(dir.filePath("agent.sock")));
        SandboxHost current(dir.path().toStdString(), standIn("sandbox_agent=virtio\n"));
        (void)fake.addMemory(32 << 20);
        auto live = current.hostInfo();
        QVERIFY2(live.ok(), live.ok() ? "" : live.error().message.c_str());
        QCOMPARE(live.value().guestMemoryTotal, uint64_t(32 << 20));
        QCOMPARE(current.createGuest({1, 2}, "vm").value(), 0);
        auto stream = current.openStream(0, "com1");
        QVERIFY(stream.ok());
        QVERIFY(current.vmInfo(0).ok()); // the connection is held while the stream is open
        ::close(stream.value());
        stop = true;
        listener.join();
    }

    void openHostExplainsUnreachableAgents() {
        auto missing = openHost("unix:/nonexistent/agent.sock");
        QVERIFY(!missing.ok());
        QCOMPARE(missing.error().errnum, ENOENT);
        QVERIFY(missing.error().message.find("is the agent (or the sandbox) running?") !=
                std::string::npos);
        auto unknown = openHost("telnet://x");
        QCOMPARE(unknown.error().errnum, EINVAL);
        QVERIFY(unknown.error().message.find("unix:PATH or ssh://[user@]host") !=
                std::string::npos);
    }
};

QTEST_APPLESS_MAIN(TestAgentProtocol)
#include "tst_agent_protocol.moc"
