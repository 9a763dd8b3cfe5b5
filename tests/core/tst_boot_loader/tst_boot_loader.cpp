// The Linux boot protocol loader (boot/linux_boot.h) and the shared boot
// file check (config/boot_files.h): a synthetic bzImage with the setup
// header fields a real one has, placed in a hosted VM's memory.
#include "boot/linux_boot.h"
#include "config/boot_files.h"
#include "config/little_endian.h"
#include "mem/guest_memory.h"
#include "vm_harness.h"

#include <QtTest>

using namespace v3;

namespace {

constexpr u64 kMiB = 1 << 20;

struct FakeKernel {
    u16 protocol = 0x020f;
    u8 setup_sects = 4;
    bool relocatable = true;
    u32 alignment = 0x200000;
    u32 initrd_addr_max = 0x7fffffff;
    u32 cmdline_size = 2047;
    u32 init_size = 40 * kMiB;
    u64 payload = 8 * kMiB;

    QByteArray bytes() const {
        QByteArray k(int((setup_sects + 1) * 512 + payload), '\0');
        u8* p = reinterpret_cast<u8*>(k.data());
        p[0x1f1] = setup_sects;
        p[0x1fe] = 0x55;
        p[0x1ff] = 0xaa;
        p[0x201] = 0x6a; // header ends at 0x26c
        config::store_le32(p + 0x202, 0x53726448);
        p[0x206] = u8(protocol);
        p[0x207] = u8(protocol >> 8);
        p[0x211] = 0x01; // LOADED_HIGH
        config::store_le32(p + 0x214, 0x100000);
        config::store_le32(p + 0x22c, initrd_addr_max);
        config::store_le32(p + 0x230, alignment);
        p[0x234] = relocatable;
        p[0x236] = 0x03; // XLF_KERNEL_64 | XLF_CAN_BE_LOADED_ABOVE_4G
        config::store_le32(p + 0x238, cmdline_size);
        config::store_le64(p + 0x258, 0x1000000);
        config::store_le32(p + 0x260, init_size);
        p[(setup_sects + 1) * 512] = 0xfc; // cld: the first byte of startup_32
        return k;
    }
};

const u8* data(const QByteArray& b) {
    return reinterpret_cast<const u8*>(b.constData());
}

QString planError(const QByteArray& kernel, u64 initrd, StringView cmdline, u64 ram) {
    config::Diagnostic diag;
    auto plan = boot::plan_linux_boot(data(kernel), u64(kernel.size()), initrd, cmdline, ram, diag);
    return plan.is_error() ? QString(diag.message) : QString();
}

} // namespace

