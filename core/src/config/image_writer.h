// Builds a guest image (IMAGE-FORMAT.md) from the XML config and the files it
// names. Used by build_vm and by tests; lives in the core so the writer and
// the reader share one definition of the layout.
#pragma once

#include "config/diagnostic.h"
#include "config/image.h"
#include "lib/result.h"
#include "lib/string_view.h"
#include "lib/types.h"
#include "lib/vector.h"

namespace v3::config {

class ImageWriter {
public:
    // The XML and blob bytes are not copied: they must stay valid until the
    // image has been written. Blob ids are copied.
    Result<void> set_xml(StringView xml, Diagnostic& diag);
    // Rejects ids that are empty, longer than 63 characters, not printable
    // ASCII or already added, and more than 256 blobs.
    Result<void> add_blob(StringView id, const u8* data, u64 size, Diagnostic& diag);

    // Size of the finished image in bytes.
    u64 image_size() const;
    // Writes the image into `out`, which must be exactly image_size() bytes.
    Result<void> fill(u8* out, u64 out_size, Diagnostic& diag) const;
    // Replaces `out` with the image.
    Result<void> write(Vector<u8>& out, Diagnostic& diag) const;

private:
    struct PendingBlob {
        char id[image_layout::kIdFieldSize];
        const u8* data;
        u64 size;
    };

    u64 directory_offset() const { return image_layout::kHeaderSize; }
    u64 xml_offset() const;
    // Where blob `index` starts: 4096-aligned, after the XML and the blob
    // before it.
    u64 blob_offset(usize index) const;

    StringView xml_;
    bool has_xml_ = false;
    Vector<PendingBlob> blobs_;
};

} // namespace v3::config
