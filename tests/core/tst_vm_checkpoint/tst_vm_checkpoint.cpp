// Whole-VM checkpoints through the host's API (v3_save_vm, v3_load_vm): a VM
// saved after a guest's worth of changes (RAM, device registers, serial
// output, guest time, two cores' registers and modes) loads into a fresh VM
// built from the same image, which then holds the same RAM, devices and
// cores and answers further guest I/O exactly as the original does; a
// checkpoint with a flipped byte anywhere, a truncated one, one with bytes
// after its end, one from another image, and one whose core state is
// invalid are refused with a reason and leave the target VM unchanged. The
// hosted build cannot enter a guest, so the guest's work is done through
// the VM's I/O ports, memory and core registers here; tests/sandbox
// tst_checkpoint_sandbox saves and loads a real running guest.
#include "vm_harness.h"

#include <arch/x86/registers.h>
#include <chkpt/checkpoint_format.h>
#include <chkpt/snapshot.h>
#include <config/crc32.h>
#include <config/image_writer.h>
#include <v3/vmm.h>
#include <vmm_handle.h>

#include <QtTest>

#include <cerrno>
#include <cstring>
#include <vector>

namespace {

namespace cl = v3::chkpt::layout;

// Two cores, 5 MB: two full 2 MiB RAM chunks and a short one.
const char kConfig[] = R"(<vm class="PC">
  <memory>5</memory>
  <cores count="2"/>
  <files><file id="bios" filename="bios.bin"/></files>
  <devices test_devices="yes">
    <device class="8259A" id="pic"/>
    <device class="8254_PIT" id="pit"/>
    <device class="SERIAL" id="serial"/>
    <device class="CHAR_STREAM" id="com1_stream" name="com1">
      <frontend tag="serial" com_port="1"/>
    </device>
    <device class="NVRAM" id="nvram"/>
    <device class="TEST_EXIT" id="exit"/>
  </devices>
</vm>)";

constexpr v3::u64 kBiosSize = 64 * 1024;
constexpr v3::u16 kCom1 = 0x3f8;
constexpr v3::u16 kCom1Scratch = 0x3ff;
constexpr v3::u16 kCom1LineControl = 0x3fb;

std::vector<v3::u8> buildImage(v3::u8 seed) {
    std::vector<v3::u8> bios(kBiosSize);
    for (size_t i = 0; i < bios.size(); ++i)
        bios[i] = v3::u8(i * 7 + seed);
    v3::config::ImageWriter writer;
    v3::config::Diagnostic diag;
    if (writer.set_xml(v3::StringView(kConfig, sizeof kConfig - 1), diag).is_error() ||
        writer.add_blob("bios", bios.data(), bios.size(), diag).is_error())
        qFatal("cannot build the test image: %s", diag.message);
    std::vector<v3::u8> image(writer.image_size());
    if (writer.fill(image.data(), image.size(), diag).is_error())
        qFatal("cannot write the test image: %s", diag.message);
    return image;
}

// What each VM's COM1 stream received (host_vm is the VM's QByteArray).
v3_host_services recordingStreams() {
    v3_host_services h = v3::hosted::make_host_services();
    h.stream_open = [](void* host_vm, const char*) -> void* { return host_vm; };
    h.stream_write = [](void* stream, const unsigned char* data, unsigned long size) {
        static_cast<QByteArray*>(stream)->append(reinterpret_cast<const char*>(data),
                                                 qsizetype(size));
        return size;
    };
    h.stream_read = [](void*, unsigned char*, unsigned long) -> unsigned long { return 0; };
    h.stream_close = [](void*) {};
    return h;
}

struct Vm {
    std::vector<v3::u8> image;
    QByteArray com1;
    v3_vm* handle = nullptr;
    char error[256] = {};

    explicit Vm(v3::u8 seed = 3) : image(buildImage(seed)) {
        if (v3_create_vm(image.data(), image.size(), "chkpt", &com1, &handle, error,
                         sizeof error) != 0)
            qFatal("v3_create_vm: %s", error);
    }
    ~Vm() { v3_free_vm(handle); }
    v3::Vm& vm() { return *handle->vm; }
    v3::Vcore& core(v3::u32 i) { return handle->runtime->core(i); }

