// Guest linear → physical translation (decode/page_walk.h) in every paging
// mode, against page tables built in guest RAM; and segmentation
// (decode/linear_address.h) in real, protected and 64-bit mode.
#include "guest_paging.h"
#include "vm_harness.h"

#include <decode/linear_address.h>
#include <decode/page_walk.h>

#include <QtTest>

using namespace v3;
using namespace v3::decode;
using namespace testpaging;

namespace {

OwnPtr<GuestMemory> makeMemory() {
    testvm::install_host();
    auto memory = GuestMemory::try_create(16 << 20);
    if (memory.is_error())
        qFatal("cannot create guest memory");
    return memory.release_value();
}

x86::Registers paging32(uint64_t cr3, bool pse) {
    x86::Registers regs;
    regs.cr0 = x86::kCr0Pe | x86::kCr0Pg;
    regs.cr3 = cr3;
    regs.cr4 = pse ? x86::kCr4Pse : 0;
    return regs;
}

x86::Registers pae(uint64_t cr3, bool nxe) {
    x86::Registers regs;
    regs.cr0 = x86::kCr0Pe | x86::kCr0Pg;
    regs.cr3 = cr3;
    regs.cr4 = x86::kCr4Pae;
    regs.efer = nxe ? x86::kEferNxe : 0;
    return regs;
}

x86::Registers longMode(uint64_t cr3, bool nxe) {
    x86::Registers regs = pae(cr3, nxe);
    regs.efer |= x86::kEferLme | x86::kEferLma;
    regs.segments[x86::CS].attributes = 0x29b | (1u << 9); // present code, L=1
    return regs;
}

struct Walk {
    bool ok;
    uint64_t physical;
    Errno code;
    PageFault fault;
};

Walk walk(const x86::Registers& regs, const GuestMemory& memory, uint64_t linear, AccessKind kind,
          uint8_t maxphy = 52) {
    Walk w{};
    auto r = translate(regs, memory, linear, kind, w.fault, maxphy);
    w.ok = !r.is_error();
    if (w.ok)
        w.physical = r.value();
    else
        w.code = r.error().code;
    return w;
}

// Expects a page fault with exactly `error_code` and CR2 = linear.
#define EXPECT_PF(w, linear, expected_code)                                                        \
    do {                                                                                           \
        QVERIFY2(!(w).ok, "translation should fault");                                             \
        QCOMPARE(int((w).code), int(Errno::Fault));                                                \
        QCOMPARE((w).fault.error_code, uint32_t(expected_code));                                   \
        QCOMPARE((w).fault.address, uint64_t(linear));                                             \
    } while (0)

#define EXPECT_MAPS(w, expected)                                                                   \
    do {                                                                                           \
        QVERIFY2((w).ok, "translation should succeed");                                            \
        QCOMPARE((w).physical, uint64_t(expected));                                                \
        QCOMPARE((w).fault.error_code, 0u);                                                        \
    } while (0)

} // namespace

class TestPageWalk : public QObject {
    Q_OBJECT

private slots:
    // ---- paging off ----
    void pagingOffIsIdentity() {
        auto memory = makeMemory();
        x86::Registers regs;
        regs.cr0 = x86::kCr0Pe;
        EXPECT_MAPS(walk(regs, *memory, 0xfeb00123, AccessKind::Write), 0xfeb00123);
        // Without paging, linear addresses are 32 bits.
        EXPECT_MAPS(walk(regs, *memory, 0x100001000ull, AccessKind::Read), 0x1000);
    }

    // ---- 32-bit paging ----
    void bits32FourKilobytePage() {
        auto memory = makeMemory();
        GuestPageTables t(*memory, Paging::Bits32);
        t.map(0x00401000, 0x00235000, kKb4);
        auto regs = paging32(t.cr3(), false);
        EXPECT_MAPS(walk(regs, *memory, 0x00401abc, AccessKind::Read), 0x00235abc);
        EXPECT_MAPS(walk(regs, *memory, 0x00401fff, AccessKind::Write), 0x00235fff);
        // The neighbouring page is not mapped: not present, P = 0.
        EXPECT_PF(walk(regs, *memory, 0x00402000, AccessKind::Read), 0x00402000, 0);
        // Nor is the next directory entry.
        EXPECT_PF(walk(regs, *memory, 0x00800010, AccessKind::Write), 0x00800010, kPfWrite);
    }

