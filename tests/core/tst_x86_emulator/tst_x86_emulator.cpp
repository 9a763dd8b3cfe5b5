// MMIO emulation (decode/emulator.h) end to end: a fake device behind a
// memory hook records every access; guest registers, RAM and page tables are
// set up for real, 32-bit and 64-bit mode. ALU flags are also checked against
// the host CPU executing the same instructions.
#include "guest_paging.h"
#include "vm_harness.h"

#include <decode/alu.h>
#include <decode/emulator.h>
#include <decode/page_walk.h>

#include <QtTest>

#include <cstring>

using namespace v3;
using namespace v3::decode;
using namespace testpaging;

namespace {

constexpr uint64_t kMmio = 0xfeb00000; // the fake device's guest-physical base
constexpr uint64_t kMmioSize = 0x4000;
constexpr uint64_t kMmioLinear64 = 0xffffc90000000000ull; // where long-mode guests map it

QByteArray hex(const char* text) {
    return QByteArray::fromHex(QByteArray(text).replace(' ', ""));
}

class FakeDevice : public MmioHandler {
public:
    struct Access {
        bool write;
        uint64_t offset;
        uint32_t size;
        uint64_t value;
    };

    Result<void> mmio_read(u64 offset, u8* data, u32 size) override {
        if (refuse)
            return make_error(Errno::Io, "the fake device refuses the access");
        std::memcpy(data, backing.constData() + offset, size);
        log.push_back({false, offset, size, value_of(data, size)});
        return {};
    }
    Result<void> mmio_write(u64 offset, const u8* data, u32 size) override {
        if (refuse)
            return make_error(Errno::Io, "the fake device refuses the access");
        std::memcpy(backing.data() + offset, data, size);
        log.push_back({true, offset, size, value_of(data, size)});
        return {};
    }

    void set(uint64_t offset, uint64_t value, uint32_t size) {
        for (uint32_t i = 0; i < size; ++i)
            backing[qsizetype(offset + i)] = char(value >> (8 * i));
    }

    static uint64_t value_of(const u8* data, u32 size) {
        uint64_t v = 0;
        for (u32 i = 0; i < size; ++i)
            v |= uint64_t(data[i]) << (8 * i);
        return v;
    }

    QByteArray backing = QByteArray(0x10000, 0);
    QVector<Access> log;
    bool refuse = false;
};

#define EXPECT_ACCESS(device, i, isWrite, off, sz, val)                                            \
    do {                                                                                           \
        QVERIFY2((device).log.size() > (i), "missing device access");                              \
        const FakeDevice::Access& a_ = (device).log[i];                                            \
        QCOMPARE(a_.write, bool(isWrite));                                                         \
        QCOMPARE(a_.offset, uint64_t(off));                                                        \
        QCOMPARE(a_.size, uint32_t(sz));                                                           \
        QCOMPARE(a_.value, uint64_t(val));                                                         \
    } while (0)

struct Machine {
    OwnPtr<GuestMemory> memory;
    MemoryHooks hooks;
    FakeDevice device;
    x86::Registers regs;
    EmulationOutcome outcome;

    Machine() {
        testvm::install_host();
        auto m = GuestMemory::try_create(16 << 20);
        if (m.is_error())
            qFatal("cannot create guest memory");
        memory = m.release_value();
        if (hooks.add(kMmio, kMmioSize, MmioHookKind::Full, device, "fake").is_error())
            qFatal("cannot hook the fake device");
    }

    // Runs the instruction `bytes` (hex) that faulted on `gpa`.
    Result<void> run(const char* bytes, uint64_t gpa) {
        QByteArray b = hex(bytes);
        return emulate_mmio(regs, *memory, hooks, gpa, reinterpret_cast<const u8*>(b.constData()),
                            usize(b.size()), &outcome);
    }
    // Runs the instruction the guest has at CS:RIP.
    Result<void> run_fetched(uint64_t gpa) {
        return emulate_mmio(regs, *memory, hooks, gpa, nullptr, 0, &outcome);
    }

    void poke(uint64_t gpa, const QByteArray& bytes) {
        if (memory->write(gpa, bytes.constData(), u64(bytes.size())).is_error())
            qFatal("poke outside RAM");
    }
    QByteArray peek(uint64_t gpa, int size) {
        QByteArray out(size, 0);
        if (memory->read(gpa, out.data(), u64(size)).is_error())
            qFatal("peek outside RAM");
        return out;
    }

    void flat32() {
        regs = {};
        regs.cr0 = x86::kCr0Pe;
        for (auto& s : regs.segments)
            s = {0x10, 0, 0xffffffff, 0xc93};
        regs.segments[x86::CS] = {0x08, 0, 0xffffffff, 0xc9b};
        regs.rip = 0x7000;
    }
    void real16(uint16_t segment) {
        regs = {};
        for (auto& s : regs.segments)
            s = {segment, uint64_t(segment) << 4, 0xffff, 0x93};
        regs.segments[x86::CS] = {0xf000, 0xf0000, 0xffff, 0x9b};
        regs.rip = 0x1000;
    }
    // Long mode with the device mapped at kMmioLinear64 and the first 16 MB
    // identity-mapped with 2 MB pages. Returns the page tables for more maps.
    GuestPageTables long64() {
        GuestPageTables t(*memory, Paging::Long, 0x100000);
        for (uint64_t a = 0x200000; a < (16 << 20); a += kMb2)
            t.map(a, a, kMb2);
        for (uint64_t off = 0; off < kMmioSize; off += kKb4)
            t.map(kMmioLinear64 + off, kMmio + off, kKb4, kP | kRw | kNx);
        regs = {};
        regs.cr0 = x86::kCr0Pe | x86::kCr0Pg | x86::kCr0Wp;
        regs.cr4 = x86::kCr4Pae;
        regs.efer = x86::kEferLme | x86::kEferLma | x86::kEferNxe;
        regs.cr3 = t.cr3();
        for (auto& s : regs.segments)
            s = {0x18, 0, 0xffffffff, 0xc93};
        regs.segments[x86::CS] = {0x10, 0, 0xffffffff, 0x29b};
        regs.rip = 0x400000;
        return t;
    }
};

QString detailOf(const Machine& m) {
    return QString::fromUtf8(m.outcome.detail.text);
}

// ---- the host CPU as the reference for flags ----

template <typename T> uint64_t hostAlu(Operation op, T& a, T b, uint64_t flags) {
#define HOST_BINARY(insn)                                                                          \
    asm volatile("sub $128, %%rsp\n\tpushq %[f]\n\tpopfq\n\t" insn " %[b], %[a]\n\t"               \
                 "pushfq\n\tpopq %[f]\n\tadd $128, %%rsp"                                          \
                 : [a] "+r"(a), [f] "+r"(flags)                                                    \
                 : [b] "r"(b)                                                                      \
                 : "cc", "memory")
#define HOST_UNARY(insn)                                                                           \
    asm volatile("sub $128, %%rsp\n\tpushq %[f]\n\tpopfq\n\t" insn " %[a]\n\t"                     \
                 "pushfq\n\tpopq %[f]\n\tadd $128, %%rsp"                                          \
                 : [a] "+r"(a), [f] "+r"(flags)                                                    \
                 :                                                                                 \
                 : "cc", "memory")
    switch (op) {
    case Operation::Add:
        HOST_BINARY("add");
        break;
    case Operation::Adc:
        HOST_BINARY("adc");
        break;
    case Operation::Sub:
        HOST_BINARY("sub");
        break;
    case Operation::Sbb:
        HOST_BINARY("sbb");
        break;
    case Operation::Cmp:
        HOST_BINARY("cmp");
        break;
    case Operation::And:
        HOST_BINARY("and");
        break;
    case Operation::Or:
        HOST_BINARY("or");
        break;
    case Operation::Xor:
        HOST_BINARY("xor");
        break;
    case Operation::Test:
        HOST_BINARY("test");
        break;
    case Operation::Not:
        HOST_UNARY("not");
        break;
    case Operation::Neg:
        HOST_UNARY("neg");
        break;
    case Operation::Inc:
        HOST_UNARY("inc");
        break;
    case Operation::Dec:
        HOST_UNARY("dec");
        break;
    default:
        qFatal("no host reference for this operation");
    }
#undef HOST_BINARY
#undef HOST_UNARY
    return flags;
}

} // namespace

