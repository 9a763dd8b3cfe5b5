// The CPU model (arch/x86/cpu_model.h): what a guest learns from CPUID and
// what its MSR accesses do, checked the way Linux and firmware probe them.
#include "arch/x86/cpu_model.h"

#include <QtTest>

using namespace v3;
using namespace v3::x86;

namespace {

// A host that offers everything, so every bit the model keeps or drops shows.
constexpr CpuidResult kAllBits{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff};

struct MsrBench {
    u64 efer = 0;
    u64 pat = 0x0007040600070406ULL;
    u64 tsc_offset = 0;
    ModelMsrState state;
    MsrContext context{efer, pat, tsc_offset, 1000000, state};
    MsrBench() { reset_model_msrs(state, true); }
    u64 read(u32 msr) {
        u64 value = 0;
        [&] { QCOMPARE(read_model_msr(msr, context, value), MsrOutcome::Done); }();
        return value;
    }
    MsrOutcome write(u32 msr, u64 value) { return write_model_msr(msr, value, context); }
};

} // namespace

class TestCpuModel : public QObject {
    Q_OBJECT

private slots:
    void leaf1HidesWhatIsNotEmulated() {
        CpuidResult r = model_cpuid(1, 0, kAllBits, 0, 1);
        QVERIFY(!(r.edx & (1u << 9)));  // APIC: no LAPIC device yet
        QVERIFY(!(r.edx & (1u << 7)));  // MCE
        QVERIFY(!(r.edx & (1u << 14))); // MCA
        QVERIFY(!(r.edx & (1u << 28))); // HTT with one core
        QVERIFY(!(r.ecx & (1u << 21))); // x2APIC
        QVERIFY(!(r.ecx & (1u << 26))); // XSAVE
        QVERIFY(!(r.ecx & (1u << 3)));  // MONITOR
        QVERIFY(!(r.ecx & (1u << 5)));  // VMX
        QVERIFY(!(r.ecx & (1u << 24))); // TSC deadline
        QVERIFY(r.ecx & (1u << 31));    // hypervisor present
        QVERIFY(r.edx & (1u << 4));     // TSC kept
        QVERIFY(r.edx & (1u << 16));    // PAT kept (backed by g_pat)
        QCOMPARE((r.ebx >> 16) & 0xff, 1u);
        QCOMPARE(r.ebx >> 24, 0u);
    }

    void topologyFollowsCores() {
        CpuidResult r = model_cpuid(1, 0, kAllBits, 3, 4);
        QCOMPARE(r.ebx >> 24, 3u);
        QCOMPARE((r.ebx >> 16) & 0xff, 4u);
        QVERIFY(r.edx & (1u << 28));
        QCOMPARE(model_cpuid(0x80000008, 0, kAllBits, 0, 4).ecx, 3u);
        QCOMPARE(model_cpuid(0x80000008, 0, kAllBits, 0, 1).ecx, 0u);
    }

    void extendedLeavesHideSvmApicAndSpeculationControls() {
        CpuidResult ext = model_cpuid(0x80000001, 0, kAllBits, 0, 1);
        QVERIFY(!(ext.ecx & (1u << 2)));  // SVM
        QVERIFY(!(ext.ecx & (1u << 23))); // perfctr_core
        QVERIFY(!(ext.edx & (1u << 9)));  // APIC
        QVERIFY(!(ext.edx & (1u << 27))); // RDTSCP (TSC_AUX is not switched)
        QVERIFY(ext.edx & (1u << 29));    // long mode kept
        QCOMPARE(model_cpuid(0x80000008, 0, kAllBits, 0, 1).ebx, 0u);
        for (u32 leaf : {0x8000000au, 0x8000001fu, 0xdu, 0xau, 0xbu, 5u, 6u}) {
            CpuidResult r = model_cpuid(leaf, 0, kAllBits, 0, 1);
            QVERIFY2(r.eax == 0 && r.ebx == 0 && r.ecx == 0 && r.edx == 0,
                     qPrintable(QString::number(leaf, 16)));
        }
        CpuidResult seven = model_cpuid(7, 0, kAllBits, 0, 1);
        QVERIFY(!(seven.ecx & (1u << 22))); // RDPID
        QVERIFY(!(seven.edx & (1u << 26))); // IBRS/IBPB: no SPEC_CTRL MSR
    }

