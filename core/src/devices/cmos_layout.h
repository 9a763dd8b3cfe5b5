// What the PC BIOS expects in the CMOS RAM behind the MC146818 clock: the
// memory-size fields (IBM AT bytes plus the ones Bochs, QEMU and SeaBIOS
// added), the equipment byte, drive types, the boot order and the checksum.
// The NVRAM device fills these once when the VM is built; afterwards they
// are ordinary RAM the guest may rewrite.
#pragma once

#include "lib/string_view.h"
#include "lib/types.h"

namespace v3::devices::cmos {

inline constexpr usize kSize = 128;

// Offsets in CMOS RAM.
inline constexpr u8 kShutdownStatus = 0x0F;
inline constexpr u8 kFloppyTypes = 0x10;   // high nibble drive A, low nibble drive B; 0 = none
inline constexpr u8 kHardDiskTypes = 0x12; // 0 = none (IDE disks describe themselves)
inline constexpr u8 kEquipment = 0x14;
inline constexpr u8 kBaseMemoryLow = 0x15; // KB below 640 KB
inline constexpr u8 kBaseMemoryHigh = 0x16;
inline constexpr u8 kExtendedMemoryLow = 0x17; // KB above 1 MB, at most 0xFFFF
inline constexpr u8 kExtendedMemoryHigh = 0x18;
inline constexpr u8 kChecksumFirst = 0x10; // the checksum covers 0x10-0x2D
inline constexpr u8 kChecksumLast = 0x2D;
inline constexpr u8 kChecksumHigh = 0x2E;
inline constexpr u8 kChecksumLow = 0x2F;
inline constexpr u8 kExtendedMemory2Low = 0x30; // copy of 0x17/0x18 (POST's measured value)
inline constexpr u8 kExtendedMemory2High = 0x31;
inline constexpr u8 kCentury = 0x32;
inline constexpr u8 kMemoryAbove16MLow = 0x34; // 64 KB units from 16 MB up to the PCI hole
inline constexpr u8 kMemoryAbove16MHigh = 0x35;
inline constexpr u8 kBootFlag1 = 0x38;        // SeaBIOS: third boot device in bits 7-4
inline constexpr u8 kBootFlag2 = 0x3D;        // SeaBIOS: first (bits 3-0), second (bits 7-4)
inline constexpr u8 kMemoryAbove4GLow = 0x5B; // 64 KB units above 4 GB, 24 bits
inline constexpr u8 kMemoryAbove4GMid = 0x5C;
inline constexpr u8 kMemoryAbove4GHigh = 0x5D;
inline constexpr u8 kCpuCount = 0x5F; // SeaBIOS: number of CPUs minus one

// Guest RAM is one block from address 0. The BIOS is told about RAM up to
// kLowRamLimit (3.5 GB) below 4 GB: the space above it is where PCI windows,
// the APICs and the BIOS ROM live, so RAM behind it is left unreported (the
// guest never uses it). RAM at and above 4 GB is reported in 0x5B-0x5D.
inline constexpr u64 kLowRamLimit = 0xE0000000ull;

// Writes 0x15-0x18, 0x30/0x31, 0x34/0x35 and 0x5B-0x5D for `ram_bytes`
// of guest RAM (little-endian, each field capped at its width).
void write_memory_size(u8* cmos, u64 ram_bytes);

// Sum of bytes 0x10-0x2D, as the AT BIOS checks it.
u16 checksum(const u8* cmos);
// Stores checksum(cmos) at 0x2E (high byte) and 0x2F (low byte).
void write_checksum(u8* cmos);

// Display type in bits 5-4 of the equipment byte.
enum class Display : u8 { Vga = 0, Cga40 = 1, Cga80 = 2, Monochrome = 3 };
// "vga", "cga40", "cga80" or "mono"; false otherwise.
bool parse_display(StringView text, Display& display);
// The equipment byte: math coprocessor present, no floppy drives, `display`.
u8 equipment_byte(Display display);

// Boot devices in SeaBIOS' CMOS numbering.
enum class BootDevice : u8 { None = 0, Floppy = 1, HardDisk = 2, CdRom = 3, Network = 4 };
inline constexpr usize kMaxBootDevices = 3;
struct BootOrder {
    BootDevice devices[kMaxBootDevices] = {BootDevice::CdRom, BootDevice::HardDisk,
                                           BootDevice::None};
};
// Parses a comma-separated list of up to three distinct devices, each one
// of "fd" (floppy), "hd", "cd" or "net" (spaces around names allowed).
// Returns nullptr on success, otherwise what is wrong (a static message).
const char* parse_boot_order(StringView text, BootOrder& order);
// 0x3D = first | second << 4; 0x38 = third << 4 (bit 0 of 0x38, "skip the
// floppy boot-signature check", stays clear).
void write_boot_order(u8* cmos, const BootOrder& order);

} // namespace v3::devices::cmos
