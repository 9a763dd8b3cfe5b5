// libFuzzer target: arbitrary bytes through load_guest_image, the function
// the kernel runs on every V3_CREATE_GUEST. Inputs that are not images are
// also taken as XML: parsed as a config, wrapped into an image with a small
// blob for each <files> entry, and loaded, so the fuzzer reaches the config
// reader and the cross-checks without having to forge checksums.
//
// `fuzz_image --write-seeds CORPUS_DIR CONFIG_DIR` writes the seed corpus
// (see Makefile) instead of fuzzing.
#include "config/boot_files.h"
#include "config/crc32.h"
#include "config/guest_image.h"
#include "config/image_writer.h"
#include "devices/registry.h"
#include "hosted_host.h"
#include "lib/host.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <string>
#include <vector>

using namespace v3::config;

namespace {

void install_host() {
    static v3_host_services host = v3::hosted::make_host_services();
    v3::set_host(&host);
}

// What the kernel relies on after a successful load; a violation is a bug.
void check_invariants(const GuestImage& guest, const std::uint8_t* data, std::size_t size) {
    auto inside = [&](const void* p, std::uint64_t n) {
        auto b = static_cast<const std::uint8_t*>(p);
        return b >= data && n <= size && std::uint64_t(b - data) <= size - n;
    };
    if (!inside(guest.image.xml.data(), guest.image.xml.length()))
        __builtin_trap();
    for (const ImageBlob& blob : guest.image.blobs) {
        if (!inside(blob.data, blob.size) || (blob.data - data) % image_layout::kBlobAlignment)
            __builtin_trap();
        if (!guest.config.find_file(blob.id))
            __builtin_trap();
    }
    for (const FileEntry& file : guest.config.files)
        if (!guest.image.find(file.id))
            __builtin_trap();
}

bool load(const std::uint8_t* data, std::size_t size) {
    Diagnostic diag{};
    auto guest = load_guest_image(data, size, diag);
    if (!guest) {
        // Every rejection says why.
        if (diag.message[0] == 0)
            __builtin_trap();
        return false;
    }
    check_invariants(guest.value(), data, size);
    return true;
}

std::uint64_t get(const std::vector<std::uint8_t>& b, std::uint64_t at, int bytes) {
    std::uint64_t value = 0;
    for (int i = bytes - 1; i >= 0; --i)
        value = value << 8 | b[at + i];
    return value;
}

void put32(std::vector<std::uint8_t>& b, std::uint64_t at, std::uint32_t value) {
    for (int i = 0; i < 4; ++i)
        b[at + i] = std::uint8_t(value >> (8 * i));
}

bool in_bounds(std::uint64_t offset, std::uint64_t size, std::uint64_t total) {
    return size <= total && offset <= total - size;
}

// A copy of an image-looking input with every checksum recomputed (where its
// region is in bounds), so mutations of offsets, sizes and ids reach the
// structural checks behind the checksums instead of stopping at them.
std::vector<std::uint8_t> reseal(const std::uint8_t* data, std::size_t size) {
    using namespace image_layout;
    std::vector<std::uint8_t> b(data, data + size);
    std::uint64_t directory = get(b, kDirectoryOffsetOffset, 8);
    std::uint64_t count = get(b, kBlobCountOffset, 4);
    if (count <= kMaxBlobs && in_bounds(directory, count * kEntrySize, size)) {
        for (std::uint64_t i = 0; i < count; ++i) {
            std::uint64_t entry = directory + i * kEntrySize;
            std::uint64_t offset = get(b, entry + kEntryBlobOffsetOffset, 8);
            std::uint64_t length = get(b, entry + kEntryBlobSizeOffset, 8);
            if (in_bounds(offset, length, size))
                put32(b, entry + kEntryBlobCrcOffset, crc32(b.data() + offset, length));
        }
        put32(b, kDirectoryCrcOffset, crc32(b.data() + directory, count * kEntrySize));
    }
    std::uint64_t xml = get(b, kXmlOffsetOffset, 8);
    std::uint64_t xml_size = get(b, kXmlSizeOffset, 8);
    if (in_bounds(xml, xml_size, size))
        put32(b, kXmlCrcOffset, crc32(b.data() + xml, xml_size));
    put32(b, kHeaderCrcOffset, crc32(b.data(), kHeaderCrcOffset));
    return b;
}

const std::uint8_t kBlobBytes[] = {0xeb, 0xfe, 0x90, 0x90, 'v', '3', 0, 1};

// Whether the boot file check (config/boot_files.h) refuses `xml` with the
// small blobs wrap_xml gives it: a 'kernel' of a few bytes is no bzImage,
// an 'initrd' needs a kernel. Such a config parses but rightly does not load.
bool boot_files_refuse(v3::StringView xml) {
    Diagnostic diag{};
    auto config =
        parse_vm_config(xml, v3::devices::known_class_names(), v3::devices::validate_device_config,
                        diag, v3::devices::test_class_names());
    if (!config)
        return false;
    v3::config::BootFiles files;
    const v3::config::BootBlob blob{kBlobBytes, sizeof kBlobBytes};
    if (config.value().find_file("bios"))
        files.bios = blob;
    if (config.value().find_file("kernel"))
        files.kernel = blob;
    if (config.value().find_file("initrd"))
        files.initrd = blob;
    return v3::config::check_boot_files(config.value(), files, v3::config::Bootable::Optional, diag)
        .is_error();
}

// An image for `xml` with a small blob for each <files> entry it declares,
// or an empty vector when the XML is not a config the writer can wrap.
std::vector<std::uint8_t> wrap_xml(v3::StringView xml, const char* const* known_classes,
                                   DeviceValidator validator) {
    Diagnostic diag{};
    auto config =
        parse_vm_config(xml, known_classes, validator, diag, v3::devices::test_class_names());
    if (!config)
        return {};
    ImageWriter writer;
    if (!writer.set_xml(xml, diag))
        return {};
    for (const FileEntry& file : config.value().files)
        if (!writer.add_blob(file.id, kBlobBytes, sizeof kBlobBytes, diag))
            return {};
    v3::Vector<v3::u8> out;
    if (!writer.write(out, diag))
        return {};
    return std::vector<std::uint8_t>(out.begin(), out.end());
}

bool write_file(const std::string& path, const std::vector<std::uint8_t>& bytes) {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (!f)
        return false;
    bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
    return std::fclose(f) == 0 && ok;
}

// Seeds that do not depend on the sample configs: files, memmap, paging,
// cores and a device with references, so the fuzzer starts from every
// section of the schema.
const char* const kBuiltinSeeds[] = {
    R"(<vm class="PC">
  <memory alignment="2MB">64</memory>
  <telemetry>enable</telemetry>
  <paging mode="nested"><large_pages>true</large_pages><strategy>vtlb</strategy></paging>
  <schedule_hz>1000</schedule_hz>
  <cores count="2"><core/><core/></cores>
  <memmap><region><start>0xf0000</start><end>0x100000</end><host_addr>0x1000</host_addr></region></memmap>
  <extensions><extension name="VMWARE_IFACE"/></extensions>
  <files>
    <file id="kernel" filename="bzImage"/>
    <file id="disk" filename="/images/disk.img"/>
  </files>
</vm>
)",
    R"(<?xml version="1.0"?>
<!-- devices referring to each other and to files -->
<vm class="PC"><memory>32</memory>
  <files><file id="cd" filename="boot.iso"/></files>
  <devices>
    <device class="8259A" id="PIC"/>
    <device class="PCI" id="pci0"/>
    <device class="IDE" id="ide"><bus>pci0</bus><controller>PIC</controller></device>
    <device class="RAMDISK" id="rd" file="cd"><frontend tag="ide"/></device>
    <device class="SERIAL" id="com1"/>
    <device class="CHAR_STREAM" id="stream1"><frontend tag="com1"/><name>com1</name></device>
  </devices>
</vm>
)",
};

