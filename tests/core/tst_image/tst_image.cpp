// The guest image container: ImageWriter output read back by read_image,
// every rejection read_image makes (with its message), and the cross-checks
// load_guest_image adds between the image's blobs and the config's <files>.
#include "image_bytes.h"
#include "hosted_host.h"

#include <config/crc32.h>
#include <config/guest_image.h>
#include <config/image_writer.h>
#include <devices/registry.h>
#include <lib/host.h>

#include <QtTest>

#include <cstring>
#include <functional>

using namespace imagetest;
using namespace v3::config;
using namespace v3::config::image_layout;

namespace {

const std::string kXml = "<vm class=\"PC\"><memory>256</memory></vm>\n";

// Header, 3-entry directory at 64..351, XML from 352, then
//   kernel at 4096 (5000 bytes), disk at 12288 (4096 bytes), tiny at 16384 (10 bytes).
std::vector<BlobSpec> sampleBlobs() {
    return {{"kernel", patternBytes(5000, 1)},
            {"disk", patternBytes(4096, 2)},
            {"tiny", patternBytes(10, 3)}};
}

const std::string kGuestXml = R"(<vm class="PC">
  <memory>64</memory>
  <files>
    <file id="bios" filename="rom.bin"/>
    <file id="disk" filename="disk.img"/>
  </files>
</vm>
)";

Bytes sampleImage() {
    return buildImage(kXml, sampleBlobs());
}

constexpr std::uint64_t kSampleSize = 16384 + 10;
constexpr std::uint64_t kSampleXmlOffset = 64 + 3 * 96;

void setId(Bytes& image, std::uint32_t entry, const char* bytes, std::size_t length) {
    std::uint64_t at = entryOffset(image, entry);
    std::memset(image.data() + at, 0, kIdFieldSize);
    std::memcpy(image.data() + at, bytes, length);
}

struct Corruption {
    const char* name;
    std::function<void(Bytes&)> mutate;
    std::string expected; // a substring of the diagnostic
};

