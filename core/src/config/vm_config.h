// The Palacios guest configuration (<vm class="PC">): parsed from XML and
// checked as a whole before anything is built, so a bad config is refused
// with the element path of the first problem instead of half-creating a VM.
#pragma once

#include "config/diagnostic.h"
#include "config/xml.h"
#include "lib/alloc.h"
#include "lib/result.h"
#include "lib/string_view.h"
#include "lib/vector.h"

namespace v3::config {

inline constexpr u64 kMaxMemoryMegabytes = 65536;
inline constexpr u32 kMaxCores = 64;
inline constexpr u32 kDefaultScheduleHz = 100;
inline constexpr u32 kMaxScheduleHz = 10000;
inline constexpr usize kMaxDevices = 256;
inline constexpr usize kMaxFiles = 256;
inline constexpr usize kMaxMemmapRegions = 256;
inline constexpr usize kMaxExtensions = 64;

enum class PagingMode : u8 { Nested, Shadow };

struct FileEntry {
    StringView id;
    StringView filename;
};

// A guest-physical range [start, end) passed through to host memory at
// host_addr. All three are page aligned.
struct MemoryRegionConfig {
    u64 start;
    u64 end;
    u64 host_addr;
};

struct DeviceEntry {
    StringView class_name;
    StringView id;
    const xml::Element* element; // the <device>, for the device's own settings
};

struct VmConfig {
    VmConfig() = default;
    VmConfig(VmConfig&&) = default;
    VmConfig& operator=(VmConfig&&) = default;
    VmConfig(const VmConfig&) = delete;
    VmConfig& operator=(const VmConfig&) = delete;

    OwnPtr<xml::Document> document; // keeps every StringView and Element below alive

    StringView vm_class; // "PC"
    u64 memory_bytes = 0;
    u64 memory_alignment = 4096;
    bool telemetry = false;
    PagingMode paging = PagingMode::Nested;
    bool large_pages = false;
    StringView paging_strategy; // empty when not given
    // Accepted (and range-checked) for Palacios configs, but it changes
    // nothing: the run loop yields to the host scheduler before every guest
    // entry instead of at a fixed rate. v3_create_vm logs that when a config
    // asks for a rate other than the default.
    u32 schedule_hz = kDefaultScheduleHz;
    u32 num_cores = 1;

    Vector<FileEntry> files;
    // Linux direct boot: the kernel command line (<cmdline>), empty if none.
    StringView cmdline;
    Vector<MemoryRegionConfig> memmap;
    Vector<DeviceEntry> devices; // in declaration order
    // <devices test_devices="yes">: the config may name the test registry's
    // classes (TEST_EXIT, MMIO_TEST), which only test guests use.
    bool test_devices = false;
    Vector<StringView> extensions;

    const FileEntry* find_file(StringView id) const;
    const DeviceEntry* find_device(StringView id) const;
};

// Called once per device, in declaration order, after the whole config
// passed the generic checks, so a device class can check its own subtree.
using DeviceValidator = Result<void> (*)(const DeviceEntry& device, const VmConfig& config,
                                         Diagnostic& diag);

// Parses and validates. known_classes is the nullptr-terminated list of
// registered device class names (nullptr: accept any class); test_classes
// the test registry's, accepted only where <devices test_devices="yes">
// (nullptr: none). validate_device may be nullptr. On failure diag.message
// says what and where.
Result<VmConfig> parse_vm_config(StringView xml_text, const char* const* known_classes,
                                 DeviceValidator validate_device, Diagnostic& diag,
                                 const char* const* test_classes = nullptr);

} // namespace v3::config