    void bits32FourMegabytePageNeedsPse() {
        auto memory = makeMemory();
        GuestPageTables t(*memory, Paging::Bits32);
        t.map(0x00800000, 0x00c00000, kMb4);
        auto regs = paging32(t.cr3(), true);
        EXPECT_MAPS(walk(regs, *memory, 0x00912345, AccessKind::Read), 0x00d12345);
        EXPECT_MAPS(walk(regs, *memory, 0x00bfffff, AccessKind::Read), 0x00ffffff);
        // Without CR4.PSE the PS bit is ignored: the PDE points at a page
        // table (here the zeroed page at 0xc00000), whose entries are not present.
        regs.cr4 = 0;
        EXPECT_PF(walk(regs, *memory, 0x00912345, AccessKind::Read), 0x00912345, 0);
        uint32_t pte = 0x00345000 | kP;
        QVERIFY(!memory->write(0x00c00000 + 0x112 * 4, &pte, 4).is_error());
        EXPECT_MAPS(walk(regs, *memory, 0x00912345, AccessKind::Read), 0x00345345);
    }

    void bits32Pse36HighAddressAndReservedBit() {
        auto memory = makeMemory();
        GuestPageTables t(*memory, Paging::Bits32);
        t.map(0x00800000, 0x300c00000ull, kMb4);
        auto regs = paging32(t.cr3(), true);
        EXPECT_MAPS(walk(regs, *memory, 0x00812345, AccessKind::Read), 0x300c12345ull);
        // With MAXPHYADDR 32, PDE bits 20:13 are reserved.
        EXPECT_PF(walk(regs, *memory, 0x00812345, AccessKind::Read, 32), 0x00812345,
                  kPfPresent | kPfReserved);
        // Bit 21 is always reserved in a 4 MB PDE.
        t.modify(0x00800000, 0, 1u << 21);
        EXPECT_PF(walk(regs, *memory, 0x00812345, AccessKind::Write), 0x00812345,
                  kPfPresent | kPfReserved | kPfWrite);
    }

    // ---- PAE ----
    void paeFourKilobyteAndTwoMegabytePages() {
        auto memory = makeMemory();
        GuestPageTables t(*memory, Paging::Pae);
        t.map(0xc0001000, 0x00456000, kKb4);
        t.map(0x40200000, 0x00a00000, kMb2);
        auto regs = pae(t.cr3(), false);
        EXPECT_MAPS(walk(regs, *memory, 0xc0001008, AccessKind::Read), 0x00456008);
        EXPECT_MAPS(walk(regs, *memory, 0x402fedcb, AccessKind::Write), 0x00afedcb);
        // Different PDPT slot, not present.
        EXPECT_PF(walk(regs, *memory, 0x80000000, AccessKind::Read), 0x80000000, 0);
    }

    void paeReservedBits() {
        auto memory = makeMemory();
        GuestPageTables t(*memory, Paging::Pae);
        t.map(0xc0001000, 0x00456000, kKb4);
        t.map(0x40200000, 0x00a00000, kMb2);
        auto regs = pae(t.cr3(), false);
        // NX is reserved while EFER.NXE is clear.
        t.modify(0xc0001000, 2, kNx);
        EXPECT_PF(walk(regs, *memory, 0xc0001000, AccessKind::Read), 0xc0001000,
                  kPfPresent | kPfReserved);
        regs.efer = x86::kEferNxe;
        EXPECT_MAPS(walk(regs, *memory, 0xc0001000, AccessKind::Read), 0x00456000);
        // A 2 MB PDE must have bits 20:13 clear.
        t.modify(0x40200000, 1, 1u << 13);
        EXPECT_PF(walk(regs, *memory, 0x40200000, AccessKind::Read), 0x40200000,
                  kPfPresent | kPfReserved);
        // PDPTE bits 1-2 (R/W, U/S in other levels) are reserved in PAE.
        t.modify(0xc0001000, 0, kRw);
        EXPECT_PF(walk(regs, *memory, 0xc0001000, AccessKind::Read), 0xc0001000,
                  kPfPresent | kPfReserved);
    }