class TestX86Emulator : public QObject {
    Q_OBJECT

    template <typename T> void compareWithHost(const QVector<uint64_t>& values) {
        const Operation ops[] = {Operation::Add,  Operation::Adc, Operation::Sub, Operation::Sbb,
                                 Operation::Cmp,  Operation::And, Operation::Or,  Operation::Xor,
                                 Operation::Test, Operation::Not, Operation::Neg, Operation::Inc,
                                 Operation::Dec};
        const u8 size = sizeof(T);
        int checked = 0;
        for (Operation op : ops) {
            bool logical = op == Operation::And || op == Operation::Or || op == Operation::Xor ||
                           op == Operation::Test;
            // AF is architecturally undefined after logical operations.
            uint64_t compared =
                logical ? x86::kRflagsArithmetic & ~x86::kRflagsAf : x86::kRflagsArithmetic;
            for (uint64_t a : values)
                for (uint64_t b : values)
                    for (uint64_t start : {uint64_t(0x2), uint64_t(0x2 | 0x8d5)}) {
                        T ha = T(a);
                        uint64_t hostFlags = hostAlu<T>(op, ha, T(b), start);
                        AluResult r = alu(op, a, b, size, start & x86::kRflagsCf);
                        uint64_t ours = apply_flags(start, r);
                        QVERIFY2((ours & compared) == (hostFlags & compared),
                                 qPrintable(QString("%1 size %2 a=%3 b=%4 cf=%5: flags %6, host %7")
                                                .arg(operation_name(op))
                                                .arg(size)
                                                .arg(a, 0, 16)
                                                .arg(b, 0, 16)
                                                .arg(start & 1)
                                                .arg(ours & compared, 0, 16)
                                                .arg(hostFlags & compared, 0, 16)));
                        if (r.writes_result)
                            QCOMPARE(r.value, uint64_t(ha));
                        if (logical)
                            QVERIFY(!(ours & x86::kRflagsAf)); // our choice: AF = 0
                        ++checked;
                    }
        }
        QVERIFY(checked > 1000);
    }

private slots:
    // ---- flags against the host CPU ----
    void aluFlagsMatchTheHostCpu() {
        QVector<uint64_t> v = {0,
                               1,
                               2,
                               0x0f,
                               0x10,
                               0x7f,
                               0x80,
                               0xff,
                               0x7fff,
                               0x8000,
                               0xffff,
                               0x7fffffff,
                               0x80000000,
                               0xffffffff,
                               0x123456789abcdef0ull,
                               0x7fffffffffffffffull,
                               0x8000000000000000ull,
                               ~0ull,
                               0x5a5a5a5a5a5a5a5aull};
        compareWithHost<uint8_t>(v);
        compareWithHost<uint16_t>(v);
        compareWithHost<uint32_t>(v);
        compareWithHost<uint64_t>(v);
    }

    // ---- MOV ----
    void movStoreAndLoad32() {
        Machine m;
        m.flat32();
        m.regs.gpr[x86::RAX] = kMmio + 0x10;
        m.regs.gpr[x86::RCX] = 0xdeadbeef;
        QVERIFY2(!m.run("89 08", kMmio + 0x10).is_error(),
                 qPrintable(detailOf(m))); // mov [eax],ecx
        EXPECT_ACCESS(m.device, 0, true, 0x10, 4, 0xdeadbeef);
        QCOMPARE(m.regs.rip, uint64_t(0x7002));
        QVERIFY(m.outcome.completed);
        QVERIFY(!m.outcome.exception_pending);

        m.device.set(0x14, 0x12345678, 4);
        m.regs.gpr[x86::RDX] = 0xffffffff00000000ull;
        QVERIFY(!m.run("8b 50 04", kMmio + 0x14).is_error()); // mov edx,[eax+4]
        EXPECT_ACCESS(m.device, 1, false, 0x14, 4, 0x12345678);
        QCOMPARE(m.regs.gpr[x86::RDX], uint64_t(0x12345678));
        QCOMPARE(m.regs.rip, uint64_t(0x7005));
        QCOMPARE(m.device.log.size(), 2);
    }