    QByteArray ram() {
        QByteArray bytes(qsizetype(vm().memory().ram_bytes()), 0);
        if (vm().memory().read(0, bytes.data(), v3::u64(bytes.size())).is_error())
            qFatal("cannot read guest RAM");
        return bytes;
    }
    QByteArray devices() {
        v3::Vector<v3::u8> out;
        v3::chkpt::Writer writer(out);
        if (vm().devices().save(writer).is_error())
            qFatal("cannot save the devices");
        return QByteArray(reinterpret_cast<const char*>(out.begin()), qsizetype(out.size()));
    }
    QByteArray registers(v3::u32 i) {
        v3::x86::Registers r;
        core(i).load_registers(r);
        QByteArray out;
        auto add = [&](v3::u64 v) { out.append(reinterpret_cast<const char*>(&v), sizeof v); };
        for (v3::u64 g : r.gpr)
            add(g);
        for (v3::u64 v : {r.rip, r.rflags, r.cr0, r.cr2, r.cr3, r.cr4, r.efer, v3::u64(r.cpl)})
            add(v);
        for (const v3::x86::Segment& s : r.segments)
            for (v3::u64 v : {v3::u64(s.selector), s.base, v3::u64(s.limit), v3::u64(s.attributes)})
                add(v);
        return out;
    }
    // Everything a load may change, to see that a refused one changed none.
    QByteArray everything() {
        return ram() + devices() + registers(0) + registers(1) +
               QByteArray::number(qulonglong(vm().clock().now_ns())) +
               QByteArray::number(int(vm().state()));
    }

    v3::u32 in(v3::u16 port) {
        auto r = vm().io_ports().read(port, 1);
        if (r.is_error())
            qFatal("IN from 0x%x failed", port);
        return r.value();
    }
    void out(v3::u16 port, v3::u8 value) {
        if (vm().io_ports().write(port, 1, value).is_error())
            qFatal("OUT to 0x%x failed", port);
    }

    int save(QByteArray& checkpoint, unsigned long long* done = nullptr) {
        return v3_save_vm(
            handle,
            [](void* ctx, const void* data, unsigned long size) -> long {
                static_cast<QByteArray*>(ctx)->append(static_cast<const char*>(data),
                                                      qsizetype(size));
                return 0;
            },
            &checkpoint, done, error, sizeof error);
    }
    int load(const QByteArray& checkpoint, unsigned long long* done = nullptr) {
        struct Cursor {
            const QByteArray* bytes;
            qsizetype at = 0;
        } cursor{&checkpoint};
        return v3_load_vm(
            handle,
            [](void* ctx, void* data, unsigned long size) -> long {
                auto* c = static_cast<Cursor*>(ctx);
                // Short reads, as a pipe gives them: at most 4000 bytes.
                qsizetype n = qMin<qsizetype>(qMin<qsizetype>(qsizetype(size), 4000),
                                              c->bytes->size() - c->at);
                memcpy(data, c->bytes->constData() + c->at, size_t(n));
                c->at += n;
                return long(n);
            },
            &cursor, done, error, sizeof error);
    }
};

// A guest's worth of changes, then the work it does next (which must come
// out the same from the original and from its restored copy).
void runFirstPart(Vm& v) {
    std::vector<v3::u8> pattern(v.vm().memory().ram_bytes());
    for (size_t i = 0; i < pattern.size(); ++i)
        pattern[i] = v3::u8((i >> 12) ^ (i * 13));
    if (v.vm().memory().write(0, pattern.data(), pattern.size()).is_error())
        qFatal("cannot write guest RAM");
    v.out(kCom1Scratch, 0x5a);
    v.out(0x43, 0x34); // PIT channel 0, mode 2, count 0x1000
    v.out(0x40, 0x00);
    v.out(0x40, 0x10);
    v.out(0x21, 0xfb); // PIC mask
    v.out(0x70, 0x0a); // NVRAM index
    for (char c : QByteArray("count 1\r\n"))
        v.out(kCom1, v3::u8(c));
    if (v.vm().clock().advance(25'000'000).is_error())
        qFatal("cannot advance guest time");
    v3::x86::Registers r;
    v.core(0).load_registers(r);
    for (int i = 0; i < 16; ++i)
        r.gpr[i] = 0x1111000000000000ull + v3::u64(i);
    r.rip = 0x1234;
    r.rflags = 0x202;
    v.core(0).store_registers(r);
    // Core 1 in protected mode: different segments, CR0, GDT.
    v.core(1).start_linux_protected_mode(0x100000, 0x9000, 0x8000);
}