    void paeNoExecute() {
        auto memory = makeMemory();
        GuestPageTables t(*memory, Paging::Pae);
        t.map(0x00401000, 0x00456000, kKb4, kP | kRw | kNx);
        auto regs = pae(t.cr3(), true);
        EXPECT_MAPS(walk(regs, *memory, 0x00401000, AccessKind::Read), 0x00456000);
        EXPECT_PF(walk(regs, *memory, 0x00401010, AccessKind::Execute), 0x00401010,
                  kPfPresent | kPfInstruction);
        // A not-present fetch also reports I/D when NX is enabled.
        EXPECT_PF(walk(regs, *memory, 0x00402000, AccessKind::Execute), 0x00402000, kPfInstruction);
    }

    // ---- long mode ----
    void longModeAllPageSizes() {
        auto memory = makeMemory();
        GuestPageTables t(*memory, Paging::Long);
        t.map(0xffff800000001000ull, 0x00789000, kKb4);
        t.map(0x0000000000600000ull, 0x00e00000, kMb2);
        t.map(0x0000004080000000ull, 0x1c0000000ull, kGb1);
        auto regs = longMode(t.cr3(), true);
        EXPECT_MAPS(walk(regs, *memory, 0xffff800000001234ull, AccessKind::Read), 0x00789234);
        EXPECT_MAPS(walk(regs, *memory, 0x00000000006abcdeull, AccessKind::Write), 0x00eabcde);
        EXPECT_MAPS(walk(regs, *memory, 0x00000040bfffffffull, AccessKind::Read), 0x1ffffffffull);
        EXPECT_PF(walk(regs, *memory, 0xffff800000002000ull, AccessKind::Read),
                  0xffff800000002000ull, 0);
    }

    void longModeRejectsNonCanonical() {
        auto memory = makeMemory();
        GuestPageTables t(*memory, Paging::Long);
        auto regs = longMode(t.cr3(), false);
        Walk w = walk(regs, *memory, 0x0000800000000000ull, AccessKind::Read);
        QVERIFY(!w.ok);
        QVERIFY(w.code != Errno::Fault); // not a page fault: #GP is the segment check's
        QCOMPARE(w.fault.error_code, 0u);
    }

    void longModeReservedBits() {
        auto memory = makeMemory();
        GuestPageTables t(*memory, Paging::Long);
        t.map(0x0000000000600000ull, 0x00e00000, kMb2);
        t.map(0x0000004080000000ull, 0x40000000, kGb1);
        t.map(0x0000000000401000ull, 0x00456000, kKb4);
        auto regs = longMode(t.cr3(), true);
        // An address bit above MAXPHYADDR (40) in the PTE.
        t.modify(0x401000, 3, uint64_t(1) << 45);
        EXPECT_MAPS(walk(regs, *memory, 0x401000, AccessKind::Read),
                    (uint64_t(1) << 45) | 0x00456000);
        EXPECT_PF(walk(regs, *memory, 0x401000, AccessKind::Read, 40), 0x401000,
                  kPfPresent | kPfReserved);
        // 1 GB page: bits 29:13 are reserved.
        t.modify(0x0000004080000000ull, 1, 1u << 20);
        EXPECT_PF(walk(regs, *memory, 0x0000004080000000ull, AccessKind::Write),
                  0x0000004080000000ull, kPfPresent | kPfReserved | kPfWrite);
        // PS in a PML4E is reserved.
        t.modify(0x600000, 0, kPs);
        EXPECT_PF(walk(regs, *memory, 0x600000, AccessKind::Read), 0x600000,
                  kPfPresent | kPfReserved);
    }

