// The Linux/x86 boot protocol (Documentation/arch/x86/boot.rst), direct
// boot without firmware: the bzImage's protected-mode kernel is copied to
// its load address, the initrd high in RAM, the command line and a zero page
// (struct boot_params) with an e820 map of the VM's real layout are written
// low, and core 0 starts at the 32-bit protected-mode entry with flat
// segments, paging off and ESI pointing at the zero page.
//
// plan_linux_boot only checks and computes addresses (build_vm and
// v3_create_vm call it through config::check_boot_files, so both refuse the
// same images with the same words); load_linux writes guest memory.
#pragma once

#include "config/diagnostic.h"
#include "lib/result.h"
#include "lib/string_view.h"
#include "lib/types.h"

namespace v3 {
class GuestMemory;
}

namespace v3::boot {

// Fixed guest-physical places below 1 MiB (none is used by the kernel's
// own early code, which runs at 16 MiB and above).
inline constexpr u64 kBootGdtAddress = 0x6000;
inline constexpr u64 kBootParamsAddress = 0x7000; // 4 KiB zero page
inline constexpr u64 kCmdlineAddress = 0x20000;
inline constexpr u64 kCmdlineRoom = 0x10000; // up to 0x30000
// The 64-bit kernel's preferred physical load address (LOAD_PHYSICAL_ADDR).
inline constexpr u64 kDefaultKernelAddress = 0x1000000;
// Where the PC's device window (LAPIC, IOAPIC, PCI holes) begins; RAM of
// a VM larger than this is reported above 4 GiB only.
inline constexpr u64 kDeviceWindowStart = 0xc0000000;
inline constexpr u64 kFourGiB = u64(1) << 32;

// GDT selectors the 32-bit boot protocol requires (__BOOT_CS, __BOOT_DS).
inline constexpr u16 kBootCodeSelector = 0x10;
inline constexpr u16 kBootDataSelector = 0x18;

// What the setup header says, as far as a 64-bit direct boot needs it.
struct SetupHeader {
    u8 setup_sects;
    u16 protocol; // e.g. 0x020f for 2.15
    u8 loadflags;
    bool relocatable;
    u32 kernel_alignment;
    u32 initrd_addr_max;
    u32 cmdline_size; // longest command line, without the NUL
    u16 xloadflags;
    u64 pref_address;
    u32 init_size;  // bytes the kernel needs from its load address on
    u64 header_end; // offset just past the setup header in the file
};

// Where everything goes.
struct LinuxBootPlan {
    SetupHeader header;
    u64 kernel_offset; // protected-mode kernel's offset in the file
    u64 kernel_size;
    u64 kernel_address; // also the 32-bit entry point
    u64 initrd_address; // 0 without an initrd
    u64 initrd_size;
    u64 cmdline_address;
    u64 cmdline_length;
    u64 boot_params_address;
};

// The e820 map of a VM with ram_bytes of flat RAM: what the zero page says
// and what tests check. Types are the e820 numbers (1 RAM, 2 reserved).
struct E820Entry {
    u64 address;
    u64 size;
    u32 type;
};
inline constexpr usize kMaxE820Entries = 5;
usize build_e820_map(u64 ram_bytes, E820Entry (&entries)[kMaxE820Entries]);

// Reads and checks the setup header. `diag` says what is wrong and what to do.
Result<SetupHeader> parse_setup_header(const u8* kernel, u64 kernel_size, config::Diagnostic& diag);

// Checks everything about a Linux boot of this kernel, initrd size and
// command line in ram_bytes of RAM, and computes the layout.
Result<LinuxBootPlan> plan_linux_boot(const u8* kernel, u64 kernel_size, u64 initrd_size,
                                      StringView cmdline, u64 ram_bytes, config::Diagnostic& diag);

// Writes the kernel, initrd, command line, GDT and zero page into guest RAM.
Result<void> load_linux(GuestMemory& memory, const LinuxBootPlan& plan, const u8* kernel,
                        const u8* initrd, StringView cmdline);

} // namespace v3::boot
