// The whole-VM checkpoint file v3_save_vm writes and v3_load_vm reads
// (CHECKPOINT-FORMAT.md beside this file is the byte-level description).
// A fixed 64-byte header, then sections, each with a tag, a length and a
// CRC-32 of its payload: the vcores, the devices (with the IRQ line levels
// and guest time), guest RAM in 2 MiB chunks, and an end marker. Everything
// little-endian. The header names the image the VM was built from, so a
// checkpoint is refused by a VM built from another image.
#pragma once

#include "lib/result.h"
#include "lib/types.h"

namespace v3::chkpt {

namespace layout {

inline constexpr u8 kMagic[8] = {'v', '3', 'c', 'h', 'k', 'p', 't', 0};
inline constexpr u32 kVersion = 1;
inline constexpr u32 kHeaderSize = 64;
inline constexpr u32 kSectionHeaderSize = 16; // tag u32, length u64, crc u32

// Section tags, four ASCII bytes read as a little-endian u32.
constexpr u32 tag(char a, char b, char c, char d) {
    return u32(u8(a)) | u32(u8(b)) << 8 | u32(u8(c)) << 16 | u32(u8(d)) << 24;
}
inline constexpr u32 kTagVcores = tag('V', 'C', 'P', 'U');
inline constexpr u32 kTagDevices = tag('D', 'E', 'V', 'S');
inline constexpr u32 kTagRam = tag('R', 'A', 'M', ' ');
inline constexpr u32 kTagEnd = tag('E', 'N', 'D', ' ');

// A RAM section holds the chunk's guest address (u64) and up to this many
// bytes of RAM from there.
inline constexpr u64 kRamChunk = 2 * 1024 * 1024;
// The vcore and device sections are read whole before anything changes;
// no VM's state comes near this.
inline constexpr u64 kMaxStateSection = 16 * 1024 * 1024;
inline constexpr u64 kEndPayload = 8; // the total length again

} // namespace layout

// Which image a VM was built from: the image's own checksums and size
// (config/IMAGE-FORMAT.md: the header CRC covers the XML and directory CRCs,
// and the directory holds every blob's CRC).
struct ImageIdentity {
    u32 header_crc = 0;
    u32 xml_crc = 0;
    u64 size = 0;
    bool operator==(const ImageIdentity&) const = default;
};

struct CheckpointHeader {
    u32 version = layout::kVersion;
    u32 num_cores = 0;
    u64 memory_bytes = 0;
    u64 total_length = 0; // the whole checkpoint, header included
    ImageIdentity image;
};

void encode_header(const CheckpointHeader& header, u8 out[layout::kHeaderSize]);
// Checks magic, version, header size and header CRC; says which failed.
Result<CheckpointHeader> decode_header(const u8 in[layout::kHeaderSize]);

struct SectionHeader {
    u32 tag = 0;
    u64 length = 0; // payload bytes after the 16-byte section header
    u32 crc = 0;    // CRC-32 of the payload
};

void encode_section_header(const SectionHeader& section, u8 out[layout::kSectionHeaderSize]);
SectionHeader decode_section_header(const u8 in[layout::kSectionHeaderSize]);

// "VCPU", "DEVS", ... for messages (out holds at least 5 bytes).
void tag_name(u32 tag, char out[5]);

// The identity of the image whose first kHeaderSize bytes are `image_header`.
ImageIdentity identity_of_image(const u8* image_header, u64 image_size);

} // namespace v3::chkpt
