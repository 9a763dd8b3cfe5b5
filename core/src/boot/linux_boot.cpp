#include "boot/linux_boot.h"

#include "config/little_endian.h"
#include "mem/guest_memory.h"

namespace v3::boot {

namespace {

using config::load_le32;
using config::load_le64;
using config::store_le32;
using config::store_le64;

constexpr u64 kMiB = u64(1) << 20;
constexpr u64 kPage = 4096;

// Setup header fields (offsets in the file and in the zero page alike).
constexpr u64 kSetupSects = 0x1f1;
constexpr u64 kBootFlag = 0x1fe;
constexpr u64 kJumpLength = 0x201; // the header ends at 0x202 + this byte
constexpr u64 kHeaderMagic = 0x202;
constexpr u64 kVersion = 0x206;
constexpr u64 kTypeOfLoader = 0x210;
constexpr u64 kLoadflags = 0x211;
constexpr u64 kCode32Start = 0x214;
constexpr u64 kRamdiskImage = 0x218;
constexpr u64 kRamdiskSize = 0x21c;
constexpr u64 kCmdLinePtr = 0x228;
constexpr u64 kInitrdAddrMax = 0x22c;
constexpr u64 kKernelAlignment = 0x230;
constexpr u64 kRelocatableKernel = 0x234;
constexpr u64 kXloadflags = 0x236;
constexpr u64 kCmdlineSize = 0x238;
constexpr u64 kPrefAddress = 0x258;
constexpr u64 kInitSize = 0x260;
constexpr u64 kFieldsEnd = 0x268; // through init_size

// Zero page fields outside the setup header.
constexpr u64 kExtRamdiskImage = 0x0c0;
constexpr u64 kExtRamdiskSize = 0x0c4;
constexpr u64 kExtCmdLinePtr = 0x0c8;
constexpr u64 kE820Entries = 0x1e8;
constexpr u64 kE820Table = 0x2d0;
constexpr u64 kE820EntrySize = 20;

constexpr u32 kHdrS = 0x53726448; // "HdrS"
constexpr u16 kMinimumProtocol = 0x0206;
constexpr u8 kLoadedHigh = 0x01;
constexpr u8 kTypeUndefinedLoader = 0xff;
constexpr u32 kE820Ram = 1;
constexpr u32 kE820Reserved = 2;

// The lowest 640 KiB minus a 1 KiB extended BIOS data area, as on a PC.
constexpr u64 kConventionalTop = 0x9fc00;
constexpr u64 kBiosAreaStart = 0xf0000;
constexpr u64 kOneMiB = 0x100000;

u16 load_le16(const u8* p) {
    return u16(p[0] | (p[1] << 8));
}

u64 align_up(u64 value, u64 alignment) {
    return (value + alignment - 1) & ~(alignment - 1);
}

unsigned long long mib_rounded_up(u64 bytes) {
    return (unsigned long long)((bytes + kMiB - 1) / kMiB);
}

// The top of RAM the 32-bit protocol fields can reach without the device
// window: where the kernel and the initrd must end.
u64 low_ram_top(u64 ram_bytes) {
    return ram_bytes < kDeviceWindowStart ? ram_bytes : kDeviceWindowStart;
}

} // namespace

usize build_e820_map(u64 ram_bytes, E820Entry (&entries)[kMaxE820Entries]) {
    usize n = 0;
    entries[n++] = {0, kConventionalTop, kE820Ram};
    entries[n++] = {kConventionalTop, 0xa0000 - kConventionalTop, kE820Reserved};
    entries[n++] = {kBiosAreaStart, kOneMiB - kBiosAreaStart, kE820Reserved};
    u64 low_top = low_ram_top(ram_bytes);
    if (low_top > kOneMiB)
        entries[n++] = {kOneMiB, low_top - kOneMiB, kE820Ram};
    // Guest RAM is flat; what lies under the device window is not offered,
    // and RAM past 4 GiB is.
    if (ram_bytes > kFourGiB)
        entries[n++] = {kFourGiB, ram_bytes - kFourGiB, kE820Ram};
    return n;
}

Result<SetupHeader> parse_setup_header(const u8* kernel, u64 kernel_size,
                                       config::Diagnostic& diag) {
    const Error not_bzimage{Errno::Inval, "the kernel is not a Linux bzImage"};
    if (!kernel || kernel_size < kFieldsEnd)
        return diag.fail_as(not_bzimage,
                            "the 'kernel' file is %llu bytes, too small for a Linux bzImage "
                            "(its setup header alone ends at byte %llu): give the bzImage, "
                            "e.g. /boot/vmlinuz-*",
                            (unsigned long long)kernel_size, (unsigned long long)kFieldsEnd);
    if (load_le16(kernel + kBootFlag) != 0xaa55 || load_le32(kernel + kHeaderMagic) != kHdrS)
        return diag.fail_as(not_bzimage,
                            "the 'kernel' file is not a Linux bzImage: no boot sector signature "
                            "0xAA55 at offset 0x1fe and setup header 'HdrS' at 0x202 (a vmlinux "
                            "ELF or a bare compressed kernel cannot boot directly; give the "
                            "bzImage, e.g. /boot/vmlinuz-*)");
    SetupHeader h{};
    h.protocol = load_le16(kernel + kVersion);
    if (h.protocol < kMinimumProtocol)
        return diag.fail_as(make_error(Errno::Inval, "the kernel's boot protocol is too old"),
                            "the 'kernel' speaks boot protocol %u.%02u; this loader needs 2.06 "
                            "or newer (Linux 2.6.22 and later): use a newer kernel",
                            unsigned(h.protocol >> 8), unsigned(h.protocol & 0xff));
    h.setup_sects = kernel[kSetupSects] ? kernel[kSetupSects] : 4;
    h.header_end = 0x202 + u64(kernel[kJumpLength]);
    h.loadflags = kernel[kLoadflags];
    h.initrd_addr_max = load_le32(kernel + kInitrdAddrMax);
    h.kernel_alignment = load_le32(kernel + kKernelAlignment);
    h.relocatable = kernel[kRelocatableKernel] != 0;
    h.cmdline_size = load_le32(kernel + kCmdlineSize);
    // Fields of 2.10 (pref_address, init_size) and 2.12 (xloadflags).
    h.xloadflags = h.protocol >= 0x020c ? load_le16(kernel + kXloadflags) : 0;
    h.pref_address = h.protocol >= 0x020a ? load_le64(kernel + kPrefAddress) : kOneMiB;
    u64 protected_size = kernel_size - u64(h.setup_sects + 1) * 512;
    // Before 2.10 the kernel does not say what it needs; decompression in
    // place needs about three times the compressed size.
    h.init_size = h.protocol >= 0x020a ? load_le32(kernel + kInitSize) : u32(protected_size * 3);
    if (u64(h.setup_sects + 1) * 512 >= kernel_size || h.header_end > kernel_size)
        return diag.fail_as(not_bzimage,
                            "the 'kernel' file is truncated: its setup header says %u setup "
                            "sectors, but the file is only %llu bytes",
                            unsigned(h.setup_sects), (unsigned long long)kernel_size);
    if (!(h.loadflags & kLoadedHigh))
        return diag.fail_as(not_bzimage,
                            "the 'kernel' is a zImage (loaded below 1 MiB); only bzImage "
                            "kernels (LOADED_HIGH) are supported");
    if (h.relocatable &&
        (h.kernel_alignment == 0 || (h.kernel_alignment & (h.kernel_alignment - 1))))
        return diag.fail_as(not_bzimage,
                            "the 'kernel' setup header has kernel_alignment 0x%x, not a power "
                            "of two: the file is damaged",
                            h.kernel_alignment);
    return h;
}

Result<LinuxBootPlan> plan_linux_boot(const u8* kernel, u64 kernel_size, u64 initrd_size,
                                      StringView cmdline, u64 ram_bytes, config::Diagnostic& diag) {
    const Error too_small{Errno::Inval, "the VM's memory is too small for this kernel"};
    LinuxBootPlan plan{};
    plan.header = TRY(parse_setup_header(kernel, kernel_size, diag));
    const SetupHeader& h = plan.header;
    plan.kernel_offset = u64(h.setup_sects + 1) * 512;
    plan.kernel_size = kernel_size - plan.kernel_offset;
    if (h.relocatable)
        plan.kernel_address = align_up(kDefaultKernelAddress, h.kernel_alignment);
    else
        plan.kernel_address = h.pref_address < kOneMiB ? kOneMiB : h.pref_address;
    u64 needed = h.init_size > plan.kernel_size ? h.init_size : plan.kernel_size;
    u64 kernel_end = align_up(plan.kernel_address + needed, kPage);
    u64 top = low_ram_top(ram_bytes);
    if (kernel_end > top)
        return diag.fail_as(
            too_small,
            "the kernel needs %llu MiB from its load address at %llu MiB "
            "(init_size), more than the VM's %llu MiB of memory: raise <memory> "
            "to at least %llu",
            mib_rounded_up(needed), (unsigned long long)(plan.kernel_address / kMiB),
            (unsigned long long)(ram_bytes / kMiB), mib_rounded_up(kernel_end) + 16);

    if (cmdline.length() > h.cmdline_size || cmdline.length() + 1 > kCmdlineRoom)
        return diag.fail_as(
            make_error(Errno::Inval, "the kernel command line is too long"),
            "the kernel command line is %zu characters; this kernel accepts at "
            "most %u: shorten <cmdline>",
            cmdline.length(),
            unsigned(h.cmdline_size < kCmdlineRoom - 1 ? h.cmdline_size : kCmdlineRoom - 1));
    plan.cmdline_address = kCmdlineAddress;
    plan.cmdline_length = cmdline.length();
    plan.boot_params_address = kBootParamsAddress;

    plan.initrd_size = initrd_size;
    if (initrd_size) {
        // As high as the kernel allows (initrd_addr_max is the last byte it
        // may occupy), so decompression below it has the most room.
        u64 limit = u64(h.initrd_addr_max) + 1;
        u64 initrd_top = top < limit ? top : limit;
        if (initrd_size > initrd_top || ((initrd_top - initrd_size) & ~(kPage - 1)) < kernel_end)
            return diag.fail_as(too_small,
                                "the initrd (%llu MiB) does not fit between the end of the "
                                "kernel (%llu MiB) and the highest address it may occupy (%llu "
                                "MiB, the smaller of the VM's memory and the kernel's "
                                "initrd_addr_max): raise <memory> to at least %llu",
                                mib_rounded_up(initrd_size), mib_rounded_up(kernel_end),
                                (unsigned long long)(initrd_top / kMiB),
                                mib_rounded_up(kernel_end + initrd_size) + 16);
        plan.initrd_address = (initrd_top - initrd_size) & ~(kPage - 1);
    }
    return plan;
}

Result<void> load_linux(GuestMemory& memory, const LinuxBootPlan& plan, const u8* kernel,
                        const u8* initrd, StringView cmdline) {
    TRY(memory.write(plan.kernel_address, kernel + plan.kernel_offset, plan.kernel_size));
    if (plan.initrd_size)
        TRY(memory.write(plan.initrd_address, initrd, plan.initrd_size));
    TRY(memory.write(plan.cmdline_address, cmdline.data(), cmdline.length()));
    const u8 nul = 0;
    TRY(memory.write(plan.cmdline_address + cmdline.length(), &nul, 1));

    // Null, null, then the 4 GiB flat code and data segments at 0x10, 0x18.
    u8 gdt[32] = {};
    store_le64(gdt + kBootCodeSelector, 0x00cf9a000000ffffULL);
    store_le64(gdt + kBootDataSelector, 0x00cf92000000ffffULL);
    TRY(memory.write(kBootGdtAddress, gdt, sizeof gdt));

    // Built in place: a 4 KiB array would be too much for a kernel stack.
    constexpr u64 kParamsSize = 4096;
    u8* params = memory.host_pointer(plan.boot_params_address, kParamsSize);
    if (!params)
        return make_error(Errno::Fault, "the zero page is not in guest RAM");
    for (u64 i = 0; i < kParamsSize; ++i)
        params[i] = 0;
    // The setup header as the kernel file has it, then what the loader fills.
    for (u64 i = kSetupSects; i < plan.header.header_end && i < kParamsSize; ++i)
        params[i] = kernel[i];
    params[kTypeOfLoader] = kTypeUndefinedLoader;
    store_le32(params + kCode32Start, u32(plan.kernel_address));
    store_le32(params + kRamdiskImage, u32(plan.initrd_address));
    store_le32(params + kRamdiskSize, u32(plan.initrd_size));
    store_le32(params + kExtRamdiskImage, u32(plan.initrd_address >> 32));
    store_le32(params + kExtRamdiskSize, u32(plan.initrd_size >> 32));
    store_le32(params + kCmdLinePtr, u32(plan.cmdline_address));
    store_le32(params + kExtCmdLinePtr, 0);
    E820Entry map[kMaxE820Entries];
    usize n = build_e820_map(memory.ram_bytes(), map);
    params[kE820Entries] = u8(n);
    for (usize i = 0; i < n; ++i) {
        u8* e = params + kE820Table + i * kE820EntrySize;
        store_le64(e, map[i].address);
        store_le64(e + 8, map[i].size);
        store_le32(e + 16, map[i].type);
    }
    return {};
}

} // namespace v3::boot