bool write_seed_pair(const std::string& corpus, const std::string& stem, v3::StringView text) {
    std::vector<std::uint8_t> xml(text.begin(), text.end());
    bool ok = write_file(corpus + "/xml-" + stem, xml);
    // Prefer an image the registry accepts; fall back to one with any
    // class names so a config ahead of the registry still seeds.
    std::vector<std::uint8_t> image =
        wrap_xml(text, v3::devices::known_class_names(), v3::devices::validate_device_config);
    if (image.empty())
        image = wrap_xml(text, nullptr, nullptr);
    if (!image.empty())
        ok = write_file(corpus + "/image-" + stem, image) && ok;
    return ok;
}

int write_seeds(const std::string& corpus, const std::string& configs) {
    int written = 0;
    for (std::size_t i = 0; i < sizeof kBuiltinSeeds / sizeof kBuiltinSeeds[0]; ++i)
        written += write_seed_pair(corpus, "builtin-" + std::to_string(i), kBuiltinSeeds[i]);
    DIR* dir = opendir(configs.c_str());
    if (!dir) {
        std::fprintf(stderr, "fuzz_image: cannot open the sample configs in %s\n", configs.c_str());
        return 1;
    }
    while (dirent* entry = readdir(dir)) {
        std::string name = entry->d_name;
        if (name.size() < 5 || name.compare(name.size() - 4, 4, ".xml") != 0)
            continue;
        std::FILE* f = std::fopen((configs + "/" + name).c_str(), "rb");
        if (!f)
            continue;
        std::vector<std::uint8_t> xml;
        int c;
        while ((c = std::fgetc(f)) != EOF)
            xml.push_back(std::uint8_t(c));
        std::fclose(f);
        std::string stem = name.substr(0, name.size() - 4);
        v3::StringView text(reinterpret_cast<const char*>(xml.data()), xml.size());
        written += write_seed_pair(corpus, stem, text);
    }
    closedir(dir);
    std::printf("fuzz_image: wrote seeds for %d configs to %s\n", written, corpus.c_str());
    return written > 0 ? 0 : 1;
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
    install_host();
    if (*argc >= 2 && std::strcmp((*argv)[1], "--write-seeds") == 0) {
        if (*argc != 4) {
            std::fprintf(stderr, "usage: fuzz_image --write-seeds CORPUS_DIR CONFIG_DIR\n");
            std::exit(2);
        }
        std::exit(write_seeds((*argv)[2], (*argv)[3]));
    }
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    bool is_image = size >= sizeof image_layout::kMagic &&
                    std::memcmp(data, image_layout::kMagic, sizeof image_layout::kMagic) == 0;
    if (load(data, size)) {
        // nothing more to learn from this input
    } else if (is_image && size >= image_layout::kHeaderSize) {
        std::vector<std::uint8_t> resealed = reseal(data, size);
        load(resealed.data(), resealed.size());
    } else if (!is_image) {
        v3::StringView xml(reinterpret_cast<const char*>(data), size);
        std::vector<std::uint8_t> image =
            wrap_xml(xml, v3::devices::known_class_names(), v3::devices::validate_device_config);
        // A config the reader accepted must load once wrapped, unless the
        // boot files it names cannot boot (which the loader must refuse).
        if (!image.empty() && !load(image.data(), image.size()) && !boot_files_refuse(xml))
            __builtin_trap();
    }
    // The hosted log keeps everything; keep memory flat across runs.
    v3::hosted::clear_captured_log();
    return 0;
}
