// Byte-wise little-endian loads and stores: the image is read from any
// offset of a caller's buffer, so nothing may assume alignment or host byte
// order.
#pragma once

#include "lib/types.h"

namespace v3::config {

inline u32 load_le32(const u8* p) {
    return u32(p[0]) | u32(p[1]) << 8 | u32(p[2]) << 16 | u32(p[3]) << 24;
}

inline u64 load_le64(const u8* p) {
    return u64(load_le32(p)) | u64(load_le32(p + 4)) << 32;
}

inline void store_le32(u8* p, u32 value) {
    for (int i = 0; i < 4; ++i)
        p[i] = u8(value >> (8 * i));
}

inline void store_le64(u8* p, u64 value) {
    store_le32(p, u32(value));
    store_le32(p + 4, u32(value >> 32));
}

} // namespace v3::config
