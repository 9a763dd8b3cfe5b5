// CRC-32 as used by zlib, PNG and Ethernet (reflected polynomial 0xEDB88320,
// initial value and final XOR 0xFFFFFFFF), so an image's checksums can be
// cross-checked with any standard tool (`crc32`, Python's zlib.crc32).
#pragma once

#include "lib/types.h"

namespace v3::config {

// Checksum of `size` bytes.
u32 crc32(const u8* data, u64 size);

// Incremental form: crc32_update(crc32_update(0, a), b) == crc32(a ++ b).
u32 crc32_update(u32 crc, const u8* data, u64 size);

} // namespace v3::config