    // ---- permissions (checked in long mode; the same code serves all modes) ----
    void userAndWritePermissions() {
        auto memory = makeMemory();
        GuestPageTables t(*memory, Paging::Long);
        t.map(0x10000, 0x20000, kKb4, kP | kRw);       // supervisor, writable
        t.map(0x11000, 0x21000, kKb4, kP | kUs);       // user, read-only
        t.map(0x12000, 0x22000, kKb4, kP | kRw | kUs); // user, writable
        auto regs = longMode(t.cr3(), true);
        regs.cpl = 3;
        EXPECT_PF(walk(regs, *memory, 0x10008, AccessKind::Read), 0x10008, kPfPresent | kPfUser);
        EXPECT_MAPS(walk(regs, *memory, 0x11008, AccessKind::Read), 0x21008);
        EXPECT_PF(walk(regs, *memory, 0x11008, AccessKind::Write), 0x11008,
                  kPfPresent | kPfUser | kPfWrite);
        EXPECT_MAPS(walk(regs, *memory, 0x12008, AccessKind::Write), 0x22008);
        EXPECT_PF(walk(regs, *memory, 0x13000, AccessKind::Write), 0x13000, kPfUser | kPfWrite);

        // Supervisor writes to read-only pages: allowed unless CR0.WP.
        regs.cpl = 0;
        EXPECT_MAPS(walk(regs, *memory, 0x11008, AccessKind::Write), 0x21008);
        regs.cr0 |= x86::kCr0Wp;
        EXPECT_PF(walk(regs, *memory, 0x11008, AccessKind::Write), 0x11008, kPfPresent | kPfWrite);
        // User pages are readable by the supervisor.
        EXPECT_MAPS(walk(regs, *memory, 0x11008, AccessKind::Read), 0x21008);
    }

    void rightsCombineAcrossLevels() {
        auto memory = makeMemory();
        GuestPageTables t(*memory, Paging::Long);
        t.map(0x10000, 0x20000, kKb4, kP | kRw | kUs);
        auto regs = longMode(t.cr3(), true);
        regs.cpl = 3;
        EXPECT_MAPS(walk(regs, *memory, 0x10000, AccessKind::Write), 0x20000);
        t.modify(0x10000, 2, 0, kRw); // the PDE is read-only
        EXPECT_PF(walk(regs, *memory, 0x10000, AccessKind::Write), 0x10000,
                  kPfPresent | kPfUser | kPfWrite);
        t.modify(0x10000, 1, 0, kUs); // the PDPTE is supervisor-only
        EXPECT_PF(walk(regs, *memory, 0x10000, AccessKind::Read), 0x10000, kPfPresent | kPfUser);
        t.modify(0x10000, 1, kUs);
        t.modify(0x10000, 0, kNx); // NX at the top applies to the whole walk
        EXPECT_PF(walk(regs, *memory, 0x10000, AccessKind::Execute), 0x10000,
                  kPfPresent | kPfUser | kPfInstruction);
        EXPECT_MAPS(walk(regs, *memory, 0x10000, AccessKind::Read), 0x20000);
    }

    void bits32PermissionsHaveNoNxOrInstructionBit() {
        auto memory = makeMemory();
        GuestPageTables t(*memory, Paging::Bits32);
        t.map(0x00401000, 0x00235000, kKb4, kP);
        auto regs = paging32(t.cr3(), false);
        regs.cpl = 3;
        regs.efer = x86::kEferNxe; // meaningless without PAE
        EXPECT_PF(walk(regs, *memory, 0x00401000, AccessKind::Execute), 0x00401000,
                  kPfPresent | kPfUser);
        regs.cpl = 0;
        EXPECT_MAPS(walk(regs, *memory, 0x00401000, AccessKind::Execute), 0x00235000);
        regs.cr0 |= x86::kCr0Wp;
        EXPECT_PF(walk(regs, *memory, 0x00401000, AccessKind::Write), 0x00401000,
                  kPfPresent | kPfWrite);
    }