class TestBootLoader : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() { testvm::install_host(); }

    void plansKernelAt16MiBAndInitrdHigh() {
        QByteArray k = FakeKernel().bytes();
        config::Diagnostic diag;
        auto plan = boot::plan_linux_boot(data(k), u64(k.size()), 3 * kMiB + 5, "console=ttyS0",
                                          256 * kMiB, diag);
        QVERIFY2(!plan.is_error(), diag.message);
        const boot::LinuxBootPlan& p = plan.value();
        QCOMPARE(p.kernel_address, u64(16 * kMiB));
        QCOMPARE(p.kernel_offset, u64(5 * 512));
        QCOMPARE(p.kernel_size, u64(8 * kMiB));
        QCOMPARE(p.header.protocol, u16(0x020f));
        // As high as it fits, page aligned, past the kernel's init_size.
        QCOMPARE(p.initrd_address % 4096, u64(0));
        QVERIFY(p.initrd_address + p.initrd_size <= 256 * kMiB);
        QVERIFY(p.initrd_address + p.initrd_size > 256 * kMiB - 4096);
        QVERIFY(p.initrd_address >= 16 * kMiB + 40 * kMiB);
    }

    void initrdStaysUnderInitrdAddrMax() {
        FakeKernel f;
        f.initrd_addr_max = 128 * kMiB - 1;
        QByteArray k = f.bytes();
        config::Diagnostic diag;
        auto plan = boot::plan_linux_boot(data(k), u64(k.size()), kMiB, "", 512 * kMiB, diag);
        QVERIFY2(!plan.is_error(), diag.message);
        QCOMPARE(plan.value().initrd_address, u64(127 * kMiB));
    }

    void nonRelocatableKernelGoesToItsPreferredAddress() {
        FakeKernel f;
        f.relocatable = false;
        QByteArray k = f.bytes();
        config::Diagnostic diag;
        auto plan = boot::plan_linux_boot(data(k), u64(k.size()), 0, "", 256 * kMiB, diag);
        QVERIFY2(!plan.is_error(), diag.message);
        QCOMPARE(plan.value().kernel_address, u64(0x1000000));
        QCOMPARE(plan.value().initrd_address, u64(0));
    }

    void refusesWhatCannotBoot() {
        QByteArray good = FakeKernel().bytes();
        QByteArray elf = good;
        elf[0x202] = 'X';
        QVERIFY(planError(elf, 0, "", 256 * kMiB).contains("not a Linux bzImage"));
        QVERIFY(planError(good.left(100), 0, "", 256 * kMiB).contains("too small"));
        FakeKernel old;
        old.protocol = 0x0204;
        QVERIFY(planError(old.bytes(), 0, "", 256 * kMiB).contains("protocol 2.04"));
        QString small = planError(good, 0, "", 32 * kMiB);
        QVERIFY2(small.contains("raise <memory>"), qPrintable(small));
        QString initrd = planError(good, 300 * kMiB, "", 256 * kMiB);
        QVERIFY2(initrd.contains("the initrd (300 MiB) does not fit"), qPrintable(initrd));
        FakeKernel shortCmdline;
        shortCmdline.cmdline_size = 10;
        QString cmdline = planError(shortCmdline.bytes(), 0, "console=ttyS0 quiet", 256 * kMiB);
        QVERIFY2(cmdline.contains("at most 10"), qPrintable(cmdline));
        FakeKernel badAlignment;
        badAlignment.alignment = 0x300000;
        QVERIFY(planError(badAlignment.bytes(), 0, "", 256 * kMiB).contains("power of two"));
    }

    void e820MatchesTheMemoryLayout() {
        boot::E820Entry map[boot::kMaxE820Entries];
        usize n = boot::build_e820_map(256 * kMiB, map);
        QCOMPARE(n, usize(4));
        QCOMPARE(map[0].address, u64(0));
        QCOMPARE(map[0].size, u64(0x9fc00));
        QCOMPARE(map[0].type, 1u);
        QCOMPARE(map[2].address, u64(0xf0000));
        QCOMPARE(map[2].type, 2u);
        QCOMPARE(map[3].address, u64(kMiB));
        QCOMPARE(map[3].size, u64(255 * kMiB));
        // Above ~3 GiB: the device window is not RAM, the rest is above 4 GiB.
        n = boot::build_e820_map(u64(5) << 30, map);
        QCOMPARE(n, usize(5));
        QCOMPARE(map[3].address + map[3].size, u64(0xc0000000));
        QCOMPARE(map[4].address, u64(1) << 32);
        QCOMPARE(map[4].size, u64(1) << 30);
    }

    void loadWritesKernelInitrdCmdlineAndZeroPage() {
        QByteArray k = FakeKernel().bytes();
        QByteArray initrd(4096 * 3, 'I');
        config::Diagnostic diag;
        auto plan = boot::plan_linux_boot(data(k), u64(k.size()), u64(initrd.size()),
                                          "console=ttyS0", 128 * kMiB, diag);
        QVERIFY2(!plan.is_error(), diag.message);
        auto memory = GuestMemory::try_create(128 * kMiB);
        QVERIFY(!memory.is_error());
        GuestMemory& mem = *memory.value();
        QVERIFY(!boot::load_linux(mem, plan.value(), data(k), data(initrd), "console=ttyS0")
                     .is_error());
        u8 byte = 0;
        QVERIFY(!mem.read(16 * kMiB, &byte, 1).is_error());
        QCOMPARE(byte, u8(0xfc));
        char cmdline[16] = {};
        QVERIFY(!mem.read(boot::kCmdlineAddress, cmdline, 14).is_error());
        QCOMPARE(QByteArray(cmdline), QByteArray("console=ttyS0"));
        const u8* zp = mem.host_pointer(boot::kBootParamsAddress, 4096);
        QVERIFY(zp);
        QCOMPARE(config::load_le32(zp + 0x202), 0x53726448u); // header copied
        QCOMPARE(zp[0x210], u8(0xff));                        // type_of_loader
        QCOMPARE(config::load_le32(zp + 0x228), u32(boot::kCmdlineAddress));
        QCOMPARE(config::load_le32(zp + 0x218), u32(plan.value().initrd_address));
        QCOMPARE(config::load_le32(zp + 0x21c), u32(initrd.size()));
        QCOMPARE(zp[0x1e8], u8(4)); // e820 entries
        QCOMPARE(config::load_le64(zp + 0x2d0 + 3 * 20), u64(kMiB));
        QCOMPARE(config::load_le64(zp + 0x2d0 + 3 * 20 + 8), u64(127 * kMiB));
        QVERIFY(!mem.read(plan.value().initrd_address, &byte, 1).is_error());
        QCOMPARE(byte, u8('I'));
        // The boot GDT: flat code at 0x10, flat data at 0x18.
        u8 gdt[32];
        QVERIFY(!mem.read(boot::kBootGdtAddress, gdt, 32).is_error());
        QCOMPARE(config::load_le64(gdt + 0x10), 0x00cf9a000000ffffULL);
        QCOMPARE(config::load_le64(gdt + 0x18), 0x00cf92000000ffffULL);
    }

    void bootFileCombinationsAreChecked() {
        auto check = [](const config::BootFiles& files) {
            config::VmConfig c;
            c.memory_bytes = 256 * kMiB;
            config::Diagnostic diag;
            return config::check_boot_files(c, files, config::Bootable::Required, diag).is_error()
                       ? QString(diag.message)
                       : QString();
        };
        static const u8 rom[16] = {};
        QByteArray k = FakeKernel().bytes();
        config::BootFiles none;
        QVERIFY(check(none).contains("nothing to boot"));
        config::VmConfig c;
        config::Diagnostic diag;
        QVERIFY(!config::check_boot_files(c, none, config::Bootable::Optional, diag).is_error());
        config::BootFiles bios;
        bios.bios = {rom, sizeof rom};
        QCOMPARE(check(bios), QString());
        config::BootFiles kernel;
        kernel.kernel = {data(k), u64(k.size())};
        QCOMPARE(check(kernel), QString()); // no bios needed
        config::BootFiles both = kernel;
        both.bios = bios.bios;
        QVERIFY(check(both).contains("both a 'bios' and a 'kernel'"));
        config::BootFiles orphan;
        orphan.initrd = {rom, sizeof rom};
        QVERIFY(check(orphan).contains("no 'kernel'"));
    }
};

QTEST_GUILESS_MAIN(TestBootLoader)
#include "tst_boot_loader.moc"