    void hypervisorLeafSaysV3vee() {
        CpuidResult r = model_cpuid(kHypervisorLeaf, 0, kAllBits, 0, 1);
        char signature[13] = {};
        memcpy(signature, &r.ebx, 4);
        memcpy(signature + 4, &r.ecx, 4);
        memcpy(signature + 8, &r.edx, 4);
        QCOMPARE(QByteArray(signature), QByteArray("V3VEE V3VEE "));
        QCOMPARE(r.eax, kHypervisorLeaf); // no further hypervisor leaves
        CpuidResult next = model_cpuid(kHypervisorLeaf + 1, 0, kAllBits, 0, 1);
        QCOMPARE(next.eax | next.ebx | next.ecx | next.edx, 0u);
    }

    void eferReservedBitsFault() {
        MsrBench m;
        QCOMPARE(m.write(kMsrEfer, kEferSce | kEferLme | kEferNxe), MsrOutcome::Done);
        QCOMPARE(m.read(kMsrEfer), kEferSce | kEferLme | kEferNxe);
        QCOMPARE(m.write(kMsrEfer, kEferLme | (1u << 1)), MsrOutcome::GeneralProtection);
        QCOMPARE(m.write(kMsrEfer, kEferSvme), MsrOutcome::GeneralProtection); // no nested SVM
        QCOMPARE(m.read(kMsrEfer), kEferSce | kEferLme | kEferNxe);            // unchanged
    }

    void apicBaseCanBeDisabledButNotEnabled() {
        MsrBench m;
        u64 base = m.read(kMsrApicBase);
        QCOMPARE(base, kApicDefaultBase | kApicBaseBsp); // hardware-disabled, BSP
        QCOMPARE(m.write(kMsrApicBase, base & ~kApicBaseEnable), MsrOutcome::Done);
        QCOMPARE(m.write(kMsrApicBase, base | kApicBaseEnable), MsrOutcome::GeneralProtection);
        QCOMPARE(m.write(kMsrApicBase, base | 1), MsrOutcome::GeneralProtection);
        QCOMPARE(m.read(kMsrApicBase), base);
    }

    void patIsCheckedAndBacked() {
        MsrBench m;
        QCOMPARE(m.write(kMsrPat, 0x0007010600070106ULL), MsrOutcome::Done);
        QCOMPARE(m.pat, 0x0007010600070106ULL);
        QCOMPARE(m.write(kMsrPat, 0x0000000000000002ULL), MsrOutcome::GeneralProtection);
        QCOMPARE(m.pat, 0x0007010600070106ULL);
    }

    void tscWriteMovesTheOffset() {
        MsrBench m;
        QCOMPARE(m.write(kMsrTsc, 5000000), MsrOutcome::Done);
        QCOMPARE(m.read(kMsrTsc), u64(5000000));
        QCOMPARE(m.tsc_offset, u64(4000000));
    }

    void mtrrAndAmdMsrsAreModelled() {
        MsrBench m;
        QCOMPARE(m.read(kMsrMtrrCap), u64(0));
        QCOMPARE(m.read(kMsrMtrrDefType), u64(0x806));
        QCOMPARE(m.write(kMsrMtrrCap, 1), MsrOutcome::GeneralProtection);
        QCOMPARE(m.write(kMsrMtrrDefType, 0x807), MsrOutcome::GeneralProtection);
        QCOMPARE(m.write(kMsrMtrrDefType, 0x800), MsrOutcome::Done);
        QCOMPARE(m.read(kMsrPatchLevel), u64(0));
        QCOMPARE(m.write(kMsrHwcr, 0x40), MsrOutcome::Done);
        QCOMPARE(m.read(kMsrHwcr), u64(0x40));
        QCOMPARE(m.read(kMsrSyscfg), u64(0));
        QCOMPARE(m.read(kMsrIntPendingMsg), u64(0)); // Linux reads it without a fixup
        QCOMPARE(m.write(kMsrIntPendingMsg, 0), MsrOutcome::Done);
        QCOMPARE(m.write(kMsrSyscfg, 1u << 23), MsrOutcome::GeneralProtection); // no SME
    }

    void unknownMsrsAreNotModelled() {
        MsrBench m;
        u64 value = 0;
        for (u32 msr : {0x48u, 0x49u, 0x179u, 0x3au, 0xc0000103u, 0xdeadbeefu}) {
            QCOMPARE(read_model_msr(msr, m.context, value), MsrOutcome::NotModelled);
            QCOMPARE(write_model_msr(msr, 0, m.context), MsrOutcome::NotModelled);
        }
        QVERIFY(kModelMsrCount >= 20);
    }
};

QTEST_GUILESS_MAIN(TestCpuModel)
#include "tst_cpu_model.moc"