    void smepAndSmap() {
        auto memory = makeMemory();
        GuestPageTables t(*memory, Paging::Long);
        t.map(0x11000, 0x21000, kKb4, kP | kRw | kUs);
        auto regs = longMode(t.cr3(), false);
        EXPECT_MAPS(walk(regs, *memory, 0x11000, AccessKind::Execute), 0x21000);
        regs.cr4 |= kCr4Smep;
        EXPECT_PF(walk(regs, *memory, 0x11000, AccessKind::Execute), 0x11000,
                  kPfPresent | kPfInstruction);
        EXPECT_MAPS(walk(regs, *memory, 0x11000, AccessKind::Read), 0x21000);
        regs.cr4 |= kCr4Smap;
        EXPECT_PF(walk(regs, *memory, 0x11000, AccessKind::Read), 0x11000, kPfPresent);
        regs.rflags |= kRflagsAc; // STAC: explicit supervisor accesses allowed again
        EXPECT_MAPS(walk(regs, *memory, 0x11000, AccessKind::Write), 0x21000);
        regs.cpl = 3; // SMEP/SMAP do not concern user accesses
        EXPECT_MAPS(walk(regs, *memory, 0x11000, AccessKind::Execute), 0x21000);
    }

    void leavesAccessedAndDirtyBitsAlone() {
        auto memory = makeMemory();
        GuestPageTables t(*memory, Paging::Long);
        t.map(0x10000, 0x20000, kKb4);
        auto regs = longMode(t.cr3(), false);
        uint64_t before[4];
        for (int d = 0; d < 4; ++d)
            before[d] = t.read_entry(t.entry_address(0x10000, d));
        EXPECT_MAPS(walk(regs, *memory, 0x10000, AccessKind::Write), 0x20000);
        for (int d = 0; d < 4; ++d)
            QCOMPARE(t.read_entry(t.entry_address(0x10000, d)), before[d]);
    }

    void pageTableOutsideRamIsAVmmError() {
        auto memory = makeMemory();
        GuestPageTables t(*memory, Paging::Long);
        t.map(0x10000, 0x20000, kKb4);
        auto regs = longMode(t.cr3(), false);
        t.modify(0x10000, 2, 0x40000000ull, 0x000ffffffffff000ull); // PDE → 1 GB, beyond RAM
        Walk w = walk(regs, *memory, 0x10000, AccessKind::Read);
        QVERIFY(!w.ok);
        QCOMPARE(int(w.code), int(Errno::Io));
        QCOMPARE(w.fault.error_code, 0u);
    }

    // ---- segmentation ----
    void realModeUsesSegmentBaseAndLimit() {
        x86::Registers regs;
        regs.segments[x86::DS] = {0x1234, 0x12340, 0xffff, 0x93};
        auto r = linear_address(regs, x86::DS, 0x10, 2);
        QVERIFY(!r.is_error());
        QCOMPARE(r.value(), uint64_t(0x12350));
        // The offset wraps at the 16-bit address size.
        QCOMPARE(linear_address(regs, x86::DS, 0x10005, 2).value(), uint64_t(0x12345));
        // A word at offset 0xffff runs past the 64 KB limit.
        auto overrun = linear_address(regs, x86::DS, 0xffff, 2, 2);
        QVERIFY(overrun.is_error());
        QCOMPARE(int(overrun.error().code), int(Errno::Fault));
        QVERIFY(QByteArray(overrun.error().message).contains("limit"));
        // Real mode ignores the descriptor type: a "read-only" cached
        // attribute does not stop writes.
        regs.segments[x86::DS].attributes = 0x91;
        QVERIFY(!linear_address(regs, x86::DS, 0, 2, 1, AccessKind::Write).is_error());
    }