QByteArray runSecondPart(Vm& v) {
    QByteArray seen;
    for (char c : QByteArray("count 2\r\n"))
        v.out(kCom1, v3::u8(c));
    if (v.vm().clock().advance(3'000'000).is_error())
        qFatal("cannot advance guest time");
    v.out(0x43, 0x00); // latch PIT channel 0
    seen.append(char(v.in(0x40)));
    seen.append(char(v.in(0x40)));
    seen.append(char(v.in(kCom1Scratch)));
    seen.append(char(v.in(0x21)));
    seen.append(char(v.in(0x71)));
    return seen + v.devices();
}

struct Section {
    v3::u32 tag;
    qsizetype at; // of the section header
    QByteArray payload;
};

QList<Section> sections(const QByteArray& checkpoint) {
    QList<Section> out;
    qsizetype at = cl::kHeaderSize;
    while (at + qsizetype(cl::kSectionHeaderSize) <= checkpoint.size()) {
        auto h = v3::chkpt::decode_section_header(
            reinterpret_cast<const v3::u8*>(checkpoint.constData()) + at);
        out.append({h.tag, at, checkpoint.mid(at + cl::kSectionHeaderSize, qsizetype(h.length))});
        at += cl::kSectionHeaderSize + qsizetype(h.length);
    }
    return out;
}

// The guest TSC of each core (the u64 after each core section's version).
QList<v3::u64> guestTscs(const QByteArray& vcpu) {
    QList<v3::u64> out;
    v3::chkpt::Reader r(reinterpret_cast<const v3::u8*>(vcpu.constData()), v3::usize(vcpu.size()));
    for (const char* name : {"core0", "core1"}) {
        auto core = r.section(v3::StringView(name));
        if (core.is_error())
            qFatal("no %s section", name);
        v3::chkpt::Reader c = core.release_value();
        (void)c.u8_();
        out.append(c.u64_().value());
    }
    return out;
}

QByteArray withoutTscs(QByteArray vcpu) {
    // Core sections: name length, name, u32 length, version, u64 TSC.
    qsizetype at = 0;
    while (at < vcpu.size()) {
        qsizetype name = v3::u8(vcpu[at]);
        qsizetype payload = at + 1 + name + 4;
        v3::u32 length = 0;
        memcpy(&length, vcpu.constData() + at + 1 + name, 4);
        memset(vcpu.data() + payload + 1, 0, 8);
        at = payload + length;
    }
    return vcpu;
}

// Sets the section at `at` right again after its payload was changed.
void fixCrc(QByteArray& checkpoint, const Section& s, const QByteArray& payload) {
    checkpoint.replace(s.at + cl::kSectionHeaderSize, payload.size(), payload);
    v3::u32 crc = v3::config::crc32(reinterpret_cast<const v3::u8*>(payload.constData()),
                                    v3::u64(payload.size()));
    memcpy(checkpoint.data() + s.at + 12, &crc, 4);
}

} // namespace

