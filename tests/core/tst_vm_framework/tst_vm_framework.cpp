// The VM's plumbing, as devices and the CPU backend use it: the I/O port bus
// (claims, overlaps, sizes, string forms, open bus), memory/MSR/CPUID hooks,
// the IRQ router, guest memory across chunks, host events, the clock and
// snapshots.
#include "vm_harness.h"

#include <chkpt/snapshot.h>
#include <lib/format.h>
#include <lib/string_view.h>
#include <hooks/cpuid_hooks.h>
#include <hooks/host_events.h>
#include <hooks/io_port_bus.h>
#include <hooks/memory_hooks.h>
#include <hooks/msr_hooks.h>
#include <intr/irq_router.h>
#include <mem/guest_memory.h>
#include <vm/guest_clock.h>

#include <QtTest>

#include <vector>

using namespace v3;

namespace {

// Remembers every access; reads return port-dependent values.
class LoggingPorts : public IoPortHandler {
public:
    struct Access {
        bool write;
        u16 port, offset;
        u8 size;
        u32 value;
    };
    Result<u32> io_read(const IoAccess& a) override {
        log.push_back({false, a.port, a.offset, a.size, 0});
        return 0x11223344u + a.offset;
    }
    Result<void> io_write(const IoAccess& a, u32 value) override {
        log.push_back({true, a.port, a.offset, a.size, value});
        if (fail_writes)
            return make_error(Errno::Io, "device refused the write");
        return {};
    }
    std::vector<Access> log;
    bool fail_writes = false;
};

class ScratchMmio : public MmioHandler {
public:
    Result<void> mmio_read(u64 offset, u8* data, u32 size) override {
        for (u32 i = 0; i < size; ++i)
            data[i] = bytes[offset + i];
        return {};
    }
    Result<void> mmio_write(u64 offset, const u8* data, u32 size) override {
        for (u32 i = 0; i < size; ++i)
            bytes[offset + i] = data[i];
        ++writes;
        return {};
    }
    u8 bytes[4096] = {};
    int writes = 0;
};

class OneMsr : public MsrHandler {
public:
    Result<u64> read_msr(u32) override { return value; }
    Result<void> write_msr(u32, u64 v) override {
        value = v;
        return {};
    }
    u64 value = 0;
};

class FixedCpuid : public CpuidHandler {
public:
    Result<x86::CpuidResult> cpuid(u32 leaf, u32 subleaf) override {
        return x86::CpuidResult{leaf, subleaf, 0x56334d4d, 0};
    }
};

class Controller : public InterruptController {
public:
    void raise_irq(u8 line) override {
        if (line < 32)
            pending |= 1u << line;
    }
    void lower_irq(u8 line) override { (void)line; }
    bool interrupt_pending() const override { return pending != 0; }
    Result<u8> acknowledge() override {
        for (u8 line = 0; line < 32; ++line)
            if (pending & (1u << line)) {
                pending &= ~(1u << line);
                return u8(0x20 + line);
            }
        return make_error(Errno::NoEnt, "nothing pending");
    }
    u32 pending = 0;
};

class Listener : public HostEventListener, public TimeListener {
public:
    Result<void> on_keyboard(const KeyboardEvent& e) override {
        keys.push_back(e.scan_code);
        return {};
    }
    Result<void> advance_time(u64 previous, u64 now) override {
        spans.push_back({previous, now});
        return {};
    }
    std::vector<u8> keys;
    std::vector<std::pair<u64, u64>> spans;
};

} // namespace