    void protectedModeChecksLimitTypeAndPresence() {
        x86::Registers regs;
        regs.cr0 = x86::kCr0Pe;
        regs.segments[x86::DS] = {0x10, 0x100000, 0xffff, 0x493}; // RW data, D=1
        QCOMPARE(linear_address(regs, x86::DS, 0x2000, 4).value(), uint64_t(0x102000));
        QVERIFY(linear_address(regs, x86::DS, 0xfffd, 4, 4).is_error());
        QVERIFY(!linear_address(regs, x86::DS, 0xfffc, 4, 4).is_error());
        // Read-only data segment: reads fine, writes #GP.
        regs.segments[x86::DS].attributes = 0x491;
        QVERIFY(!linear_address(regs, x86::DS, 0, 4, 4, AccessKind::Read).is_error());
        auto w = linear_address(regs, x86::DS, 0, 4, 4, AccessKind::Write);
        QVERIFY(w.is_error());
        QVERIFY(QByteArray(w.error().message).contains("read-only"));
        // Execute-only code segment cannot be read through; readable code can.
        regs.segments[x86::ES] = {0x8, 0, 0xffffffff, 0xc98};
        QVERIFY(linear_address(regs, x86::ES, 0, 4, 4).is_error());
        regs.segments[x86::ES].attributes = 0xc9a;
        QVERIFY(!linear_address(regs, x86::ES, 0, 4, 4).is_error());
        QVERIFY(linear_address(regs, x86::ES, 0, 4, 4, AccessKind::Write).is_error());
        // A null (unusable) segment.
        regs.segments[x86::FS] = {};
        auto n = linear_address(regs, x86::FS, 0, 4, 4);
        QVERIFY(n.is_error());
        QVERIFY(QByteArray(n.error().message).contains("not usable"));
        // Linear addresses wrap at 4 GB.
        regs.segments[x86::GS] = {0x18, 0xffff0000, 0xffffffff, 0xc93};
        QCOMPARE(linear_address(regs, x86::GS, 0x20000, 4).value(), uint64_t(0x10000));
        QCOMPARE(segment_fault_vector(x86::SS), kStackFaultVector);
        QCOMPARE(segment_fault_vector(x86::GS), kGeneralProtectionVector);
    }

    void expandDownSegments() {
        x86::Registers regs;
        regs.cr0 = x86::kCr0Pe;
        regs.segments[x86::SS] = {0x10, 0, 0xfff, 0x497}; // expand-down RW, D=1
        QVERIFY(linear_address(regs, x86::SS, 0x800, 4, 4).is_error());
        QVERIFY(linear_address(regs, x86::SS, 0xfff, 4, 1).is_error());
        QCOMPARE(linear_address(regs, x86::SS, 0x1000, 4, 4).value(), uint64_t(0x1000));
        QVERIFY(!linear_address(regs, x86::SS, 0xfffffffc, 4, 4).is_error());
        regs.segments[x86::SS].attributes = 0x097; // B=0: upper bound 0xffff
        QVERIFY(!linear_address(regs, x86::SS, 0xfffe, 4, 2).is_error());
        QVERIFY(linear_address(regs, x86::SS, 0xffff, 4, 2).is_error());
    }

    void longModeOnlyFsAndGsHaveBases() {
        x86::Registers regs = longMode(0, false);
        regs.segments[x86::DS] = {0x10, 0x5000, 0, 0x93};
        regs.segments[x86::FS].base = 0x7f0000001000ull;
        QCOMPARE(linear_address(regs, x86::DS, 0x1234, 8).value(), uint64_t(0x1234));
        QCOMPARE(linear_address(regs, x86::FS, 0x10, 8).value(), uint64_t(0x7f0000001010ull));
        // A 32-bit address size truncates the offset before the base is added.
        QCOMPARE(linear_address(regs, x86::FS, 0x100000010ull, 4).value(),
                 uint64_t(0x7f0000001010ull));
        // Canonical checks on the first and the last byte.
        QVERIFY(linear_address(regs, x86::DS, 0x0000800000000000ull, 8).is_error());
        QVERIFY(!linear_address(regs, x86::DS, 0x00007ffffffffffcull, 8, 4).is_error());
        auto r = linear_address(regs, x86::DS, 0x00007ffffffffffeull, 8, 4);
        QVERIFY(r.is_error());
        QVERIFY(QByteArray(r.error().message).contains("canonical"));
        QVERIFY(!linear_address(regs, x86::DS, 0xffff800000000000ull, 8, 8).is_error());
    }
};

QTEST_APPLESS_MAIN(TestPageWalk)
#include "tst_page_walk.moc"
