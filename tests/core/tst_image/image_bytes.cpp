#include "image_bytes.h"

#include <config/crc32.h>
#include <config/image_writer.h>

using namespace v3::config;
using namespace v3::config::image_layout;

namespace imagetest {

Bytes buildImage(const std::string& xml, const std::vector<BlobSpec>& blobs, std::string* error) {
    Diagnostic diag{};
    ImageWriter writer;
    auto fail = [&] {
        if (error)
            *error = diag.message;
        return Bytes();
    };
    if (!writer.set_xml(v3::StringView(xml.data(), xml.size()), diag))
        return fail();
    for (const BlobSpec& blob : blobs)
        if (!writer.add_blob(v3::StringView(blob.id.data(), blob.id.size()), blob.data.data(),
                             blob.data.size(), diag))
            return fail();
    v3::Vector<v3::u8> out;
    if (!writer.write(out, diag))
        return fail();
    return Bytes(out.begin(), out.end());
}

Bytes patternBytes(std::size_t size, std::uint8_t seed) {
    Bytes bytes(size);
    for (std::size_t i = 0; i < size; ++i)
        bytes[i] = std::uint8_t(seed + i * 7 + (i >> 8));
    return bytes;
}

std::uint32_t get32(const Bytes& image, std::uint64_t offset) {
    std::uint32_t value = 0;
    for (int i = 3; i >= 0; --i)
        value = value << 8 | image[offset + i];
    return value;
}

std::uint64_t get64(const Bytes& image, std::uint64_t offset) {
    return std::uint64_t(get32(image, offset)) | std::uint64_t(get32(image, offset + 4)) << 32;
}

void put32(Bytes& image, std::uint64_t offset, std::uint32_t value) {
    for (int i = 0; i < 4; ++i)
        image[offset + i] = std::uint8_t(value >> (8 * i));
}

void put64(Bytes& image, std::uint64_t offset, std::uint64_t value) {
    put32(image, offset, std::uint32_t(value));
    put32(image, offset + 4, std::uint32_t(value >> 32));
}

std::uint64_t entryOffset(const Bytes& image, std::uint32_t index) {
    return get64(image, kDirectoryOffsetOffset) + std::uint64_t(index) * kEntrySize;
}

void resealHeader(Bytes& image) {
    put32(image, kHeaderCrcOffset, crc32(image.data(), kHeaderCrcOffset));
}

void resealDirectoryAndHeader(Bytes& image) {
    std::uint64_t offset = get64(image, kDirectoryOffsetOffset);
    std::uint64_t size = std::uint64_t(get32(image, kBlobCountOffset)) * kEntrySize;
    if (offset <= image.size() && size <= image.size() - offset)
        put32(image, kDirectoryCrcOffset, crc32(image.data() + offset, size));
    resealHeader(image);
}

void resealXml(Bytes& image) {
    std::uint64_t offset = get64(image, kXmlOffsetOffset);
    std::uint64_t size = get64(image, kXmlSizeOffset);
    if (offset <= image.size() && size <= image.size() - offset)
        put32(image, kXmlCrcOffset, crc32(image.data() + offset, size));
    resealHeader(image);
}

std::string readError(const Bytes& image) {
    Diagnostic diag{};
    auto view = read_image(image.data(), image.size(), diag);
    return view ? std::string() : std::string(diag.message);
}

} // namespace imagetest
