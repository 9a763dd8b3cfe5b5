#include "config/image.h"

#include "config/crc32.h"
#include "config/little_endian.h"
#include "lib/format.h"

namespace v3::config {

using namespace image_layout;

namespace {

constexpr Error kImageInvalid{Errno::Inval, "the guest image is invalid"};

// [begin, begin + size) lies inside [0, total) without overflowing.
bool in_bounds(u64 begin, u64 size, u64 total) {
    return size <= total && begin <= total - size;
}

bool is_printable(u8 c) {
    return c >= 0x20 && c <= 0x7E;
}

// The header fields and directory entries, read from where they are: inside
// the full image, or from separate copies of the header and the directory
// (the kernel checks those before it allocates the image).
// The parts of the image that must not share a byte: the header, the
// directory, the XML, then one per blob. Computed on demand from the
// (already bounds-checked) header and directory so checking needs no memory.
struct Region {
    u64 begin;
    u64 size;
};

class Layout {
public:
    // The whole image in memory.
    explicit Layout(const u8* data) : data_(data), directory_(data + directory_offset()) {}
    // Only the header (kHeaderSize bytes) and the directory.
    Layout(const u8* header, const u8* directory) : data_(header), directory_(directory) {}

    u32 blob_count() const { return load_le32(data_ + kBlobCountOffset); }
    u64 xml_offset() const { return load_le64(data_ + kXmlOffsetOffset); }
    u64 xml_size() const { return load_le64(data_ + kXmlSizeOffset); }
    u64 directory_offset() const { return load_le64(data_ + kDirectoryOffsetOffset); }
    u64 directory_size() const { return u64(blob_count()) * kEntrySize; }
    const u8* directory() const { return directory_; }
    const u8* entry(u32 index) const { return directory_ + u64(index) * kEntrySize; }
    const char* id(u32 index) const { return reinterpret_cast<const char*>(entry(index)); }
    u64 blob_offset(u32 index) const { return load_le64(entry(index) + kEntryBlobOffsetOffset); }
    u64 blob_size(u32 index) const { return load_le64(entry(index) + kEntryBlobSizeOffset); }
    u32 blob_crc(u32 index) const { return load_le32(entry(index) + kEntryBlobCrcOffset); }