std::vector<Corruption> corruptions() {
    std::vector<Corruption> rows;
    auto truncate = [&](std::size_t size, std::string expected) {
        rows.push_back({nullptr, [size](Bytes& b) { b.resize(size); }, expected});
    };
    // Truncation anywhere: before the header is complete, then everywhere after.
    for (std::size_t size : {0, 1, 7, 8, 40, 63})
        truncate(size, "image is " + std::to_string(size) +
                           " bytes, shorter than the 64-byte header (truncated or not an image)");
    for (std::uint64_t size : std::initializer_list<std::uint64_t>{
             64, 100, 351, kSampleXmlOffset + 10, 4095, 4096, 9095, 12288, 16383, kSampleSize - 1})
        truncate(size, "image header says the image is 16394 bytes but " + std::to_string(size) +
                           " bytes were given (truncated or extended)");
    rows.push_back({"extended by one byte", [](Bytes& b) { b.push_back(0); },
                    "image header says the image is 16394 bytes but 16395 bytes were given"});

    rows.push_back({"bad magic", [](Bytes& b) { b[0] = 'V'; },
                    "image magic is 56 33 76 65 65 00 00 00, expected 76 33 76 65 65 00 00 00 "
                    "(\"v3vee\"): not a Palacios guest image"});
    rows.push_back({"magic without its NULs", [](Bytes& b) { b[7] = '!'; },
                    "image magic is 76 33 76 65 65 00 00 21"});
    rows.push_back({"bad version", [](Bytes& b) { put32(b, kVersionOffset, 2); },
                    "image format version is 2, this reader supports version 1"});
    rows.push_back({"bad header size",
                    [](Bytes& b) {
                        put32(b, kHeaderSizeOffset, 72);
                        resealHeader(b);
                    },
                    "image header size field is 72, expected 64 for version 1"});
    rows.push_back({"header checksum (field edited)", [](Bytes& b) { b[kXmlOffsetOffset] ^= 1; },
                    "image header checksum mismatch: stored 0x"});
    rows.push_back({"header checksum (stored value edited)",
                    [](Bytes& b) { b[kHeaderCrcOffset] ^= 0x80; }, "(header corrupted)"});
    rows.push_back({"directory checksum", [](Bytes& b) { b[entryOffset(b, 1) + 2] ^= 0x20; },
                    "image directory checksum mismatch: stored 0x"});
    rows.push_back({"XML checksum", [](Bytes& b) { b[kSampleXmlOffset + 5] ^= 0x01; },
                    "image XML checksum mismatch: stored 0x"});
    rows.push_back({"blob checksum (data edited)", [](Bytes& b) { b[12288 + 4000] ^= 0x10; },
                    "image blob 'disk' checksum mismatch: stored 0x"});
    rows.push_back({"blob checksum (stored value edited)",
                    [](Bytes& b) {
                        put32(b, entryOffset(b, 0) + kEntryBlobCrcOffset, 0x12345678);
                        resealDirectoryAndHeader(b);
                    },
                    "image blob 'kernel' checksum mismatch: stored 0x12345678, computed 0x"});
    rows.push_back({"empty blob's checksum",
                    [](Bytes& b) {
                        put64(b, entryOffset(b, 2) + kEntryBlobSizeOffset, 0);
                        resealDirectoryAndHeader(b);
                    },
                    "image blob 'tiny' checksum mismatch"});

    rows.push_back({"too many blobs",
                    [](Bytes& b) {
                        put32(b, kBlobCountOffset, 257);
                        resealHeader(b);
                    },
                    "image directory lists 257 blobs, the limit is 256"});
    rows.push_back({"oversized XML",
                    [](Bytes& b) {
                        put64(b, kXmlSizeOffset, 1024 * 1024 + 1);
                        resealHeader(b);
                    },
                    "image XML is 1048577 bytes, the limit is 1048576"});
    rows.push_back({"empty XML",
                    [](Bytes& b) {
                        put64(b, kXmlSizeOffset, 0);
                        resealHeader(b);
                    },
                    "image has no XML config (XML size is 0)"});
    rows.push_back({"XML past the end",
                    [](Bytes& b) {
                        put64(b, kXmlSizeOffset, kSampleSize);
                        resealHeader(b);
                    },
                    "image XML (offset 352, size 16394) extends past the end of the image "
                    "(16394 bytes)"});
    rows.push_back({"XML offset wraps around 2^64",
                    [](Bytes& b) {
                        put64(b, kXmlOffsetOffset, ~0ull - 15);
                        put64(b, kXmlSizeOffset, 100);
                        resealHeader(b);
                    },
                    "image XML (offset 18446744073709551600, size 100) extends past the end"});
    rows.push_back({"directory past the end",
                    [](Bytes& b) {
                        put64(b, kDirectoryOffsetOffset, kSampleSize - 100);
                        resealHeader(b);
                    },
                    "image directory (offset 16294, 3 entries of 96 bytes) extends past the end "
                    "of the image (16394 bytes)"});
    rows.push_back({"directory offset wraps around 2^64",
                    [](Bytes& b) {
                        put64(b, kDirectoryOffsetOffset, ~0ull - 0xff);
                        resealHeader(b);
                    },
                    "image directory (offset 18446744073709551360, 3 entries"});

    auto editEntry = [&](const char* name, std::uint32_t entry, std::uint32_t field,
                         std::uint64_t value, std::string expected) {
        rows.push_back({name,
                        [=](Bytes& b) {
                            put64(b, entryOffset(b, entry) + field, value);
                            resealDirectoryAndHeader(b);
                        },
                        expected});
    };
    editEntry("blob offset + size wraps around 2^64", 0, kEntryBlobOffsetOffset, ~0ull - 4095,
              "image blob 'kernel' (offset 18446744073709547520, size 5000) extends past the end "
              "of the image (16394 bytes)");
    editEntry("blob size near 2^64", 1, kEntryBlobSizeOffset, ~0ull,
              "image blob 'disk' (offset 12288, size 18446744073709551615) extends past the end");
    editEntry("blob past the end", 2, kEntryBlobSizeOffset, 11,
              "image blob 'tiny' (offset 16384, size 11) extends past the end of the image");
    editEntry("misaligned blob", 0, kEntryBlobOffsetOffset, 4097,
              "image blob 'kernel': offset 4097 is not a multiple of 4096");
    editEntry("blob overlapping a blob", 1, kEntryBlobOffsetOffset, 4096,
              "image regions overlap: blob 'kernel' (bytes 4096..9095) and blob 'disk' (bytes "
              "4096..8191)");
    editEntry("blob overlapping the header", 2, kEntryBlobOffsetOffset, 0,
              "image regions overlap: the header (bytes 0..63) and blob 'tiny' (bytes 0..9)");
    rows.push_back({"XML overlapping the directory",
                    [](Bytes& b) {
                        put64(b, kXmlOffsetOffset, 300);
                        resealXml(b);
                    },
                    "image regions overlap: the directory (bytes 64..351) and the XML (bytes "
                    "300..340)"});
    rows.push_back({"directory overlapping a blob",
                    [](Bytes& b) {
                        std::memcpy(b.data() + 4096, b.data() + 64, 3 * 96);
                        put64(b, kDirectoryOffsetOffset, 4096);
                        resealDirectoryAndHeader(b);
                    },
                    "image regions overlap: the directory (bytes 4096..4383) and blob 'kernel'"});

    auto editId = [&](const char* name, std::uint32_t entry, std::string id, std::string expected) {
        rows.push_back({name,
                        [=](Bytes& b) {
                            setId(b, entry, id.data(), id.size());
                            resealDirectoryAndHeader(b);
                        },
                        expected});
    };
    editId("duplicate ids", 2, "kernel", "image directory entries 0 and 2 both have id 'kernel'");
    editId("id without NUL", 1, std::string(64, 'a'),
           "image directory entry 1: id is not NUL-terminated within 64 bytes");
    editId("empty id", 1, "", "image directory entry 1: id is empty");
    editId("non-printable id", 0, "ker\x01nel",
           "image directory entry 0: id has non-printable byte 0x01 at position 3");
    editId("id with a byte above 0x7e", 0, "k\xe9rnel",
           "image directory entry 0: id has non-printable byte 0xe9 at position 1");
    editId("bytes after the id's NUL", 1, std::string("disk\0junk", 9),
           "image directory entry 1 ('disk'): id field has non-zero byte 0x6a at position 5 after "
           "its NUL");
    rows.push_back({"reserved bytes",
                    [](Bytes& b) {
                        b[entryOffset(b, 1) + kEntryReservedOffset + 6] = 1;
                        resealDirectoryAndHeader(b);
                    },
                    "image directory entry 1 ('disk'): reserved byte 90 is 0x01, expected 0"});
    return rows;
}