    void movRealModeSixteenBit() {
        Machine m;
        FakeDevice vga;
        QVERIFY(!m.hooks.add(0xb8000, 0x8000, MmioHookKind::Full, vga, "vga").is_error());
        m.real16(0xb800);
        m.regs.gpr[x86::RBX] = 0x10;
        m.regs.gpr[x86::RSI] = 0x20;
        m.regs.gpr[x86::RAX] = 0xaaaa5555;
        vga.set(0x35, 0x1234, 2);
        QVERIFY2(!m.run("8b 40 05", 0xb8035).is_error(),
                 qPrintable(detailOf(m))); // mov ax,[bx+si+5]
        EXPECT_ACCESS(vga, 0, false, 0x35, 2, 0x1234);
        QCOMPARE(m.regs.gpr[x86::RAX], uint64_t(0xaaaa1234)); // 16-bit write keeps the upper bits
        QCOMPARE(m.regs.rip, uint64_t(0x1003));

        // es: override, and IP wraps at 64 KB.
        m.regs.segments[x86::ES] = {0xb900, 0xb9000, 0xffff, 0x93};
        m.regs.rip = 0xfffe;
        m.regs.gpr[x86::RDI] = 0x4;
        QVERIFY(!m.run("26 89 05", 0xb9004).is_error()); // mov es:[di],ax
        EXPECT_ACCESS(vga, 1, true, 0x1004, 2, 0x1234);
        QCOMPARE(m.regs.rip, uint64_t(0x0001));
    }

    void movLongModeRipRelativeAndImmediate() {
        Machine m;
        // Kernel text at 0xffffffff81000000 and the device mapped 2 MB above.
        GuestPageTables t = m.long64();
        t.map(0xffffffff81000000ull, 0x00800000, kMb2);
        t.map(0xffffffff81200000ull, kMmio, kKb4);
        m.regs.rip = 0xffffffff81000000ull;
        // mov rax,[rip+disp] where rip+7+disp = 0xffffffff81200020
        int64_t disp = int64_t(0xffffffff81200020ull) - int64_t(m.regs.rip + 7);
        QVERIFY(disp >= INT32_MIN && disp <= INT32_MAX);
        QByteArray b = hex("48 8b 05");
        for (int i = 0; i < 4; ++i)
            b.append(char(uint32_t(disp) >> (8 * i)));
        m.device.set(0x20, 0x1122334455667788ull, 8);
        auto r =
            emulate_mmio(m.regs, *m.memory, m.hooks, kMmio + 0x20,
                         reinterpret_cast<const u8*>(b.constData()), usize(b.size()), &m.outcome);
        QVERIFY2(!r.is_error(), qPrintable(detailOf(m)));
        EXPECT_ACCESS(m.device, 0, false, 0x20, 8, 0x1122334455667788ull);
        QCOMPARE(m.regs.gpr[x86::RAX], uint64_t(0x1122334455667788ull));
        QCOMPARE(m.regs.rip, uint64_t(0xffffffff81000007ull));

        // mov qword [rax],-1 (imm32 sign-extended to 64 bits)
        m.regs.gpr[x86::RAX] = kMmioLinear64 + 0x40;
        QVERIFY(!m.run("48 c7 00 ff ff ff ff", kMmio + 0x40).is_error());
        EXPECT_ACCESS(m.device, 1, true, 0x40, 8, ~0ull);
        // mov byte [r12+1],0xab with REX.B
        m.regs.gpr[x86::R12] = kMmioLinear64 + 0x47;
        QVERIFY(!m.run("41 c6 44 24 01 ab", kMmio + 0x48).is_error());
        EXPECT_ACCESS(m.device, 2, true, 0x48, 1, 0xab);
        // mov [rax+r13*8],r9 with REX.W R X
        m.regs.gpr[x86::RAX] = kMmioLinear64;
        m.regs.gpr[x86::R13] = 0x10;
        m.regs.gpr[x86::R9] = 0x0102030405060708ull;
        QVERIFY(!m.run("4e 89 0c e8", kMmio + 0x80).is_error());
        EXPECT_ACCESS(m.device, 3, true, 0x80, 8, 0x0102030405060708ull);
    }

    void moffsForms() {
        Machine m;
        m.flat32();
        m.device.set(0x10, 0xcafef00d, 4);
        m.regs.gpr[x86::RAX] = 0xffffffff;
        QVERIFY(!m.run("a1 10 00 b0 fe", kMmio + 0x10).is_error()); // mov eax,[moffs]
        QCOMPARE(m.regs.gpr[x86::RAX], uint64_t(0xcafef00d));
        QVERIFY(!m.run("a2 20 00 b0 fe", kMmio + 0x20).is_error()); // mov [moffs],al
        EXPECT_ACCESS(m.device, 1, true, 0x20, 1, 0x0d);
        QCOMPARE(m.regs.rip, uint64_t(0x700a));
    }

    // ---- partial registers ----
    void partialRegisterSemantics() {
        Machine m;
        m.long64();
        m.device.set(0, 0xa1b2c3d4e5f60718ull, 8);
        const uint64_t all = 0x1111111111111111ull;
        struct Case {
            const char* bytes;
            x86::Gpr reg;
            uint64_t expected;
        } cases[] = {
            {"8a 30", x86::RDX, 0x1111111111111811ull},    // mov dh,[rax]
            {"40 8a 30", x86::RSI, 0x1111111111111118ull}, // mov sil,[rax]
            {"8a 08", x86::RCX, 0x1111111111111118ull},    // mov cl,[rax]
            {"8a 28", x86::RCX, 0x1111111111111811ull},    // mov ch,[rax]
            {"66 8b 08", x86::RCX, 0x1111111111110718ull}, // mov cx,[rax]
            {"8b 08", x86::RCX, 0x00000000e5f60718ull},    // mov ecx,[rax]
            {"48 8b 08", x86::RCX, 0xa1b2c3d4e5f60718ull}, // mov rcx,[rax]
            {"44 8a 00", x86::R8, 0x1111111111111118ull},  // mov r8b,[rax]
        };
        for (const Case& c : cases) {
            for (int r = 0; r < 16; ++r)
                m.regs.gpr[r] = all;
            m.regs.gpr[x86::RAX] = kMmioLinear64;
            m.regs.rip = 0x400000;
            QVERIFY2(!m.run(c.bytes, kMmio).is_error(), c.bytes);
            QVERIFY2(m.regs.gpr[c.reg] == c.expected,
                     qPrintable(QString("%1: got %2").arg(c.bytes).arg(m.regs.gpr[c.reg], 0, 16)));
            for (int r = 0; r < 16; ++r)
                if (r != c.reg && r != x86::RAX)
                    QCOMPARE(m.regs.gpr[r], all); // nothing else changed
        }
        // Storing AH stores bits 15:8 of RAX.
        m.regs.gpr[x86::RAX] = kMmioLinear64 | 0x0;
        m.regs.gpr[x86::RBX] = kMmioLinear64 + 0x100;
        m.regs.gpr[x86::RAX] = (m.regs.gpr[x86::RAX] & ~0xff00ull) | 0x5a00;
        QVERIFY(!m.run("88 23", kMmio + 0x100).is_error()); // mov [rbx],ah
        EXPECT_ACCESS(m.device, m.device.log.size() - 1, true, 0x100, 1, 0x5a);
    }