class TestVmFramework : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() { testvm::install_host(); }

    void portBusDispatchesWithOffsetsAndSizes() {
        IoPortBus bus;
        LoggingPorts pic;
        QVERIFY(!bus.claim(0x20, 2, pic, "pic").is_error());
        auto v = bus.read(0x21, 1);
        QVERIFY(!v.is_error());
        QCOMPARE(v.value(), 0x45u); // 0x11223345 masked to one byte
        QVERIFY(!bus.write(0x20, 2, 0x12345).is_error());
        QCOMPARE(pic.log.back().offset, u16(0));
        QCOMPARE(pic.log.back().value, 0x2345u); // masked to the access size
        QCOMPARE(bus.read(0x20, 4).value(), 0x11223344u);
        QVERIFY(bus.read(0x20, 3).is_error()); // sizes are 1, 2, 4
        QCOMPARE(bus.owner_of(0x21), StringView("pic"));
    }

    void portBusRefusesOverlapsAndNamesBothOwners() {
        v3::hosted::clear_captured_log();
        IoPortBus bus;
        LoggingPorts a, b;
        QVERIFY(!bus.claim(0x3f8, 8, a, "serial").is_error());
        auto clash = bus.claim(0x3fc, 2, b, "modem");
        QVERIFY(clash.is_error());
        QCOMPARE(int(clash.error().code), int(Errno::Busy));
        QString log = QString::fromStdString(v3::hosted::captured_log());
        QVERIFY2(
            log.contains("modem cannot claim I/O ports 0x3fc-0x3fd: 0x3f8-0x3ff belong to serial"),
            qPrintable(log));
        QVERIFY(bus.claim(0x3f0, 9, b, "fdc").is_error());  // overlaps the start
        QVERIFY(!bus.claim(0x3f0, 8, b, "fdc").is_error()); // adjacent is fine
        QVERIFY(!bus.claim(0x400, 1, b, "after").is_error());
        QVERIFY(bus.claim(0xffff, 2, b, "wraps").is_error());
        QVERIFY(bus.claim(0x10, 0, b, "empty").is_error());
        bus.release(b);
        QVERIFY(!bus.is_claimed(0x3f0));
        QVERIFY(bus.is_claimed(0x3f8));
    }

    void unclaimedPortsAreAnOpenBus() {
        IoPortBus bus;
        QCOMPARE(bus.read(0x80, 1).value(), 0xffu);
        QCOMPARE(bus.read(0x80, 2).value(), 0xffffu);
        QCOMPARE(bus.read(0x80, 4).value(), 0xffffffffu);
        QVERIFY(!bus.write(0x80, 1, 0x55).is_error());
        QCOMPARE(bus.unclaimed_reads(), u64(3));
        QCOMPARE(bus.unclaimed_writes(), u64(1));
    }

    void stringIoIsOneAccessPerElementInOrder() {
        IoPortBus bus;
        LoggingPorts port;
        QVERIFY(!bus.claim(0x1f0, 8, port, "ide").is_error());
        const u8 data[6] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06};
        QVERIFY(!bus.write_string(0x1f0, 2, 3, data).is_error()); // REP OUTSW, count 3
        QCOMPARE(port.log.size(), size_t(3));
        QCOMPARE(port.log[0].value, 0x0201u);
        QCOMPARE(port.log[2].value, 0x0605u);
        u8 in[8] = {};
        QVERIFY(!bus.read_string(0x1f0, 4, 2, in).is_error()); // REP INSD, count 2
        QCOMPARE(in[0], u8(0x44));
        QCOMPARE(in[3], u8(0x11));
        QCOMPARE(in[4], u8(0x44));
        // A device error stops the string at that element.
        port.log.clear();
        port.fail_writes = true;
        QVERIFY(bus.write_string(0x1f0, 1, 4, data).is_error());
        QCOMPARE(port.log.size(), size_t(1));
    }

    void memoryHooks() {
        MemoryHooks hooks;
        ScratchMmio lapic, vga;
        QVERIFY(!hooks.add(0xfee00000, 4096, MmioHookKind::Full, lapic, "lapic").is_error());
        QVERIFY(!hooks.add(0xa0000, 4096, MmioHookKind::WriteOnly, vga, "vga").is_error());
        QVERIFY(hooks.add(0xfee00800, 16, MmioHookKind::Full, vga, "clash").is_error());
        u8 bytes[4] = {1, 2, 3, 4};
        QVERIFY(!hooks.write(0xfee00010, bytes, 4).is_error());
        QCOMPARE(lapic.bytes[0x13], u8(4));
        u8 back[4] = {};
        QVERIFY(!hooks.read(0xfee00010, back, 4).is_error());
        QCOMPARE(back[2], u8(3));
        QVERIFY(hooks.read(0xfee00ffe, back, 4).is_error()); // crosses the end
        QVERIFY(hooks.read(0xa0000, back, 1).is_error());    // write-only hook
        QVERIFY(!hooks.write(0xa0000, bytes, 1).is_error());
        QCOMPARE(vga.writes, 1);
        QVERIFY(hooks.read(0x1000, back, 1).is_error()); // nothing there
        QVERIFY(hooks.find(0xfee00fff) != nullptr);
        QVERIFY(hooks.find(0xfee01000) == nullptr);
        hooks.remove(lapic);
        QCOMPARE(hooks.count(), usize(1));
    }

    void msrAndCpuidHooks() {
        MsrHooks msrs;
        OneMsr apic_base;
        QVERIFY(!msrs.add(0x1b, apic_base, "lapic").is_error());
        QVERIFY(msrs.add(0x1b, apic_base, "again").is_error());
        QVERIFY(!msrs.write(0x1b, 0xfee00900).is_error());
        QCOMPARE(msrs.read(0x1b).value(), u64(0xfee00900));
        QVERIFY(msrs.read(0x10).is_error()); // unhooked: the backend injects #GP
        CpuidHooks cpuid;
        FixedCpuid hv;
        QVERIFY(!cpuid.add(0x40000000, hv, "vmm").is_error());
        QVERIFY(cpuid.add(0x40000000, hv, "vmm").is_error());
        QVERIFY(cpuid.find(0x40000000) == &hv);
        QVERIFY(cpuid.find(0) == nullptr);
    }

    void irqRouterReachesControllersAndAcknowledges() {
        IrqRouter router;
        Controller pic;
        testvm::RecordingIrqController recorder;
        QVERIFY(!router.add_controller(pic).is_error());
        QVERIFY(!router.add_controller(recorder).is_error());
        QVERIFY(!router.interrupt_pending());
        router.raise(4);
        QVERIFY(router.is_raised(4));
        QVERIFY(router.interrupt_pending());
        QCOMPARE(router.acknowledge().value(), u8(0x24));
        router.lower(4);
        QVERIFY(!router.is_raised(4));
        router.pulse(200);
        QVERIFY(!router.is_raised(200));
        QCOMPARE(recorder.changes.size(), 4);
        QCOMPARE(recorder.raises(200), 1);
        QVERIFY(!router.interrupt_pending());
        QVERIFY(router.acknowledge().is_error());
    }

    void guestMemorySpansChunks() {
        auto created = GuestMemory::try_create(5 * 1024 * 1024);
        QVERIFY(!created.is_error());
        OwnPtr<GuestMemory> memory = created.release_value();
        QCOMPARE(memory->ram_chunks().size(), usize(3)); // 2 + 2 + 1 MB
        QCOMPARE(memory->ram_chunks()[2].size, u64(1024 * 1024));
        QCOMPARE(memory->ram_chunks()[0].host_paddr % GuestMemory::kChunkSize, u64(0));
        const char text[] = "crosses a 2 MB chunk boundary";
        u64 at = GuestMemory::kChunkSize - 10;
        QVERIFY(!memory->write(at, text, sizeof text).is_error());
        char back[sizeof text] = {};
        QVERIFY(!memory->read(at, back, sizeof back).is_error());
        QCOMPARE(QByteArray(back), QByteArray(text));
        QVERIFY(memory->host_pointer(at, sizeof text) == nullptr); // not one chunk
        QVERIFY(memory->host_pointer(0x1000, 16) != nullptr);
        QVERIFY(memory->read(5 * 1024 * 1024 - 2, back, 4).is_error()); // past RAM
        QVERIFY(memory->write(~u64(0) - 1, text, 4).is_error());
        QVERIFY(GuestMemory::try_create(12345).is_error());
        v3::hosted::grant_passthrough(0xa0000, 0x40000);
        QVERIFY(!memory->add_passthrough(0xa0000, 0x20000, 0xa0000).is_error());
        QVERIFY(memory->add_passthrough(0xb0000, 0x1000, 0xb0000).is_error()); // overlaps
        v3::hosted::revoke_passthrough_grants();
        QCOMPARE(memory->find(0xa1000)->kind, RegionKind::Passthrough);
        QCOMPARE(memory->find(0x1000)->kind, RegionKind::Ram);
        QVERIFY(memory->find(6 * 1024 * 1024) == nullptr);
        long before = v3::hosted::outstanding_pages();
        memory.reset();
        QCOMPARE(v3::hosted::outstanding_pages(), before - 5 * 256);
    }

    // An image names host physical memory in <memmap>; only what the host
    // granted is mapped, and a refusal names the region and what to do.
    void passthroughNeedsTheHostsGrant() {
        const QByteArray xml = "<vm class=\"PC\"><memory>4</memory><cores count=\"1\"/>"
                               "<memmap><region start=\"0xc0000\" end=\"0xc2000\" "
                               "host_addr=\"0x1000000\"/></memmap><devices/></vm>";
        v3::hosted::revoke_passthrough_grants();
        auto refused = testvm::make_vm(xml);
        QVERIFY(!refused->ok());
        QVERIFY2(refused->error.startsWith("/vm/memmap: region 0xc0000-0xc2000 (host 0x1000000): "
                                           "the host range was not granted to the VMM"),
                 qPrintable(refused->error));
        QVERIFY2(refused->error.contains("passthrough=SIZE@START"), qPrintable(refused->error));

        // A grant that covers only part of the region is not enough.
        v3::hosted::grant_passthrough(0x1000000, 0x1000);
        QVERIFY(!testvm::make_vm(xml)->ok());
        v3::hosted::grant_passthrough(0x1001000, 0x1000); // two grants do not join
        QVERIFY(!testvm::make_vm(xml)->ok());

        v3::hosted::grant_passthrough(0xfff000, 0x4000);
        auto granted = testvm::make_vm(xml);
        QVERIFY2(granted->ok(), qPrintable(granted->error));
        const GuestRegion* region = granted->vm->memory().find(0xc1000);
        QVERIFY(region);
        QCOMPARE(region->kind, RegionKind::Passthrough);
        QCOMPARE(region->host_paddr, u64(0x1000000));
        v3::hosted::revoke_passthrough_grants();

        // Even a granted range cannot wrap around the top of host memory.
        auto created = GuestMemory::try_create(2 * 1024 * 1024);
        QVERIFY(!created.is_error());
        OwnPtr<GuestMemory> memory = created.release_value();
        v3::hosted::grant_passthrough(~u64(0) - 0xfff, 0x1000);
        QVERIFY(memory->add_passthrough(0x100000, 0x2000, ~u64(0) - 0xfff).is_error());
        v3::hosted::revoke_passthrough_grants();
    }

    void hostEventsAndClock() {
        HostEvents events;
        Listener l;
        QVERIFY(!events.subscribe(kKeyboardEvents, l).is_error());
        QVERIFY(!events.deliver(KeyboardEvent{0, 0x1e}).is_error());
        QVERIFY(!events.deliver(MouseEvent{{8, 1, 1}}).is_error()); // not subscribed
        QCOMPARE(l.keys.size(), size_t(1));
        events.unsubscribe(l);
        QVERIFY(!events.deliver(KeyboardEvent{0, 0x9e}).is_error());
        QCOMPARE(l.keys.size(), size_t(1));

        GuestClock clock;
        QVERIFY(!clock.subscribe(l).is_error());
        QVERIFY(!clock.advance(1000).is_error());
        QVERIFY(!clock.advance(0).is_error()); // no listener call for no time
        QVERIFY(!clock.advance(500).is_error());
        QCOMPARE(l.spans.size(), size_t(2));
        QCOMPARE(l.spans[1].first, u64(1000));
        QCOMPARE(l.spans[1].second, u64(1500));
        QCOMPARE(clock.now_ns(), u64(1500));
    }

    void formatHandlesTheCoreSubset() {
        char buf[128];
        StringView id("serial0-and-more", 7);
        format(buf, sizeof buf, "%s|%.*s|%5d|%-4u|%04x|%llx|%c|%zu|%%|%p", "a", int(id.length()),
               id.data(), -42, 7u, 0xbeu, 0x123456789abcULL, 'Z', usize(3), (void*)0x10);
        QCOMPARE(QByteArray(buf), QByteArray("a|serial0|  -42|7   |00be|123456789abc|Z|3|%|0x10"));
        // Truncates, always terminated, and says how much it wrote.
        QCOMPARE(format(buf, 6, "%s", "truncated"), usize(5));
        QCOMPARE(QByteArray(buf), QByteArray("trunc"));
        QCOMPARE(format(buf, sizeof buf, "%.3s|%d", "abcdef", -2147483647 - 1), usize(15));
        QCOMPARE(QByteArray(buf), QByteArray("abc|-2147483648"));
    }

    void snapshotsRoundTripAndRejectDamage() {
        Vector<u8> bytes;
        chkpt::Writer w(bytes);
        QVERIFY(!w.begin_section("pit").is_error());
        QVERIFY(!w.u8_(1).is_error());
        QVERIFY(!w.u16_(0x2e9c).is_error());
        QVERIFY(!w.u64_(0x0123456789abcdefULL).is_error());
        QVERIFY(!w.bool_(true).is_error());
        QVERIFY(!w.end_section().is_error());
        QVERIFY(w.end_section().is_error());

        chkpt::Reader r(bytes.begin(), bytes.size());
        auto section = r.section("pit");
        QVERIFY(!section.is_error());
        chkpt::Reader s = section.release_value();
        QCOMPARE(s.u8_().value(), u8(1));
        QCOMPARE(s.u16_().value(), u16(0x2e9c));
        QCOMPARE(s.u64_().value(), u64(0x0123456789abcdefULL));
        QCOMPARE(s.bool_().value(), true);
        QVERIFY(s.at_end());
        QVERIFY(s.u8_().is_error()); // nothing left
        QVERIFY(r.at_end());

        chkpt::Reader wrong(bytes.begin(), bytes.size());
        QVERIFY(wrong.section("pic").is_error());
        chkpt::Reader truncated(bytes.begin(), bytes.size() - 3);
        QVERIFY(truncated.section("pit").is_error());
        bytes[bytes.size() - 1] = 7; // a boolean that is neither 0 nor 1
        chkpt::Reader bad(bytes.begin(), bytes.size());
        chkpt::Reader inner = bad.section("pit").release_value();
        (void)inner.u8_();
        (void)inner.u16_();
        (void)inner.u64_();
        QVERIFY(inner.bool_().is_error());
    }
};

QTEST_APPLESS_MAIN(TestVmFramework)
#include "tst_vm_framework.moc"
