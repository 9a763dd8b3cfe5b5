// The guest image container: one file holding a VM's XML config and the
// files it names (kernels, disks, BIOS), as build_vm writes it and the kernel
// reads it on V3_CREATE_GUEST. IMAGE-FORMAT.md beside this file is the
// byte-level specification; the constants below are that table.
//
// read_image checks the whole container (bounds, overlaps, ids, checksums)
// before returning anything, so code after it never sees a malformed image.
#pragma once

#include "config/diagnostic.h"
#include "lib/result.h"
#include "lib/string_view.h"
#include "lib/types.h"
#include "lib/vector.h"

namespace v3::config {

namespace image_layout {

inline constexpr u8 kMagic[8] = {'v', '3', 'v', 'e', 'e', 0, 0, 0};
inline constexpr u32 kVersion = 1;

// Header: 64 bytes at offset 0.
inline constexpr u32 kHeaderSize = 64;
inline constexpr u32 kMagicOffset = 0;
inline constexpr u32 kVersionOffset = 8;          // u32
inline constexpr u32 kHeaderSizeOffset = 12;      // u32
inline constexpr u32 kImageSizeOffset = 16;       // u64
inline constexpr u32 kXmlOffsetOffset = 24;       // u64
inline constexpr u32 kXmlSizeOffset = 32;         // u64
inline constexpr u32 kDirectoryOffsetOffset = 40; // u64
inline constexpr u32 kBlobCountOffset = 48;       // u32
inline constexpr u32 kXmlCrcOffset = 52;          // u32
inline constexpr u32 kDirectoryCrcOffset = 56;    // u32
inline constexpr u32 kHeaderCrcOffset = 60;       // u32, over bytes [0, 60)

// Directory: blob_count entries of 96 bytes each.
inline constexpr u32 kEntrySize = 96;
inline constexpr u32 kEntryIdOffset = 0; // 64 bytes: id, NUL, zero padding
inline constexpr u32 kIdFieldSize = 64;
inline constexpr u32 kMaxIdLength = kIdFieldSize - 1;
inline constexpr u32 kEntryBlobOffsetOffset = 64; // u64
inline constexpr u32 kEntryBlobSizeOffset = 72;   // u64
inline constexpr u32 kEntryBlobCrcOffset = 80;    // u32
inline constexpr u32 kEntryReservedOffset = 84;   // 12 bytes, zero
inline constexpr u32 kEntryReservedSize = 12;

inline constexpr u64 kBlobAlignment = 4096;
inline constexpr u32 kMaxBlobs = 256;
inline constexpr u64 kMaxXmlSize = 1024 * 1024;

} // namespace image_layout

// One embedded file, pointing into the caller's buffer.
struct ImageBlob {
    StringView id; // NUL-terminated in the buffer as well
    const u8* data;
    u64 size;
};

// A validated image. Everything points into the buffer given to read_image,
// which must outlive the view.
struct ImageView {
    StringView xml;
    Vector<ImageBlob> blobs; // directory order

    const ImageBlob* find(StringView id) const;
};

// Where check_image_header found the directory.
struct DirectoryLocation {
    u64 offset;
    u64 size; // blob_count x kEntrySize, at most kMaxBlobs x kEntrySize
};

// Steps 1-3 of IMAGE-FORMAT.md on the header alone: `header` holds
// min(image_size, kHeaderSize) bytes of an image of image_size bytes. Lets
// the kernel refuse a bad image before allocating room for all of it.
Result<DirectoryLocation> check_image_header(const u8* header, u64 image_size, Diagnostic& diag);

// Steps 1-6 on the header and a separate copy of the directory (the bytes at
// the DirectoryLocation): everything read_image checks except the checksums
// of the XML and the blobs. The same messages as read_image.
Result<void> check_image_directory(const u8* header, const u8* directory, u64 image_size,
                                   Diagnostic& diag);

// Validates the complete container; on failure diag.message says which
// field or blob is wrong, with the expected and the found value.
Result<ImageView> read_image(const u8* data, u64 size, Diagnostic& diag);

// Whether `id` may name a blob: 1..63 printable ASCII characters (no
// control characters, no NUL). Shared by the reader and the writer.
bool is_valid_blob_id(StringView id);

} // namespace v3::config