    // ---- MOVZX / MOVSX ----
    void zeroAndSignExtension() {
        Machine m;
        m.long64();
        m.device.set(0, 0x80, 1);
        m.device.set(2, 0x8001, 2);
        m.device.set(4, 0x80000000, 4);
        struct Case {
            const char* bytes;
            uint64_t offset;
            uint64_t expected;
        } cases[] = {
            {"0f b6 08", 0, 0x80},                        // movzx ecx,byte [rax]
            {"0f be 08", 0, 0xffffff80},                  // movsx ecx,byte [rax]
            {"48 0f be 08", 0, 0xffffffffffffff80ull},    // movsx rcx,byte [rax]
            {"0f b7 48 02", 2, 0x8001},                   // movzx ecx,word [rax+2]
            {"0f bf 48 02", 2, 0xffff8001},               // movsx ecx,word [rax+2]
            {"48 0f bf 48 02", 2, 0xffffffffffff8001ull}, // movsx rcx,word [rax+2]
            {"48 63 48 04", 4, 0xffffffff80000000ull},    // movsxd rcx,dword [rax+4]
            {"66 0f b6 08", 0, 0x5555555555550080ull},    // movzx cx,byte [rax]
            {"66 0f be 08", 0, 0x555555555555ff80ull},    // movsx cx,byte [rax]
        };
        for (const Case& c : cases) {
            m.regs.gpr[x86::RAX] = kMmioLinear64;
            m.regs.gpr[x86::RCX] = 0x5555555555555555ull;
            m.regs.rip = 0x400000;
            QVERIFY2(!m.run(c.bytes, kMmio + c.offset).is_error(), c.bytes);
            QVERIFY2(
                m.regs.gpr[x86::RCX] == c.expected,
                qPrintable(QString("%1: got %2").arg(c.bytes).arg(m.regs.gpr[x86::RCX], 0, 16)));
            QCOMPARE(m.regs.rip, uint64_t(0x400000 + hex(c.bytes).size()));
        }
    }

    // ---- ALU on MMIO ----
    void aluFlagsAndWriteBack() {
        Machine m;
        m.flat32();
        m.regs.gpr[x86::RAX] = kMmio;
        struct Case {
            const char* name;
            const char* bytes;
            uint32_t size;
            uint64_t memory;
            uint64_t flags_before;
            bool writes;
            uint64_t written;
            uint64_t flags_after; // arithmetic flags, hardware results
        } cases[] = {
            // cmp ecx,[eax]: 5 - 7
            {"cmp", "3b 08", 4, 7, 0, false, 0, x86::kRflagsCf | x86::kRflagsAf | x86::kRflagsSf},
            // and byte [eax],0x0f on 0xf0 → 0, clears CF/OF
            {"and", "80 20 0f", 1, 0xf0, x86::kRflagsCf | x86::kRflagsOf, true, 0,
             x86::kRflagsZf | x86::kRflagsPf},
            // or dword [eax],1 on 0x80000000
            {"or", "83 08 01", 4, 0x80000000, 0, true, 0x80000001, x86::kRflagsSf},
            // xor [eax],ecx with equal values
            {"xor", "31 08", 4, 0x12345678, 0, true, 0, x86::kRflagsZf | x86::kRflagsPf},
            // test byte [eax],0x80 on 0x80: no write
            {"test", "f6 00 80", 1, 0x80, x86::kRflagsZf, false, 0, x86::kRflagsSf},
            // add byte [eax],1 on 0x7f → 0x80: OF SF AF
            {"add", "80 00 01", 1, 0x7f, 0, true, 0x80,
             x86::kRflagsOf | x86::kRflagsSf | x86::kRflagsAf},
            // sub word [eax],1 on 0x8000 → 0x7fff: OF AF PF
            {"sub", "66 83 28 01", 2, 0x8000, 0, true, 0x7fff,
             x86::kRflagsOf | x86::kRflagsAf | x86::kRflagsPf},
            // adc dword [eax],0 with CF on 0xffffffff → 0, CF ZF PF AF
            {"adc", "83 10 00", 4, 0xffffffff, x86::kRflagsCf, true, 0,
             x86::kRflagsCf | x86::kRflagsZf | x86::kRflagsPf | x86::kRflagsAf},
            // sbb byte [eax],0 with CF on 0 → 0xff
            {"sbb", "80 18 00", 1, 0, x86::kRflagsCf, true, 0xff,
             x86::kRflagsCf | x86::kRflagsSf | x86::kRflagsPf | x86::kRflagsAf},
            // neg dword [eax] on 1 → 0xffffffff, CF
            {"neg", "f7 18", 4, 1, 0, true, 0xffffffff,
             x86::kRflagsCf | x86::kRflagsSf | x86::kRflagsPf | x86::kRflagsAf},
            // inc byte [eax] on 0xff → 0: CF kept
            {"inc", "fe 00", 1, 0xff, x86::kRflagsCf, true, 0,
             x86::kRflagsCf | x86::kRflagsZf | x86::kRflagsPf | x86::kRflagsAf},
            // dec dword [eax] on 0 → 0xffffffff: CF kept clear
            {"dec", "ff 08", 4, 0, 0, true, 0xffffffff,
             x86::kRflagsSf | x86::kRflagsPf | x86::kRflagsAf},
            // not word [eax]: flags untouched
            {"not", "66 f7 10", 2, 0x00ff, x86::kRflagsOf | x86::kRflagsZf, true, 0xff00,
             x86::kRflagsOf | x86::kRflagsZf},
        };
        for (const Case& c : cases) {
            m.device.log.clear();
            m.device.set(0, c.memory, 8);
            m.regs.gpr[x86::RCX] = c.name == QString("xor") ? 0x12345678 : 5;
            m.regs.rflags = 0x2 | c.flags_before | x86::kRflagsDf; // DF must survive
            m.regs.rip = 0x7000;
            QVERIFY2(!m.run(c.bytes, kMmio).is_error(), c.name);
            QCOMPARE(m.device.log.size(), c.writes ? 2 : 1);
            EXPECT_ACCESS(m.device, 0, false, 0, c.size,
                          c.memory & ((c.size == 8) ? ~0ull : ((1ull << (c.size * 8)) - 1)));
            if (c.writes)
                EXPECT_ACCESS(m.device, 1, true, 0, c.size, c.written);
            QVERIFY2((m.regs.rflags & x86::kRflagsArithmetic) == c.flags_after,
                     qPrintable(QString("%1: flags %2").arg(c.name).arg(m.regs.rflags, 0, 16)));
            QVERIFY(m.regs.rflags & x86::kRflagsDf);
            QCOMPARE(m.regs.rip, uint64_t(0x7000 + hex(c.bytes).size()));
        }
    }

