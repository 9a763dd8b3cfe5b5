#include "chkpt/checkpoint_format.h"
#include "config/crc32.h"
#include "config/image.h"

namespace v3::chkpt {

namespace {

// Header field offsets (CHECKPOINT-FORMAT.md).
constexpr u32 kVersionAt = 8;
constexpr u32 kHeaderSizeAt = 12;
constexpr u32 kNumCoresAt = 16;
constexpr u32 kReservedAt = 20;
constexpr u32 kMemoryBytesAt = 24;
constexpr u32 kTotalLengthAt = 32;
constexpr u32 kImageHeaderCrcAt = 40;
constexpr u32 kImageXmlCrcAt = 44;
constexpr u32 kImageSizeAt = 48;
constexpr u32 kReserved2At = 56;
constexpr u32 kHeaderCrcAt = 60;

void put(u8* at, u64 v, unsigned size) {
    for (unsigned i = 0; i < size; ++i)
        at[i] = u8(v >> (8 * i));
}
u64 get(const u8* at, unsigned size) {
    u64 v = 0;
    for (unsigned i = 0; i < size; ++i)
        v |= u64(at[i]) << (8 * i);
    return v;
}

} // namespace

void encode_header(const CheckpointHeader& h, u8 out[layout::kHeaderSize]) {
    for (u32 i = 0; i < layout::kHeaderSize; ++i)
        out[i] = 0;
    for (u32 i = 0; i < 8; ++i)
        out[i] = layout::kMagic[i];
    put(out + kVersionAt, h.version, 4);
    put(out + kHeaderSizeAt, layout::kHeaderSize, 4);
    put(out + kNumCoresAt, h.num_cores, 4);
    put(out + kReservedAt, 0, 4);
    put(out + kMemoryBytesAt, h.memory_bytes, 8);
    put(out + kTotalLengthAt, h.total_length, 8);
    put(out + kImageHeaderCrcAt, h.image.header_crc, 4);
    put(out + kImageXmlCrcAt, h.image.xml_crc, 4);
    put(out + kImageSizeAt, h.image.size, 8);
    put(out + kReserved2At, 0, 4);
    put(out + kHeaderCrcAt, config::crc32(out, kHeaderCrcAt), 4);
}

Result<CheckpointHeader> decode_header(const u8 in[layout::kHeaderSize]) {
    for (u32 i = 0; i < 8; ++i)
        if (in[i] != layout::kMagic[i])
            return make_error(Errno::Inval, "not a Palacios checkpoint (bad magic)");
    CheckpointHeader h;
    h.version = u32(get(in + kVersionAt, 4));
    if (h.version != layout::kVersion)
        return make_error(Errno::Inval,
                          "the checkpoint's format version is not one this module reads (1)");
    if (get(in + kHeaderSizeAt, 4) != layout::kHeaderSize)
        return make_error(Errno::Inval, "the checkpoint's header size is not 64");
    if (u32(get(in + kHeaderCrcAt, 4)) != config::crc32(in, kHeaderCrcAt))
        return make_error(Errno::Inval, "the checkpoint's header checksum does not match");
    if (get(in + kReservedAt, 4) != 0 || get(in + kReserved2At, 4) != 0)
        return make_error(Errno::Inval, "the checkpoint's reserved header fields are not zero");
    h.num_cores = u32(get(in + kNumCoresAt, 4));
    h.memory_bytes = get(in + kMemoryBytesAt, 8);
    h.total_length = get(in + kTotalLengthAt, 8);
    h.image.header_crc = u32(get(in + kImageHeaderCrcAt, 4));
    h.image.xml_crc = u32(get(in + kImageXmlCrcAt, 4));
    h.image.size = get(in + kImageSizeAt, 8);
    return h;
}

void encode_section_header(const SectionHeader& s, u8 out[layout::kSectionHeaderSize]) {
    put(out, s.tag, 4);
    put(out + 4, s.length, 8);
    put(out + 12, s.crc, 4);
}

SectionHeader decode_section_header(const u8 in[layout::kSectionHeaderSize]) {
    SectionHeader s;
    s.tag = u32(get(in, 4));
    s.length = get(in + 4, 8);
    s.crc = u32(get(in + 12, 4));
    return s;
}

void tag_name(u32 tag, char out[5]) {
    for (int i = 0; i < 4; ++i) {
        char c = char(tag >> (8 * i));
        out[i] = c >= 0x20 && c < 0x7f ? c : '?';
    }
    out[4] = 0;
}

ImageIdentity identity_of_image(const u8* image_header, u64 image_size) {
    namespace il = config::image_layout;
    ImageIdentity id;
    id.header_crc = u32(get(image_header + il::kHeaderCrcOffset, 4));
    id.xml_crc = u32(get(image_header + il::kXmlCrcOffset, 4));
    id.size = image_size;
    return id;
}

} // namespace v3::chkpt
