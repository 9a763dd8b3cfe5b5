#include "config/crc32.h"

namespace v3::config {

namespace {

struct Crc32Table {
    u32 entries[256];
};

constexpr Crc32Table make_table() {
    Crc32Table table{};
    for (u32 byte = 0; byte < 256; ++byte) {
        u32 value = byte;
        for (int bit = 0; bit < 8; ++bit)
            value = (value & 1) ? (value >> 1) ^ 0xEDB88320u : value >> 1;
        table.entries[byte] = value;
    }
    return table;
}

// Computed by the compiler: constant-initialized, read-only, no constructor.
constexpr Crc32Table kTable = make_table();

} // namespace

u32 crc32_update(u32 crc, const u8* data, u64 size) {
    u32 state = ~crc;
    for (u64 i = 0; i < size; ++i)
        state = kTable.entries[(state ^ data[i]) & 0xFF] ^ (state >> 8);
    return ~state;
}

u32 crc32(const u8* data, u64 size) {
    return crc32_update(0, data, size);
}

} // namespace v3::config