class TstVmCheckpoint : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() {
        static v3_host_services services = recordingStreams();
        v3::set_host(&services);
    }

    void aLoadedVmContinuesWhereTheSavedOneStopped() {
        Vm a;
        runFirstPart(a);
        QByteArray checkpoint;
        unsigned long long saved = 0;
        QCOMPARE(a.save(checkpoint, &saved), 0);
        QCOMPARE(qsizetype(saved), checkpoint.size());
        QVERIFY(checkpoint.size() > qsizetype(a.vm().memory().ram_bytes()));
        QCOMPARE(a.vm().state(), v3::VmState::Created); // saving changes nothing

        // The layout: header, cores, devices, 3 RAM chunks, end.
        const QList<Section> parts = sections(checkpoint);
        QCOMPARE(parts.size(), 6);
        QCOMPARE(parts[0].tag, cl::kTagVcores);
        QCOMPARE(parts[1].tag, cl::kTagDevices);
        QCOMPARE(parts[2].tag, cl::kTagRam);
        QCOMPARE(parts[4].payload.size(), qsizetype(8 + (1 << 20))); // the short chunk
        QCOMPARE(parts[5].tag, cl::kTagEnd);

        Vm b;
        QVERIFY(b.ram() != a.ram()); // so the comparisons below can fail
        QVERIFY(b.devices() != a.devices());
        QVERIFY(b.registers(0) != a.registers(0));
        QVERIFY(b.registers(1) != a.registers(1));
        unsigned long long loaded = 0;
        QVERIFY2(b.load(checkpoint, &loaded) == 0, b.error);
        QCOMPARE(qsizetype(loaded), checkpoint.size());
        QCOMPARE(b.vm().state(), v3::VmState::Created);
        QVERIFY(b.ram() == a.ram());
        QVERIFY(b.devices() == a.devices());
        QVERIFY(b.registers(0) == a.registers(0));
        QVERIFY(b.registers(1) == a.registers(1));
        QCOMPARE(b.vm().clock().now_ns(), a.vm().clock().now_ns());

        // Saved again, b's checkpoint is a's but for the cores' TSC, which
        // went on from a's instead of restarting from b's creation.
        QByteArray again;
        QCOMPARE(b.save(again), 0);
        const QList<Section> partsAgain = sections(again);
        QCOMPARE(partsAgain.size(), parts.size());
        for (int i = 1; i < parts.size(); ++i)
            QVERIFY2(partsAgain[i].payload == parts[i].payload, qPrintable(QString::number(i)));
        QVERIFY(withoutTscs(partsAgain[0].payload) == withoutTscs(parts[0].payload));
        const QList<v3::u64> tscA = guestTscs(parts[0].payload);
        const QList<v3::u64> tscB = guestTscs(partsAgain[0].payload);
        for (int i = 0; i < 2; ++i)
            QVERIFY(tscB[i] >= tscA[i]);

        // And both go on the same way.
        const QByteArray outputA = a.com1, outputB = b.com1;
        QVERIFY(runSecondPart(b) == runSecondPart(a));
        QCOMPARE(b.com1.mid(outputB.size()), a.com1.mid(outputA.size()));
        QVERIFY(a.com1.contains("count 2"));
    }

    void everyFlippedByteIsRefusedAndTheVmIsUnchanged() {
        Vm a;
        runFirstPart(a);
        QByteArray checkpoint;
        QCOMPARE(a.save(checkpoint), 0);
        const QList<Section> parts = sections(checkpoint);
        struct Case {
            qsizetype at;
            const char* says;
        };
        const QList<Case> cases = {
            {0, "not a Palacios checkpoint"},
            {20, "header checksum"}, // reserved, under the header CRC
            {40, "header checksum"}, // the image identity
            {parts[0].at + 20, "VCPU section's checksum"},
            {parts[0].at + 7, "VCPU section claims"}, // its length
            {parts[1].at + 30, "DEVS section's checksum"},
            {parts[1].at, "DEVS section was expected"},
            {parts[2].at + 40, "RAM at 0x0 does not match"},
            {parts[3].at + 100000, "RAM at 0x200000 does not match"},
            {parts[4].at + 20, "RAM section for 0x400000"}, // its address
            {parts[4].at + parts[4].payload.size() + 15, "RAM at 0x400000 does not match"},
            {parts[5].at + 17, "end marker"},
        };
        for (const Case& c : cases) {
            QByteArray bad = checkpoint;
            bad[c.at] = char(bad[c.at] ^ 0x10);
            Vm b;
            const QByteArray before = b.everything();
            QCOMPARE(b.load(bad), -EINVAL);
            QVERIFY2(QString(b.error).contains(c.says),
                     qPrintable(QString("byte %1: %2").arg(c.at).arg(b.error)));
            QVERIFY2(b.everything() == before, qPrintable(QString("byte %1").arg(c.at)));
        }
    }

    void aTruncatedCheckpointIsRefusedAndTheVmIsUnchanged() {
        Vm a;
        runFirstPart(a);
        QByteArray checkpoint;
        QCOMPARE(a.save(checkpoint), 0);
        const QList<Section> parts = sections(checkpoint);
        for (qsizetype length : {qsizetype(0), qsizetype(30), qsizetype(cl::kHeaderSize + 5),
                                 parts[1].at + 40, parts[3].at + 1000, checkpoint.size() - 1}) {
            Vm b;
            const QByteArray before = b.everything();
            QCOMPARE(b.load(checkpoint.left(length)), -EINVAL);
            QVERIFY2(
                QString(b.error).contains(QString("truncated: it ends after %1 bytes").arg(length)),
                b.error);
            QVERIFY2(b.everything() == before, qPrintable(QString::number(length)));
        }
        Vm b;
        const QByteArray before = b.everything();
        QCOMPARE(b.load(checkpoint + "x"), -EINVAL);
        QVERIFY2(QString(b.error).contains("bytes after its end marker"), b.error);
        QVERIFY(b.everything() == before);
    }

    void aCheckpointOfAnotherImageIsRefused() {
        Vm a(3);
        QByteArray checkpoint;
        QCOMPARE(a.save(checkpoint), 0);
        Vm other(4); // another BIOS, same config
        const QByteArray before = other.everything();
        QCOMPARE(other.load(checkpoint), -EINVAL);
        QVERIFY2(QString(other.error).contains("built from another image"), other.error);
        QVERIFY(other.everything() == before);
    }

    // Checksums right, contents wrong: the cores' state is checked in full
    // before anything is written.
    void anInvalidCoreStateIsRefused() {
        Vm a;
        runFirstPart(a);
        QByteArray checkpoint;
        QCOMPARE(a.save(checkpoint), 0);
        const Section vcpu = sections(checkpoint)[0];
        // core0: 1 + 5 + 4 bytes of section header; then version, TSC, 10
        // segments of 16 bytes, CPL.
        const qsizetype core0 = 1 + 5 + 4;
        const qsizetype cpl = core0 + 1 + 8 + 160;
        QByteArray payload = vcpu.payload;
        payload[cpl] = char(4);
        QByteArray bad = checkpoint;
        fixCrc(bad, vcpu, payload);
        Vm b;
        const QByteArray before = b.everything();
        QCOMPARE(b.load(bad), -EINVAL);
        QVERIFY2(QString(b.error).contains("privilege level"), b.error);
        QVERIFY(b.everything() == before);

        payload = vcpu.payload;
        payload[core0] = char(9); // version
        bad = checkpoint;
        fixCrc(bad, vcpu, payload);
        QCOMPARE(b.load(bad), -EINVAL);
        QVERIFY2(QString(b.error).contains("unknown version"), b.error);
        QVERIFY(b.everything() == before);
    }

    void onlyACreatedOrPausedVmIsSavedOrLoaded() {
        static v3_host_services services = [] {
            v3_host_services h = recordingStreams();
            // Core threads that never run: the hosted build has no VMRUN.
            h.thread_start = [](int (*)(void*), void*, const char*, int) -> void* {
                static int token;
                return &token;
            };
            h.thread_stop = [](void*) -> int { return 0; };
            return h;
        }();
        v3::set_host(&services);
        Vm a;
        QByteArray checkpoint;
        QCOMPARE(a.save(checkpoint), 0);
        QCOMPARE(v3_launch_vm(a.handle), 0);
        QByteArray refused;
        QCOMPARE(a.save(refused), -EINVAL);
        QVERIFY2(QString(a.error).contains("is running (pause it first)"), a.error);
        QVERIFY(refused.isEmpty());
        QCOMPARE(a.load(checkpoint), -EINVAL);
        QVERIFY2(QString(a.error).contains("only into a created or paused VM"), a.error);
        QCOMPARE(v3_stop_vm(a.handle), 0);
        QCOMPARE(a.save(refused), -EINVAL);
        QVERIFY2(QString(a.error).contains("is stopped"), a.error);
        initTestCase();
    }

    // The host's write failing stops the save with its errno.
    void aFailingWriteEndsTheSave() {
        Vm a;
        char error[256] = {};
        unsigned long long done = 0;
        int calls = 0;
        int r = v3_save_vm(
            a.handle,
            [](void* ctx, const void*, unsigned long) -> long {
                return ++*static_cast<int*>(ctx) == 3 ? -ENOSPC : 0;
            },
            &calls, &done, error, sizeof error);
        QCOMPARE(r, -ENOSPC);
        QCOMPARE(calls, 3);
        QVERIFY2(QString(error).contains("writing the checkpoint failed"), error);
    }
};

QTEST_APPLESS_MAIN(TstVmCheckpoint)
#include "tst_vm_checkpoint.moc"