    void aluIntoRegister() {
        Machine m;
        m.long64();
        m.regs.gpr[x86::RAX] = kMmioLinear64;
        m.device.set(0, 0x0f0f, 2);
        m.regs.gpr[x86::RCX] = 0xffffffffffff00ffull;
        QVERIFY(!m.run("66 0b 08", kMmio).is_error()); // or cx,[rax]
        QCOMPARE(m.regs.gpr[x86::RCX], 0xffffffffffff0fffull);
        QCOMPARE(m.device.log.size(), 1); // read only
        m.regs.gpr[x86::RCX] = 0xffffffff00001000ull;
        QVERIFY(!m.run("2b 08", kMmio).is_error()); // sub ecx,[rax]: 0x1000 - 0x0f0f
        QCOMPARE(m.regs.gpr[x86::RCX], uint64_t(0xf1));
        QCOMPARE(m.regs.rflags & x86::kRflagsArithmetic, x86::kRflagsAf);
        m.regs.gpr[x86::RCX] = 0x8000;
        QVERIFY(!m.run("22 28", kMmio).is_error()); // and ch,[rax]: 0x80 & 0x0f
        QCOMPARE(m.regs.gpr[x86::RCX], uint64_t(0x0000));
        QCOMPARE(m.regs.rflags & x86::kRflagsArithmetic, x86::kRflagsZf | x86::kRflagsPf);
        QCOMPARE(m.device.log.size(), 3);
    }

    void exchange() {
        Machine m;
        m.flat32();
        m.device.set(0x8, 0xaaaaaaaa, 4);
        m.regs.gpr[x86::RBX] = kMmio + 0x8;
        m.regs.gpr[x86::RAX] = 0x55555555;
        QVERIFY(!m.run("87 03", kMmio + 0x8).is_error()); // xchg [ebx],eax
        EXPECT_ACCESS(m.device, 0, false, 0x8, 4, 0xaaaaaaaa);
        EXPECT_ACCESS(m.device, 1, true, 0x8, 4, 0x55555555);
        QCOMPARE(m.regs.gpr[x86::RAX], uint64_t(0xaaaaaaaa));
    }

    void bitTests() {
        Machine m;
        m.flat32();
        m.regs.gpr[x86::RAX] = kMmio + 0x100;
        m.device.set(0x104, 0x8, 4);
        m.regs.gpr[x86::RCX] = 35;                             // dword at +4, bit 3
        QVERIFY(!m.run("0f a3 08", kMmio + 0x104).is_error()); // bt [eax],ecx
        EXPECT_ACCESS(m.device, 0, false, 0x104, 4, 0x8);
        QCOMPARE(m.device.log.size(), 1);
        QVERIFY(m.regs.rflags & x86::kRflagsCf);
        m.regs.gpr[x86::RCX] = uint64_t(-1) & 0xffffffff; // -1: dword at -4, bit 31
        m.device.set(0xfc, 0x1, 4);
        QVERIFY(!m.run("f0 0f ab 08", kMmio + 0xfc).is_error()); // lock bts [eax],ecx
        EXPECT_ACCESS(m.device, 2, true, 0xfc, 4, 0x80000001);
        QVERIFY(!(m.regs.rflags & x86::kRflagsCf));
        QVERIFY(!m.run("0f ba 30 00", kMmio + 0x100).is_error()); // btr dword [eax],0
        QVERIFY(!m.run("0f ba 38 21", kMmio + 0x100).is_error()); // btc dword [eax],33 → bit 1
        EXPECT_ACCESS(m.device, 6, true, 0x100, 4, 0x2);
    }

    // ---- string instructions ----
    void repStosdBothDirections() {
        Machine m;
        m.flat32();
        m.regs.gpr[x86::RDI] = kMmio + 0x100;
        m.regs.gpr[x86::RCX] = 4;
        m.regs.gpr[x86::RAX] = 0x11223344;
        QVERIFY(!m.run("f3 ab", kMmio + 0x100).is_error());
        QCOMPARE(m.device.log.size(), 4);
        for (int i = 0; i < 4; ++i)
            EXPECT_ACCESS(m.device, i, true, 0x100 + 4 * i, 4, 0x11223344);
        QCOMPARE(m.regs.gpr[x86::RDI], kMmio + 0x110);
        QCOMPARE(m.regs.gpr[x86::RCX], uint64_t(0));
        QCOMPARE(m.regs.rip, uint64_t(0x7002));
        QVERIFY(m.outcome.completed);

        m.device.log.clear();
        m.regs.rflags |= x86::kRflagsDf;
        m.regs.gpr[x86::RDI] = kMmio + 0x100;
        m.regs.gpr[x86::RCX] = 4;
        QVERIFY(!m.run("f3 ab", kMmio + 0x100).is_error());
        for (int i = 0; i < 4; ++i)
            EXPECT_ACCESS(m.device, i, true, 0x100 - 4 * i, 4, 0x11223344);
        QCOMPARE(m.regs.gpr[x86::RDI], kMmio + 0xf0);
        QCOMPARE(m.regs.gpr[x86::RCX], uint64_t(0));

        // Without REP: one element, RCX untouched.
        m.device.log.clear();
        m.regs.gpr[x86::RCX] = 9;
        QVERIFY(!m.run("aa", kMmio + 0xf0).is_error()); // stosb, DF=1
        QCOMPARE(m.device.log.size(), 1);
        EXPECT_ACCESS(m.device, 0, true, 0xf0, 1, 0x44);
        QCOMPARE(m.regs.gpr[x86::RDI], kMmio + 0xef);
        QCOMPARE(m.regs.gpr[x86::RCX], uint64_t(9));
    }