// What the kernel's early check (header, then a separate copy of the
// directory) says about `image`: empty when it passes.
std::string frontError(const Bytes& image) {
    Diagnostic diag{};
    Bytes header(kHeaderSize, 0);
    std::copy_n(image.begin(), std::min<std::size_t>(kHeaderSize, image.size()), header.begin());
    auto location = check_image_header(header.data(), image.size(), diag);
    if (!location)
        return diag.message;
    const auto begin = image.begin() + std::ptrdiff_t(location.value().offset);
    Bytes directory(begin, begin + std::ptrdiff_t(location.value().size));
    if (!check_image_directory(header.data(), directory.data(), image.size(), diag))
        return diag.message;
    return {};
}

} // namespace

class TestImage : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() {
        static v3_host_services host = v3::hosted::make_host_services();
        v3::set_host(&host);
    }

    void crc32MatchesTheStandardCheckValue() {
        const char* check = "123456789";
        auto bytes = reinterpret_cast<const v3::u8*>(check);
        QCOMPARE(crc32(bytes, 9), 0xCBF43926u);
        QCOMPARE(crc32_update(crc32(bytes, 4), bytes + 4, 5), 0xCBF43926u);
        QCOMPARE(crc32(bytes, 0), 0u);
    }

    void roundTripKeepsXmlAndEveryBlob() {
        Bytes image = sampleImage();
        QCOMPARE(image.size(), std::size_t(kSampleSize));
        Diagnostic diag{};
        auto view = read_image(image.data(), image.size(), diag);
        QVERIFY2(view, diag.message);
        QCOMPARE(std::string(view.value().xml.data(), view.value().xml.length()), kXml);
        auto blobs = sampleBlobs();
        QCOMPARE(view.value().blobs.size(), blobs.size());
        for (std::size_t i = 0; i < blobs.size(); ++i) {
            const ImageBlob& blob = view.value().blobs[i];
            QCOMPARE(std::string(blob.id.data(), blob.id.length()), blobs[i].id);
            QCOMPARE(Bytes(blob.data, blob.data + blob.size), blobs[i].data);
            // No copies: the blob points into the caller's buffer, page-aligned.
            QVERIFY(blob.data >= image.data() &&
                    blob.data + blob.size <= image.data() + image.size());
            QCOMPARE(std::uint64_t(blob.data - image.data()) % kBlobAlignment, 0ull);
            QCOMPARE(view.value().find(blob.id), &blob);
        }
        QCOMPARE(view.value().find("initrd"), nullptr);
        QCOMPARE(view.value().find("kerne"), nullptr);
    }

    void roundTripWithoutBlobsAndWithEmptyBlob() {
        Bytes bare = buildImage(kXml, {});
        QCOMPARE(bare.size(), 64 + kXml.size());
        QCOMPARE(readError(bare), std::string());

        Bytes withEmpty = buildImage(kXml, {{"empty", {}}, {"one", {42}}});
        Diagnostic diag{};
        auto view = read_image(withEmpty.data(), withEmpty.size(), diag);
        QVERIFY2(view, diag.message);
        QCOMPARE(view.value().blobs[0].size, 0ull);
        QCOMPARE(view.value().blobs[1].size, 1ull);
        QCOMPARE(view.value().blobs[1].data[0], std::uint8_t(42));
    }

    void headerAndDirectoryFollowTheSpecification() {
        Bytes image = sampleImage();
        QCOMPARE(std::memcmp(image.data(), "v3vee\0\0\0", 8), 0);
        QCOMPARE(get32(image, kVersionOffset), 1u);
        QCOMPARE(get32(image, kHeaderSizeOffset), 64u);
        QCOMPARE(get64(image, kImageSizeOffset), kSampleSize);
        QCOMPARE(get64(image, kDirectoryOffsetOffset), 64ull);
        QCOMPARE(get32(image, kBlobCountOffset), 3u);
        QCOMPARE(get64(image, kXmlOffsetOffset), kSampleXmlOffset);
        QCOMPARE(get64(image, kXmlSizeOffset), std::uint64_t(kXml.size()));
        QCOMPARE(get32(image, kHeaderCrcOffset), crc32(image.data(), 60));
        QCOMPARE(get32(image, kDirectoryCrcOffset), crc32(image.data() + 64, 3 * 96));
        QCOMPARE(get32(image, kXmlCrcOffset),
                 crc32(reinterpret_cast<const v3::u8*>(kXml.data()), kXml.size()));
        const std::uint64_t expectedOffsets[] = {4096, 12288, 16384};
        auto blobs = sampleBlobs();
        for (std::uint32_t i = 0; i < 3; ++i) {
            std::uint64_t entry = entryOffset(image, i);
            QCOMPARE(std::string(reinterpret_cast<const char*>(image.data() + entry)), blobs[i].id);
            for (std::size_t c = blobs[i].id.size(); c < kIdFieldSize; ++c)
                QCOMPARE(image[entry + c], std::uint8_t(0));
            QCOMPARE(get64(image, entry + kEntryBlobOffsetOffset), expectedOffsets[i]);
            QCOMPARE(get64(image, entry + kEntryBlobSizeOffset),
                     std::uint64_t(blobs[i].data.size()));
            QCOMPARE(get32(image, entry + kEntryBlobCrcOffset),
                     crc32(blobs[i].data.data(), blobs[i].data.size()));
            for (std::uint32_t r = 0; r < kEntryReservedSize; ++r)
                QCOMPARE(image[entry + kEntryReservedOffset + r], std::uint8_t(0));
        }
    }

    void writerAcceptsTheLimits() {
        std::vector<BlobSpec> blobs;
        for (int i = 0; i < 256; ++i)
            blobs.push_back({"blob-" + std::to_string(i), {std::uint8_t(i)}});
        blobs[0].id = std::string(63, 'x');
        std::string error;
        Bytes image = buildImage(std::string(1024 * 1024, ' '), blobs, &error);
        QVERIFY2(!image.empty(), error.c_str());
        Diagnostic diag{};
        auto view = read_image(image.data(), image.size(), diag);
        QVERIFY2(view, diag.message);
        QCOMPARE(view.value().blobs.size(), std::size_t(256));
        QVERIFY(view.value().find(v3::StringView(blobs[0].id.c_str())));
        QCOMPARE(view.value().find("blob-255")->data[0], std::uint8_t(255));
    }

    void writerRejects_data() {
        QTest::addColumn<QString>("xml");
        QTest::addColumn<QStringList>("ids");
        QTest::addColumn<QString>("expected");
        QString xml = QString::fromStdString(kXml);
        QTest::newRow("duplicate id")
            << xml << QStringList{"kernel", "disk", "kernel"} << "blob id 'kernel' is used twice";
        QTest::newRow("64-character id")
            << xml << QStringList{QString(64, 'a')}
            << "blob id '" + QString(60, 'a') + "...' is 64 characters, the limit is 63";
        QTest::newRow("empty id") << xml << QStringList{""} << "a blob id is empty";
        QTest::newRow("control character in id")
            << xml << QStringList{"ker\tnel"}
            << "blob id 'ker nel' has a character that is not printable ASCII";
        QStringList many;
        for (int i = 0; i < 257; ++i)
            many << QString("b%1").arg(i);
        QTest::newRow("257 blobs")
            << xml << many << "blob 'b256' would be blob number 257, the limit is 256";
        QTest::newRow("empty XML") << QString() << QStringList{} << "the XML config is empty";
        QTest::newRow("oversized XML") << QString(1024 * 1024 + 1, ' ') << QStringList{}
                                       << "the XML config is 1048577 bytes, the image limit is "
                                          "1048576";
    }

    void writerRejects() {
        QFETCH(QString, xml);
        QFETCH(QStringList, ids);
        QFETCH(QString, expected);
        std::vector<BlobSpec> blobs;
        for (const QString& id : ids)
            blobs.push_back({id.toStdString(), {1, 2, 3}});
        std::string error;
        Bytes image = buildImage(xml.toStdString(), blobs, &error);
        QVERIFY(image.empty());
        QCOMPARE(QString::fromStdString(error), expected);
    }

    void writerChecksTheOutputBufferSize() {
        ImageWriter writer;
        Diagnostic diag{};
        QVERIFY(writer.set_xml("<vm/>", diag));
        std::vector<v3::u8> small(writer.image_size() - 1);
        QVERIFY(!writer.fill(small.data(), small.size(), diag));
        QCOMPARE(QString(diag.message),
                 QString("the output buffer is 68 bytes, the image needs 69"));

        ImageWriter empty;
        std::vector<v3::u8> any(64);
        QVERIFY(!empty.fill(any.data(), empty.image_size(), diag));
        QCOMPARE(QString(diag.message), QString("the image has no XML config"));
    }

    void readerRejects_data() {
        QTest::addColumn<int>("row");
        auto rows = corruptions();
        for (std::size_t i = 0; i < rows.size(); ++i) {
            std::string name =
                rows[i].name ? rows[i].name : "truncated (" + rows[i].expected.substr(0, 40) + ")";
            QTest::newRow(name.c_str()) << int(i);
        }
    }

    void readerRejects() {
        QFETCH(int, row);
        Corruption corruption = corruptions()[row];
        Bytes image = sampleImage();
        QCOMPARE(readError(image), std::string());
        corruption.mutate(image);
        std::string error = readError(image);
        QVERIFY2(error.find(corruption.expected) != std::string::npos,
                 qPrintable(QString("expected \"%1\"\n   got \"%2\"")
                                .arg(QString::fromStdString(corruption.expected),
                                     QString::fromStdString(error))));
    }

    // The kernel checks the header and a copy of the directory before it
    // allocates the image (check_image_header / check_image_directory). For
    // every corruption that check either refuses with the reader's own
    // message or, for damage it cannot see (the XML or a blob's bytes),
    // leaves it to the full read.
    void frontCheckAgreesWithTheReader_data() { readerRejects_data(); }

    void frontCheckAgreesWithTheReader() {
        QFETCH(int, row);
        Bytes image = sampleImage();
        QCOMPARE(frontError(image), std::string());
        corruptions()[row].mutate(image);
        const std::string front = frontError(image);
        const std::string full = readError(image);
        if (front.empty())
            QVERIFY2(full.find("checksum mismatch") != std::string::npos &&
                         (full.find("image XML") == 0 || full.find("image blob") == 0),
                     qPrintable(QString::fromStdString(full)));
        else
            QCOMPARE(front, full);
    }

    void frontCheckFindsTheDirectory() {
        Bytes image = sampleImage();
        Diagnostic diag{};
        auto location = check_image_header(image.data(), image.size(), diag);
        QVERIFY2(location, diag.message);
        QCOMPARE(location.value().offset, get64(image, kDirectoryOffsetOffset));
        QCOMPARE(location.value().size, std::uint64_t(sampleBlobs().size()) * kEntrySize);
        // A header alone, zero-padded, of an image shorter than a header.
        Bytes shortHeader(kHeaderSize, 0);
        std::copy_n(image.begin(), 10, shortHeader.begin());
        QVERIFY(!check_image_header(shortHeader.data(), 10, diag));
        QVERIFY(QString(diag.message).startsWith("image is 10 bytes, shorter than the 64-byte"));
    }

    void readerRejectsAMissingBuffer() {
        Diagnostic diag{};
        QVERIFY(!read_image(nullptr, 100, diag));
        QCOMPARE(QString(diag.message), QString("image buffer is missing"));
        QVERIFY(!read_image(nullptr, 0, diag));
        QVERIFY(QString(diag.message).startsWith("image is 0 bytes"));
    }

    void loadsAnImageWhoseBlobsMatchItsFiles() {
        Bytes image = buildImage(kGuestXml, {{"bios", patternBytes(3000, 4)}, {"disk", {7}}});
        Diagnostic diag{};
        auto guest = load_guest_image(image.data(), image.size(), diag);
        QVERIFY2(guest, diag.message);
        const GuestImage& g = guest.value();
        QCOMPARE(g.config.memory_bytes, 64ull << 20);
        QCOMPARE(g.config.files.size(), std::size_t(2));
        QCOMPARE(g.image.blobs.size(), std::size_t(2));
        QCOMPARE(g.image.find("bios")->size, 3000ull);
        QVERIFY(g.config.find_file("disk"));
    }

    // The directory order need not follow <files>.
    void blobOrderDoesNotMatter() {
        Bytes image = buildImage(kGuestXml, {{"disk", {7}}, {"bios", {1, 2}}});
        Diagnostic diag{};
        QVERIFY2(load_guest_image(image.data(), image.size(), diag), diag.message);
    }

    void rejectsAFilesEntryWithoutBlob() {
        Bytes image = buildImage(kGuestXml, {{"bios", {1}}});
        Diagnostic diag{};
        QVERIFY(!load_guest_image(image.data(), image.size(), diag));
        QCOMPARE(QString(diag.message),
                 QString("<files> entry 'disk' (filename 'disk.img') has no blob in the image; "
                         "rebuild the image with build_vm"));
    }

    void rejectsABlobWithoutFilesEntry() {
        Bytes image = buildImage(kGuestXml, {{"bios", {1}}, {"disk", {2}}, {"initrd", {3}}});
        Diagnostic diag{};
        QVERIFY(!load_guest_image(image.data(), image.size(), diag));
        QCOMPARE(QString(diag.message),
                 QString("image blob 'initrd' is not named by any <files> entry of the config"));
    }

    // A 'kernel' blob is a Linux kernel: one that is not a bzImage is
    // refused when the image is loaded, with what to use instead.
    void refusesAKernelThatIsNotABzImage() {
        const std::string xml = R"(<vm class="PC"><memory>64</memory><files>
    <file id="kernel" filename="vmlinux"/></files></vm>)";
        Bytes image = buildImage(xml, {{"kernel", patternBytes(5000, 4)}});
        Diagnostic diag{};
        QVERIFY(!load_guest_image(image.data(), image.size(), diag));
        QVERIFY2(QString(diag.message).contains("not a Linux bzImage"), diag.message);
        QVERIFY2(QString(diag.message).contains("give the bzImage"), diag.message);
    }

    void reportsConfigErrorsInTheEmbeddedXml() {
        Bytes image =
            buildImage("<vm class=\"PC\">\n  <memory>64</memory>\n  <bogus/>\n</vm>\n", {});
        Diagnostic diag{};
        QVERIFY(!load_guest_image(image.data(), image.size(), diag));
        QVERIFY2(QString(diag.message).startsWith("/vm/bogus: unknown element <bogus> under <vm>"),
                 diag.message);

        image = buildImage("<vm class=\"PC\">\n  <memory>64</memory\n</vm>\n", {});
        QVERIFY(!load_guest_image(image.data(), image.size(), diag));
        QVERIFY2(QString(diag.message).contains(QRegularExpression("^line [23], column \\d+: ")),
                 diag.message);
    }

    // The kernel's device registry decides which classes exist.
    void checksDeviceClassesAgainstTheRegistry() {
        const char* const* known = v3::devices::known_class_names();
        QVERIFY(known[0]);
        std::string xml = std::string("<vm class=\"PC\"><memory>16</memory><devices>") +
                          "<device class=\"" + known[0] + "\" id=\"first\"/>" +
                          "<device class=\"NOPE\" id=\"nope\"/></devices></vm>";
        Bytes image = buildImage(xml, {});
        Diagnostic diag{};
        QVERIFY(!load_guest_image(image.data(), image.size(), diag));
        QVERIFY2(QString(diag.message)
                     .startsWith(QString("/vm/devices/device[2] (id=nope): unknown device class "
                                         "'NOPE'; known classes: %1")
                                     .arg(known[0])),
                 diag.message);
    }

    void checksTheContainerBeforeTheConfig() {
        Bytes image = buildImage("not XML at all", {});
        image[0] = 'x';
        Diagnostic diag{};
        QVERIFY(!load_guest_image(image.data(), image.size(), diag));
        QVERIFY2(QString(diag.message).startsWith("image magic is 78 33"), diag.message);
    }

    // Every byte the image's checksums cover is covered: changing any one of
    // them is detected; only the zero padding between regions is free.
    void everySingleByteChangeOutsidePaddingIsRejected() {
        Bytes image = sampleImage();
        auto isPadding = [](std::uint64_t at) {
            return (at >= kSampleXmlOffset + kXml.size() && at < 4096) ||
                   (at >= 9096 && at < 12288);
        };
        int rejected = 0, accepted = 0;
        for (std::uint64_t at = 0; at < image.size(); ++at) {
            image[at] ^= 0x5a;
            std::string error = readError(image);
            image[at] ^= 0x5a;
            if (isPadding(at)) {
                QVERIFY2(error.empty(),
                         qPrintable(QString("padding byte %1: %2").arg(at).arg(error.c_str())));
                ++accepted;
            } else {
                QVERIFY2(!error.empty(), qPrintable(QString("byte %1 changed unnoticed").arg(at)));
                ++rejected;
            }
        }
        QCOMPARE(accepted, int((4096 - kSampleXmlOffset - kXml.size()) + (12288 - 9096)));
        QCOMPARE(rejected, int(kSampleSize) - accepted);
    }
};

QTEST_APPLESS_MAIN(TestImage)
#include "tst_image.moc"
