#include "config/image_writer.h"

#include "config/crc32.h"
#include "config/little_endian.h"
#include "config/text_arg.h"
#include "lib/format.h"

namespace v3::config {

using namespace image_layout;

namespace {

constexpr Error kImageUnwritable{Errno::Inval, "the guest image cannot be written"};

constexpr u64 kMaxBlobSize = u64(1) << 48;

u64 align_up(u64 value, u64 alignment) {
    return (value + alignment - 1) / alignment * alignment;
}

} // namespace

Result<void> ImageWriter::set_xml(StringView xml, Diagnostic& diag) {
    if (xml.is_empty())
        return diag.fail_as(kImageUnwritable, "the XML config is empty");
    if (xml.length() > kMaxXmlSize)
        return diag.fail_as(kImageUnwritable,
                            "the XML config is %llu bytes, the image limit is %llu",
                            (unsigned long long)xml.length(), (unsigned long long)kMaxXmlSize);
    xml_ = xml;
    has_xml_ = true;
    return {};
}

Result<void> ImageWriter::add_blob(StringView id, const u8* data, u64 size, Diagnostic& diag) {
    TextArg text(id);
    const char* shown = text.c_str();
    if (id.is_empty())
        return diag.fail_as(kImageUnwritable, "a blob id is empty");
    if (id.length() > kMaxIdLength)
        return diag.fail_as(kImageUnwritable, "blob id '%s' is %llu characters, the limit is %u",
                            shown, (unsigned long long)id.length(), kMaxIdLength);
    if (!is_valid_blob_id(id))
        return diag.fail_as(kImageUnwritable,
                            "blob id '%s' has a character that is not printable ASCII", shown);
    for (const PendingBlob& blob : blobs_)
        if (StringView(blob.id) == id)
            return diag.fail_as(kImageUnwritable, "blob id '%s' is used twice", shown);
    if (blobs_.size() >= kMaxBlobs)
        return diag.fail_as(kImageUnwritable,
                            "blob '%s' would be blob number %llu, the limit is %u", shown,
                            (unsigned long long)blobs_.size() + 1, kMaxBlobs);
    if (!data && size != 0)
        return diag.fail_as(kImageUnwritable, "blob '%s' has no data", shown);
    // With at most 256 blobs of at most 2^48 bytes, no offset computation
    // can overflow.
    if (size > kMaxBlobSize)
        return diag.fail_as(kImageUnwritable, "blob '%s' is %llu bytes, the limit is %llu", shown,
                            (unsigned long long)size, (unsigned long long)kMaxBlobSize);
    PendingBlob blob{};
    for (usize i = 0; i < id.length(); ++i)
        blob.id[i] = id[i];
    blob.data = data;
    blob.size = size;
    if (!blobs_.try_append(blob))
        return make_error(Errno::NoMem, "out of memory adding a blob to the image");
    return {};
}

u64 ImageWriter::xml_offset() const {
    return directory_offset() + u64(blobs_.size()) * kEntrySize;
}

u64 ImageWriter::blob_offset(usize index) const {
    u64 end = xml_offset() + xml_.length();
    for (usize i = 0; i < index; ++i)
        end = align_up(end, kBlobAlignment) + blobs_[i].size;
    return align_up(end, kBlobAlignment);
}

u64 ImageWriter::image_size() const {
    if (blobs_.is_empty())
        return xml_offset() + xml_.length();
    return blob_offset(blobs_.size() - 1) + blobs_.last().size;
}

Result<void> ImageWriter::fill(u8* out, u64 out_size, Diagnostic& diag) const {
    if (!has_xml_)
        return diag.fail_as(kImageUnwritable, "the image has no XML config");
    u64 total = image_size();
    if (out_size != total)
        return diag.fail_as(kImageUnwritable,
                            "the output buffer is %llu bytes, the image needs %llu",
                            (unsigned long long)out_size, (unsigned long long)total);
    for (u64 i = 0; i < total; ++i)
        out[i] = 0;

    u8* directory = out + directory_offset();
    u64 offset = 0;
    for (usize i = 0; i < blobs_.size(); ++i) {
        const PendingBlob& blob = blobs_[i];
        u8* entry = directory + i * kEntrySize;
        for (u32 c = 0; c < kIdFieldSize; ++c)
            entry[kEntryIdOffset + c] = u8(blob.id[c]);
        offset = blob_offset(i);
        store_le64(entry + kEntryBlobOffsetOffset, offset);
        store_le64(entry + kEntryBlobSizeOffset, blob.size);
        store_le32(entry + kEntryBlobCrcOffset, crc32(blob.data, blob.size));
        for (u64 b = 0; b < blob.size; ++b)
            out[offset + b] = blob.data[b];
    }
    for (usize i = 0; i < xml_.length(); ++i)
        out[xml_offset() + i] = u8(xml_[i]);

    for (u32 i = 0; i < sizeof kMagic; ++i)
        out[kMagicOffset + i] = kMagic[i];
    store_le32(out + kVersionOffset, kVersion);
    store_le32(out + kHeaderSizeOffset, kHeaderSize);
    store_le64(out + kImageSizeOffset, total);
    store_le64(out + kXmlOffsetOffset, xml_offset());
    store_le64(out + kXmlSizeOffset, xml_.length());
    store_le64(out + kDirectoryOffsetOffset, directory_offset());
    store_le32(out + kBlobCountOffset, u32(blobs_.size()));
    store_le32(out + kXmlCrcOffset, crc32(out + xml_offset(), xml_.length()));
    store_le32(out + kDirectoryCrcOffset, crc32(directory, u64(blobs_.size()) * kEntrySize));
    store_le32(out + kHeaderCrcOffset, crc32(out, kHeaderCrcOffset));
    return {};
}

Result<void> ImageWriter::write(Vector<u8>& out, Diagnostic& diag) const {
    u64 total = image_size();
    out.clear();
    if (total > usize(-1) || !out.try_reserve(usize(total))) {
        format(diag.message, sizeof diag.message, "out of memory for a %llu-byte image",
               (unsigned long long)total);
        return make_error(Errno::NoMem, "out of memory writing the guest image");
    }
    for (u64 i = 0; i < total; ++i)
        (void)out.try_append(u8(0)); // cannot fail: capacity reserved above
    return fill(out.begin(), total, diag);
}

} // namespace v3::config