    void repMovsbMmioFromRam() {
        Machine m;
        m.flat32();
        m.poke(0x2000, "HELLO");
        m.regs.gpr[x86::RSI] = 0x2000;
        m.regs.gpr[x86::RDI] = kMmio + 0x40;
        m.regs.gpr[x86::RCX] = 5;
        QVERIFY(!m.run("f3 a4", kMmio + 0x40).is_error());
        QCOMPARE(m.device.log.size(), 5);
        for (int i = 0; i < 5; ++i)
            EXPECT_ACCESS(m.device, i, true, 0x40 + i, 1, uchar("HELLO"[i]));
        QCOMPARE(m.regs.gpr[x86::RSI], uint64_t(0x2005));
        QCOMPARE(m.regs.gpr[x86::RDI], kMmio + 0x45);

        // DF = 1: from the last byte down.
        m.device.log.clear();
        m.regs.rflags |= x86::kRflagsDf;
        m.regs.gpr[x86::RSI] = 0x2004;
        m.regs.gpr[x86::RDI] = kMmio + 0x84;
        m.regs.gpr[x86::RCX] = 5;
        QVERIFY(!m.run("f3 a4", kMmio + 0x84).is_error());
        for (int i = 0; i < 5; ++i)
            EXPECT_ACCESS(m.device, i, true, 0x84 - i, 1, uchar("HELLO"[4 - i]));
        QCOMPARE(m.device.backing.mid(0x80, 5), QByteArray("HELLO"));
        QCOMPARE(m.regs.gpr[x86::RSI], uint64_t(0x1fff));
        QCOMPARE(m.regs.gpr[x86::RDI], kMmio + 0x7f);
    }

    void repMovsbRamFromMmio() {
        Machine m;
        m.flat32();
        m.device.backing.replace(0x200, 5, "WORLD");
        m.regs.gpr[x86::RSI] = kMmio + 0x200;
        m.regs.gpr[x86::RDI] = 0x3000;
        m.regs.gpr[x86::RCX] = 5;
        QVERIFY(!m.run("f3 a4", kMmio + 0x200).is_error()); // the source faulted
        QCOMPARE(m.peek(0x3000, 5), QByteArray("WORLD"));
        QCOMPARE(m.device.log.size(), 5);
        EXPECT_ACCESS(m.device, 0, false, 0x200, 1, 'W');

        m.device.log.clear();
        m.regs.rflags |= x86::kRflagsDf;
        m.regs.gpr[x86::RSI] = kMmio + 0x204;
        m.regs.gpr[x86::RDI] = 0x3104;
        m.regs.gpr[x86::RCX] = 5;
        QVERIFY(!m.run("f3 a4", kMmio + 0x204).is_error());
        QCOMPARE(m.peek(0x3100, 5), QByteArray("WORLD"));
        EXPECT_ACCESS(m.device, 0, false, 0x204, 1, 'D');
        QCOMPARE(m.regs.gpr[x86::RDI], uint64_t(0x30ff));
    }

    void movsqLongModeAcrossDiscontiguousRamPages() {
        Machine m;
        GuestPageTables t = m.long64();
        // Linear 0x7ffff000 → physical 0x300000, 0x80000000 → 0x500000.
        t.map(0x7ffff000, 0x300000, kKb4);
        t.map(0x80000000, 0x500000, kKb4);
        m.poke(0x300ffc, hex("01 02 03 04"));
        m.poke(0x500000, hex("05 06 07 08"));
        m.regs.gpr[x86::RSI] = 0x7ffffffc;
        m.regs.gpr[x86::RDI] = kMmioLinear64 + 0x18;
        QVERIFY2(!m.run("48 a5", kMmio + 0x18).is_error(), qPrintable(detailOf(m))); // movsq
        QCOMPARE(m.device.log.size(), 1);
        EXPECT_ACCESS(m.device, 0, true, 0x18, 8, 0x0807060504030201ull);
        QCOMPARE(m.regs.gpr[x86::RSI], uint64_t(0x80000004));
        QCOMPARE(m.regs.gpr[x86::RDI], kMmioLinear64 + 0x20);
    }

    void mmioAccessAcrossContiguousPagesIsOneAccess() {
        Machine m;
        m.flat32();
        m.regs.gpr[x86::RAX] = kMmio + 0xffe;
        m.regs.gpr[x86::RCX] = 0xa1b2c3d4;
        QVERIFY(!m.run("89 08", kMmio + 0xffe).is_error());
        QCOMPARE(m.device.log.size(), 1);
        EXPECT_ACCESS(m.device, 0, true, 0xffe, 4, 0xa1b2c3d4);
        // The fault may be reported on the second page of the access.
        QVERIFY(!m.run("89 08", kMmio + 0x1000).is_error());
    }

    void lods() {
        Machine m;
        m.long64();
        m.device.set(0x30, 0x99, 1);
        m.device.set(0x31, 0x77, 1);
        m.regs.gpr[x86::RSI] = kMmioLinear64 + 0x30;
        m.regs.gpr[x86::RAX] = 0xffffffffffffff00ull;
        QVERIFY(!m.run("ac", kMmio + 0x30).is_error()); // lodsb
        QCOMPARE(m.regs.gpr[x86::RAX], 0xffffffffffffff99ull);
        QCOMPARE(m.regs.gpr[x86::RSI], kMmioLinear64 + 0x31);
        // rep lodsb: every element is read; the last one stays in AL.
        m.regs.gpr[x86::RSI] = kMmioLinear64 + 0x30;
        m.regs.gpr[x86::RCX] = 2;
        QVERIFY(!m.run("f3 ac", kMmio + 0x30).is_error());
        QCOMPARE(m.device.log.size(), 3);
        QCOMPARE(m.regs.gpr[x86::RAX] & 0xff, uint64_t(0x77));
        // lodsd zero-extends into RAX.
        m.regs.gpr[x86::RSI] = kMmioLinear64 + 0x30;
        QVERIFY(!m.run("ad", kMmio + 0x30).is_error());
        QCOMPARE(m.regs.gpr[x86::RAX], uint64_t(0x7799));
    }

    void sixteenBitAddressSizeCountsInCx() {
        Machine m;
        FakeDevice vga;
        QVERIFY(!m.hooks.add(0xb8000, 0x8000, MmioHookKind::Full, vga, "vga").is_error());
        m.real16(0xb000);
        m.regs.gpr[x86::RDI] = 0xabcdffff; // DI wraps to 0 after the first element
        m.regs.gpr[x86::RCX] = 0x12340002;
        m.regs.gpr[x86::RAX] = 0x5a;
        QVERIFY2(!m.run("f3 aa", 0xbffff).is_error(), qPrintable(detailOf(m))); // rep stosb
        QCOMPARE(vga.log.size(), 1);
        EXPECT_ACCESS(vga, 0, true, 0x7fff, 1, 0x5a);
        QCOMPARE(m.peek(0xb0000, 1), hex("5a")); // ES:0 is ordinary RAM
        QCOMPARE(m.regs.gpr[x86::RDI], uint64_t(0xabcd0001));
        QCOMPARE(m.regs.gpr[x86::RCX], uint64_t(0x12340000));
        QCOMPARE(m.regs.rip, uint64_t(0x1002));
    }

