#include "devices/cmos_layout.h"

namespace v3::devices::cmos {

namespace {

constexpr u64 kKiB = 1024;
constexpr u64 kMiB = 1024 * kKiB;
constexpr u64 k4GiB = 4096 * kMiB;

u64 at_most(u64 value, u64 limit) {
    return value < limit ? value : limit;
}

void put16(u8* cmos, u8 low_offset, u8 high_offset, u64 value) {
    cmos[low_offset] = u8(value);
    cmos[high_offset] = u8(value >> 8);
}

bool parse_boot_device(StringView name, BootDevice& device) {
    if (name == "fd")
        device = BootDevice::Floppy;
    else if (name == "hd")
        device = BootDevice::HardDisk;
    else if (name == "cd")
        device = BootDevice::CdRom;
    else if (name == "net")
        device = BootDevice::Network;
    else
        return false;
    return true;
}

} // namespace

void write_memory_size(u8* cmos, u64 ram_bytes) {
    put16(cmos, kBaseMemoryLow, kBaseMemoryHigh, at_most(ram_bytes / kKiB, 640));

    u64 low_ram = at_most(ram_bytes, kLowRamLimit);
    u64 extended_kb = low_ram > kMiB ? at_most((low_ram - kMiB) / kKiB, 0xFFFF) : 0;
    put16(cmos, kExtendedMemoryLow, kExtendedMemoryHigh, extended_kb);
    put16(cmos, kExtendedMemory2Low, kExtendedMemory2High, extended_kb);

    u64 above_16m = low_ram > 16 * kMiB ? at_most((low_ram - 16 * kMiB) / (64 * kKiB), 0xFFFF) : 0;
    put16(cmos, kMemoryAbove16MLow, kMemoryAbove16MHigh, above_16m);

    u64 above_4g = ram_bytes > k4GiB ? at_most((ram_bytes - k4GiB) / (64 * kKiB), 0xFFFFFF) : 0;
    cmos[kMemoryAbove4GLow] = u8(above_4g);
    cmos[kMemoryAbove4GMid] = u8(above_4g >> 8);
    cmos[kMemoryAbove4GHigh] = u8(above_4g >> 16);
}

u16 checksum(const u8* cmos) {
    u16 sum = 0;
    for (unsigned i = kChecksumFirst; i <= kChecksumLast; ++i)
        sum = u16(sum + cmos[i]);
    return sum;
}

void write_checksum(u8* cmos) {
    u16 sum = checksum(cmos);
    cmos[kChecksumHigh] = u8(sum >> 8);
    cmos[kChecksumLow] = u8(sum);
}

bool parse_display(StringView text, Display& display) {
    if (text == "vga")
        display = Display::Vga;
    else if (text == "cga40")
        display = Display::Cga40;
    else if (text == "cga80")
        display = Display::Cga80;
    else if (text == "mono")
        display = Display::Monochrome;
    else
        return false;
    return true;
}

u8 equipment_byte(Display display) {
    constexpr u8 kMathCoprocessor = 1 << 1;
    return u8(kMathCoprocessor | (u8(display) << 4));
}

const char* parse_boot_order(StringView text, BootOrder& order) {
    BootOrder parsed;
    for (BootDevice& d : parsed.devices)
        d = BootDevice::None;
    usize count = 0;
    StringView rest = text;
    for (;;) {
        usize comma = rest.find(',');
        StringView name = rest.substring(0, comma).trimmed();
        if (name.is_empty())
            return "has an empty entry (expected names like \"cd,hd\")";
        if (count == kMaxBootDevices)
            return "names more than 3 boot devices";
        BootDevice device;
        if (!parse_boot_device(name, device))
            return "names an unknown boot device (known: fd, hd, cd, net)";
        for (usize i = 0; i < count; ++i)
            if (parsed.devices[i] == device)
                return "names a boot device twice";
        parsed.devices[count++] = device;
        if (comma == rest.length())
            break;
        rest = rest.substring(comma + 1);
    }
    order = parsed;
    return nullptr;
}

void write_boot_order(u8* cmos, const BootOrder& order) {
    cmos[kBootFlag2] = u8(u8(order.devices[0]) | u8(order.devices[1]) << 4);
    cmos[kBootFlag1] = u8(u8(order.devices[2]) << 4);
}

} // namespace v3::devices::cmos
