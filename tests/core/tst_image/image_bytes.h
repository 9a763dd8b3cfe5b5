// Helpers for building guest images in tests and corrupting them field by
// field, then re-sealing the checksums so the reader gets past them to the
// check a test aims at.
#pragma once

#include <config/diagnostic.h>
#include <config/image.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace imagetest {

using Bytes = std::vector<std::uint8_t>;

struct BlobSpec {
    std::string id;
    Bytes data;
};

// Writes an image with v3::config::ImageWriter; fails the calling test (via
// the returned empty vector and `error`) if the writer refuses.
Bytes buildImage(const std::string& xml, const std::vector<BlobSpec>& blobs,
                 std::string* error = nullptr);

Bytes patternBytes(std::size_t size, std::uint8_t seed);

std::uint32_t get32(const Bytes& image, std::uint64_t offset);
std::uint64_t get64(const Bytes& image, std::uint64_t offset);
void put32(Bytes& image, std::uint64_t offset, std::uint32_t value);
void put64(Bytes& image, std::uint64_t offset, std::uint64_t value);

// Offset of directory entry `index` according to the header.
std::uint64_t entryOffset(const Bytes& image, std::uint32_t index);

// Recomputes the directory and header checksums from the (possibly edited)
// header fields; with `xml` also the XML checksum.
void resealDirectoryAndHeader(Bytes& image);
void resealXml(Bytes& image);
void resealHeader(Bytes& image);

// Result of read_image: empty string on success, else the diagnostic.
std::string readError(const Bytes& image);

} // namespace imagetest