    void repStopsAfterTheIterationBudget() {
        Machine m;
        m.flat32();
        m.regs.gpr[x86::RDI] = kMmio;
        m.regs.gpr[x86::RCX] = kMaxStringIterationsPerExit + 904;
        QVERIFY(!m.run("f3 aa", kMmio).is_error());
        QCOMPARE(m.device.log.size(), int(kMaxStringIterationsPerExit));
        QVERIFY(!m.outcome.completed);
        QVERIFY(!m.outcome.exception_pending);
        QCOMPARE(m.regs.rip, uint64_t(0x7000)); // re-executed by the guest
        QCOMPARE(m.regs.gpr[x86::RCX], uint64_t(904));
        QCOMPARE(m.regs.gpr[x86::RDI], kMmio + kMaxStringIterationsPerExit);
        // The guest re-executes and faults on the next element.
        QVERIFY(!m.run("f3 aa", kMmio + kMaxStringIterationsPerExit).is_error());
        QVERIFY(m.outcome.completed);
        QCOMPARE(m.device.log.size(), int(kMaxStringIterationsPerExit + 904));
        QCOMPARE(m.regs.gpr[x86::RCX], uint64_t(0));
        QCOMPARE(m.regs.rip, uint64_t(0x7002));
    }

    void repWithZeroCountDoesNothing() {
        Machine m;
        m.flat32();
        m.regs.gpr[x86::RDI] = kMmio;
        m.regs.gpr[x86::RCX] = 0;
        QVERIFY(!m.run("f3 ab", kMmio).is_error());
        QCOMPARE(m.device.log.size(), 0);
        QCOMPARE(m.regs.rip, uint64_t(0x7002));
        QCOMPARE(m.regs.gpr[x86::RDI], kMmio);
    }

    // ---- guest exceptions ----
    void pageFaultPartWayThroughRep() {
        Machine m;
        m.long64();
        m.regs.gpr[x86::RDI] = kMmioLinear64 + kMmioSize - 8; // the last two dwords mapped
        m.regs.gpr[x86::RCX] = 4;
        m.regs.gpr[x86::RAX] = 0xfeedface;
        QVERIFY(!m.run("f3 ab", kMmio + kMmioSize - 8).is_error());
        QCOMPARE(m.device.log.size(), 2);
        QVERIFY(m.outcome.exception_pending);
        QVERIFY(!m.outcome.completed);
        QCOMPARE(int(m.outcome.exception.vector), 14);
        QVERIFY(m.outcome.exception.has_error_code);
        QCOMPARE(m.outcome.exception.error_code, kPfWrite); // not present, supervisor write
        QCOMPARE(m.outcome.exception.cr2, kMmioLinear64 + kMmioSize);
        QCOMPARE(m.regs.gpr[x86::RCX], uint64_t(2));
        QCOMPARE(m.regs.gpr[x86::RDI], kMmioLinear64 + kMmioSize);
        QCOMPARE(m.regs.rip, uint64_t(0x400000));
    }

    void writeToReadOnlyPageFaults() {
        Machine m;
        GuestPageTables t = m.long64();
        t.modify(kMmioLinear64, 3, 0, kRw);
        m.regs.gpr[x86::RAX] = kMmioLinear64;
        m.regs.gpr[x86::RCX] = 1;
        QVERIFY(!m.run("89 08", kMmio).is_error());
        QVERIFY(m.outcome.exception_pending);
        QCOMPARE(m.outcome.exception.error_code, kPfWrite | kPfPresent);
        QCOMPARE(m.device.log.size(), 0);
        // A read-modify-write checks write access before reading.
        QVERIFY(!m.run("83 08 01", kMmio).is_error());
        QVERIFY(m.outcome.exception_pending);
        QCOMPARE(m.device.log.size(), 0);
        // Reads are fine.
        QVERIFY(!m.run("8b 08", kMmio).is_error());
        QVERIFY(!m.outcome.exception_pending);
        QCOMPARE(m.device.log.size(), 1);
        // Without an outcome to carry the exception, it is an error.
        auto b = hex("89 08");
        auto r = emulate_mmio(m.regs, *m.memory, m.hooks, kMmio,
                              reinterpret_cast<const u8*>(b.constData()), usize(b.size()));
        QVERIFY(r.is_error());
        QVERIFY(QString(r.error().message).contains("no outcome"));
    }

    void segmentViolationsRaiseGpAndSs() {
        Machine m;
        m.flat32();
        m.regs.segments[x86::DS].limit = 0xfff;
        m.regs.gpr[x86::RAX] = kMmio;
        QVERIFY(!m.run("8b 00", kMmio).is_error());
        QVERIFY(m.outcome.exception_pending);
        QCOMPARE(int(m.outcome.exception.vector), 13);
        QCOMPARE(m.outcome.exception.error_code, 0u);
        QCOMPARE(m.regs.rip, uint64_t(0x7000));
        m.regs.segments[x86::SS].limit = 0xfff;
        m.regs.gpr[x86::RBP] = kMmio;
        QVERIFY(!m.run("8b 45 00", kMmio).is_error()); // mov eax,[ebp+0]
        QCOMPARE(int(m.outcome.exception.vector), 12);
        QCOMPARE(m.device.log.size(), 0);
    }

    // ---- fetching the instruction ----
    void fetchesTheInstructionAtCsRip() {
        Machine m;
        m.flat32();
        m.regs.segments[x86::CS].base = 0x1000;      // CS:0x7000 = linear 0x8000
        m.poke(0x8000, hex("c7 40 08 78 56 34 12")); // mov dword [eax+8],0x12345678
        m.regs.gpr[x86::RAX] = kMmio;
        QVERIFY2(!m.run_fetched(kMmio + 8).is_error(), qPrintable(detailOf(m)));
        EXPECT_ACCESS(m.device, 0, true, 8, 4, 0x12345678);
        QCOMPARE(m.regs.rip, uint64_t(0x7007));
        QVERIFY(m.outcome.decoded);
        QCOMPARE(int(m.outcome.instruction.length), 7);
    }