    u32 region_count() const { return 3 + blob_count(); }
    Region region(u32 index) const {
        switch (index) {
        case 0:
            return {0, kHeaderSize};
        case 1:
            return {directory_offset(), directory_size()};
        case 2:
            return {xml_offset(), xml_size()};
        default:
            return {blob_offset(index - 3), blob_size(index - 3)};
        }
    }
    // Names a region for a message; blob ids are checked NUL-terminated
    // before regions are compared.
    void describe(u32 index, char* out, usize size) const {
        static constexpr const char* kFixed[] = {"the header", "the directory", "the XML"};
        if (index < 3)
            format(out, size, "%s", kFixed[index]);
        else
            format(out, size, "blob '%s'", id(index - 3));
    }

private:
    const u8* data_;
    const u8* directory_;
};

// `data` holds at least min(size, kHeaderSize) bytes; `size` is the whole
// image's.
Result<void> check_header(const u8* data, u64 size, Diagnostic& diag) {
    if (size < kHeaderSize)
        return diag.fail_as(
            kImageInvalid,
            "image is %llu bytes, shorter than the %u-byte header (truncated or not an "
            "image)",
            (unsigned long long)size, kHeaderSize);
    for (u32 i = 0; i < sizeof kMagic; ++i) {
        if (data[kMagicOffset + i] != kMagic[i])
            return diag.fail_as(
                kImageInvalid,
                "image magic is %02x %02x %02x %02x %02x %02x %02x %02x, expected 76 33 "
                "76 65 65 00 00 00 (\"v3vee\"): not a Palacios guest image",
                data[0], data[1], data[2], data[3], data[4], data[5], data[6], data[7]);
    }
    u32 version = load_le32(data + kVersionOffset);
    if (version != kVersion)
        return diag.fail_as(kImageInvalid,
                            "image format version is %u, this reader supports version %u", version,
                            kVersion);
    u32 header_size = load_le32(data + kHeaderSizeOffset);
    if (header_size != kHeaderSize)
        return diag.fail_as(kImageInvalid,
                            "image header size field is %u, expected %u for version %u",
                            header_size, kHeaderSize, kVersion);
    u32 stored = load_le32(data + kHeaderCrcOffset);
    u32 computed = crc32(data, kHeaderCrcOffset);
    if (stored != computed)
        return diag.fail_as(
            kImageInvalid,
            "image header checksum mismatch: stored 0x%08x, computed 0x%08x (header "
            "corrupted)",
            stored, computed);
    u64 image_size = load_le64(data + kImageSizeOffset);
    if (image_size != size)
        return diag.fail_as(kImageInvalid,
                            "image header says the image is %llu bytes but %llu bytes were given "
                            "(truncated or extended)",
                            (unsigned long long)image_size, (unsigned long long)size);
    return {};
}

Result<void> check_regions_in_bounds(const Layout& layout, u64 size, Diagnostic& diag) {
    if (layout.blob_count() > kMaxBlobs)
        return diag.fail_as(kImageInvalid, "image directory lists %u blobs, the limit is %u",
                            layout.blob_count(), kMaxBlobs);
    if (layout.xml_size() == 0)
        return diag.fail_as(kImageInvalid, "image has no XML config (XML size is 0)");
    if (layout.xml_size() > kMaxXmlSize)
        return diag.fail_as(kImageInvalid, "image XML is %llu bytes, the limit is %llu",
                            (unsigned long long)layout.xml_size(), (unsigned long long)kMaxXmlSize);
    if (!in_bounds(layout.xml_offset(), layout.xml_size(), size))
        return diag.fail_as(kImageInvalid,
                            "image XML (offset %llu, size %llu) extends past the end of the image "
                            "(%llu bytes)",
                            (unsigned long long)layout.xml_offset(),
                            (unsigned long long)layout.xml_size(), (unsigned long long)size);
    if (!in_bounds(layout.directory_offset(), layout.directory_size(), size))
        return diag.fail_as(
            kImageInvalid,
            "image directory (offset %llu, %u entries of %u bytes) extends past the end "
            "of the image (%llu bytes)",
            (unsigned long long)layout.directory_offset(), layout.blob_count(), kEntrySize,
            (unsigned long long)size);
    return {};
}

Result<void> check_entry_id(const Layout& layout, u32 index, Diagnostic& diag) {
    const u8* field = layout.entry(index) + kEntryIdOffset;
    u32 length = 0;
    while (length < kIdFieldSize && field[length] != 0)
        ++length;
    if (length == kIdFieldSize)
        return diag.fail_as(kImageInvalid,
                            "image directory entry %u: id is not NUL-terminated within %u bytes",
                            index, kIdFieldSize);
    if (length == 0)
        return diag.fail_as(kImageInvalid, "image directory entry %u: id is empty", index);
    for (u32 i = 0; i < length; ++i) {
        if (!is_printable(field[i]))
            return diag.fail_as(
                kImageInvalid,
                "image directory entry %u: id has non-printable byte 0x%02x at position %u", index,
                field[i], i);
    }
    for (u32 i = length + 1; i < kIdFieldSize; ++i) {
        if (field[i] != 0)
            return diag.fail_as(
                kImageInvalid,
                "image directory entry %u ('%s'): id field has non-zero byte 0x%02x at "
                "position %u after its NUL",
                index, layout.id(index), field[i], i);
    }
    return {};
}

Result<void> check_entry(const Layout& layout, u32 index, u64 size, Diagnostic& diag) {
    TRY(check_entry_id(layout, index, diag));
    const u8* entry = layout.entry(index);
    for (u32 i = 0; i < kEntryReservedSize; ++i) {
        if (entry[kEntryReservedOffset + i] != 0)
            return diag.fail_as(
                kImageInvalid,
                "image directory entry %u ('%s'): reserved byte %u is 0x%02x, expected 0", index,
                layout.id(index), kEntryReservedOffset + i, entry[kEntryReservedOffset + i]);
    }
    for (u32 other = 0; other < index; ++other) {
        if (StringView(layout.id(other)) == StringView(layout.id(index)))
            return diag.fail_as(kImageInvalid,
                                "image directory entries %u and %u both have id '%s'", other, index,
                                layout.id(index));
    }
    u64 offset = layout.blob_offset(index);
    if (offset % kBlobAlignment != 0)
        return diag.fail_as(kImageInvalid, "image blob '%s': offset %llu is not a multiple of %llu",
                            layout.id(index), (unsigned long long)offset,
                            (unsigned long long)kBlobAlignment);
    if (!in_bounds(offset, layout.blob_size(index), size))
        return diag.fail_as(
            kImageInvalid,
            "image blob '%s' (offset %llu, size %llu) extends past the end of the image "
            "(%llu bytes)",
            layout.id(index), (unsigned long long)offset,
            (unsigned long long)layout.blob_size(index), (unsigned long long)size);
    return {};
}

// Every pair of regions; at most 259 regions, so the quadratic walk is a few
// tens of thousands of comparisons and needs no sorting buffer.
Result<void> check_no_overlap(const Layout& layout, Diagnostic& diag) {
    for (u32 a = 0; a < layout.region_count(); ++a) {
        Region first = layout.region(a);
        if (first.size == 0)
            continue;
        for (u32 b = a + 1; b < layout.region_count(); ++b) {
            Region second = layout.region(b);
            if (second.size == 0)
                continue;
            // Both regions are in bounds, so begin + size cannot overflow.
            if (first.begin < second.begin + second.size &&
                second.begin < first.begin + first.size) {
                char first_name[80], second_name[80];
                layout.describe(a, first_name, sizeof first_name);
                layout.describe(b, second_name, sizeof second_name);
                return diag.fail_as(kImageInvalid,
                                    "image regions overlap: %s (bytes %llu..%llu) and %s (bytes "
                                    "%llu..%llu)",
                                    first_name, (unsigned long long)first.begin,
                                    (unsigned long long)(first.begin + first.size - 1), second_name,
                                    (unsigned long long)second.begin,
                                    (unsigned long long)(second.begin + second.size - 1));
            }
        }
    }
    return {};
}

Result<void> check_contents(const u8* data, const Layout& layout, Diagnostic& diag) {
    u32 stored = load_le32(data + kXmlCrcOffset);
    u32 computed = crc32(data + layout.xml_offset(), layout.xml_size());
    if (stored != computed)
        return diag.fail_as(
            kImageInvalid,
            "image XML checksum mismatch: stored 0x%08x, computed 0x%08x (XML corrupted)", stored,
            computed);
    for (u32 i = 0; i < layout.blob_count(); ++i) {
        stored = layout.blob_crc(i);
        computed = crc32(data + layout.blob_offset(i), layout.blob_size(i));
        if (stored != computed)
            return diag.fail_as(
                kImageInvalid,
                "image blob '%s' checksum mismatch: stored 0x%08x, computed 0x%08x (blob "
                "corrupted)",
                layout.id(i), stored, computed);
    }
    return {};
}

// Steps 4-6 of IMAGE-FORMAT.md, on a layout whose header passed steps 1-3.
Result<void> check_directory(const u8* header, const Layout& layout, u64 size, Diagnostic& diag) {
    u32 stored = load_le32(header + kDirectoryCrcOffset);
    u32 computed = crc32(layout.directory(), layout.directory_size());
    if (stored != computed)
        return diag.fail_as(
            kImageInvalid,
            "image directory checksum mismatch: stored 0x%08x, computed 0x%08x (directory "
            "corrupted)",
            stored, computed);
    for (u32 i = 0; i < layout.blob_count(); ++i)
        TRY(check_entry(layout, i, size, diag));
    TRY(check_no_overlap(layout, diag));
    return {};
}

Result<void> validate(const u8* data, u64 size, Diagnostic& diag) {
    if (!data && size != 0)
        return diag.fail_as(kImageInvalid, "image buffer is missing");
    TRY(check_header(data, size, diag));
    TRY(check_regions_in_bounds(Layout(data, nullptr), size, diag));
    Layout layout(data);
    TRY(check_directory(data, layout, size, diag));
    TRY(check_contents(data, layout, diag));
    return {};
}

} // namespace

Result<DirectoryLocation> check_image_header(const u8* header, u64 image_size, Diagnostic& diag) {
    TRY(check_header(header, image_size, diag));
    Layout layout(header, nullptr);
    TRY(check_regions_in_bounds(layout, image_size, diag));
    return DirectoryLocation{layout.directory_offset(), layout.directory_size()};
}

Result<void> check_image_directory(const u8* header, const u8* directory, u64 image_size,
                                   Diagnostic& diag) {
    TRY(check_image_header(header, image_size, diag));
    return check_directory(header, Layout(header, directory), image_size, diag);
}

bool is_valid_blob_id(StringView id) {
    if (id.is_empty() || id.length() > kMaxIdLength)
        return false;
    for (char c : id)
        if (!is_printable(u8(c)))
            return false;
    return true;
}

const ImageBlob* ImageView::find(StringView id) const {
    for (const ImageBlob& blob : blobs)
        if (blob.id == id)
            return &blob;
    return nullptr;
}

Result<ImageView> read_image(const u8* data, u64 size, Diagnostic& diag) {
    TRY(validate(data, size, diag));
    Layout layout(data);
    ImageView view;
    view.xml = StringView(reinterpret_cast<const char*>(data + layout.xml_offset()),
                          usize(layout.xml_size()));
    if (!view.blobs.try_reserve(layout.blob_count())) {
        format(diag.message, sizeof diag.message, "out of memory for the image's %u blobs",
               layout.blob_count());
        return make_error(Errno::NoMem, "out of memory reading the guest image");
    }
    for (u32 i = 0; i < layout.blob_count(); ++i) {
        ImageBlob blob{StringView(layout.id(i)), data + layout.blob_offset(i), layout.blob_size(i)};
        if (!view.blobs.try_append(blob))
            return make_error(Errno::NoMem, "out of memory reading the guest image");
    }
    return view;
}

} // namespace v3::config