    void fetchesAcrossPagesAndFaultsOnAMissingOne() {
        Machine m;
        GuestPageTables t = m.long64();
        t.map(0x10000000, 0x600000, kKb4); // code page 1
        t.map(0x10001000, 0x900000, kKb4); // code page 2, not adjacent
        m.poke(0x600ffd, hex("c7 40 08"));
        m.poke(0x900000, hex("ef be ad de"));
        m.regs.rip = 0x10000ffd;
        m.regs.gpr[x86::RAX] = kMmioLinear64;
        QVERIFY2(!m.run_fetched(kMmio + 8).is_error(), qPrintable(detailOf(m)));
        EXPECT_ACCESS(m.device, 0, true, 8, 4, 0xdeadbeef);
        QCOMPARE(m.regs.rip, uint64_t(0x10001004));

        // The second page not present: #PF on the fetch, with I/D (NX on).
        t.modify(0x10001000, 3, 0, kP);
        m.regs.rip = 0x10000ffd;
        QVERIFY(!m.run_fetched(kMmio + 8).is_error());
        QVERIFY(m.outcome.exception_pending);
        QCOMPARE(int(m.outcome.exception.vector), 14);
        QCOMPARE(m.outcome.exception.error_code, kPfInstruction);
        QCOMPARE(m.outcome.exception.cr2, uint64_t(0x10001000));
        QCOMPARE(m.regs.rip, uint64_t(0x10000ffd));

        // An instruction that ends on the first page does not need the second.
        m.poke(0x600ffe, hex("89 08")); // mov [rax],ecx
        m.regs.rip = 0x10000ffe;
        QVERIFY2(!m.run_fetched(kMmio).is_error(), qPrintable(detailOf(m)));
        QVERIFY(!m.outcome.exception_pending);
        QCOMPARE(m.regs.rip, uint64_t(0x10001000));
    }

    // ---- VMM errors ----
    void mismatchedGpaIsAnError() {
        Machine m;
        m.flat32();
        m.regs.gpr[x86::RAX] = kMmio + 0x10;
        m.regs.rip = 0x7000;
        auto r = m.run("89 08", 0xfec00000);
        QVERIFY(r.is_error());
        QCOMPARE(int(r.error().code), int(Errno::Inval));
        QVERIFY(QString(r.error().message).contains("does not resolve to the faulting"));
        QString d = detailOf(m);
        QVERIFY2(d.contains("(bytes: 89 08)"), qPrintable(d));
        QVERIFY2(d.contains("rip 0x7000"), qPrintable(d));
        QVERIFY2(d.contains("faulting gpa 0xfec00000"), qPrintable(d));
        QVERIFY2(d.contains("operand is at gpa 0xfeb00010"), qPrintable(d));
        QCOMPARE(m.device.log.size(), 0);
        QCOMPARE(m.regs.rip, uint64_t(0x7000));
    }

    void unsupportedInstructionIsAnError() {
        Machine m;
        m.flat32();
        x86::Registers before = m.regs;
        auto r = m.run("0f 0b", kMmio);
        QVERIFY(r.is_error());
        QCOMPARE(int(r.error().code), int(Errno::NotSup));
        QCOMPARE(detailOf(m),
                 QString("unsupported instruction (bytes: 0f 0b) at rip 0x7000, faulting gpa "
                         "0xfeb00000"));
        QVERIFY(!m.outcome.decoded);
        QCOMPARE(m.regs.rip, before.rip);
        QCOMPARE(m.device.log.size(), 0);

        r = m.run("f7 20", kMmio); // mul dword [eax]
        QVERIFY(r.is_error());
        QVERIFY(detailOf(m).startsWith("unsupported instruction (bytes: f7 20)"));
    }

    void deviceErrorsPropagate() {
        Machine m;
        m.flat32();
        m.device.refuse = true;
        m.regs.gpr[x86::RAX] = kMmio;
        auto r = m.run("8b 00", kMmio);
        QVERIFY(r.is_error());
        QCOMPARE(QString(r.error().message), QString("the fake device refuses the access"));
        QVERIFY(detailOf(m).startsWith("the fake device refuses the access (bytes: 8b 00)"));
        QCOMPARE(m.regs.rip, uint64_t(0x7000));
    }

    void writeOnlyHookReadsRam() {
        Machine m;
        FakeDevice framebuffer;
        QVERIFY(
            !m.hooks.add(0xa00000, 0x1000, MmioHookKind::WriteOnly, framebuffer, "fb").is_error());
        m.flat32();
        m.poke(0xa00010, hex("40 00 00 00"));
        m.regs.gpr[x86::RAX] = 0xa00010;
        QVERIFY(!m.run("83 08 01", 0xa00010).is_error()); // or dword [eax],1
        QCOMPARE(framebuffer.log.size(), 1);
        EXPECT_ACCESS(framebuffer, 0, true, 0x10, 4, 0x41);
    }

    void accessStraddlingAHookEdgeIsAnError() {
        Machine m;
        FakeDevice small, tiny;
        QVERIFY(!m.hooks.add(0xa00000, 0x10, MmioHookKind::Full, small, "small").is_error());
        QVERIFY(!m.hooks.add(0xa00102, 2, MmioHookKind::Full, tiny, "tiny").is_error());
        m.flat32();
        m.regs.gpr[x86::RAX] = 0xa0000e; // 2 bytes in the hook, 2 in RAM
        auto r = m.run("89 08", 0xa0000e);
        QVERIFY(r.is_error());
        QVERIFY(detailOf(m).startsWith("the access straddles the edge of a hooked region"));
        m.poke(0xa00100, hex("11 22 33 44"));
        m.regs.gpr[x86::RAX] = 0xa00100;
        r = m.run("c7 00 00 00 00 00", 0xa00102); // mov dword [eax],0 covers the tiny hook
        QVERIFY(r.is_error());
        QVERIFY(detailOf(m).startsWith("the access straddles the edge of a hooked region"));
        QCOMPARE(small.log.size() + tiny.log.size(), 0);
        QCOMPARE(m.peek(0xa00100, 4), hex("11 22 33 44")); // RAM under it untouched
    }

    void resumeFlagIsClearedOnCompletion() {
        Machine m;
        m.flat32();
        m.regs.rflags |= uint64_t(1) << 16; // RF
        m.regs.gpr[x86::RAX] = kMmio;
        QVERIFY(!m.run("89 08", kMmio).is_error());
        QVERIFY(!(m.regs.rflags & (uint64_t(1) << 16)));
    }
};

QTEST_APPLESS_MAIN(TestX86Emulator)
#include "tst_x86_emulator.moc"
