#include "config/vm_config.h"

#include "config/text_arg.h"
#include "config/vm_config_sections.h"
#include "lib/format.h"

namespace v3::config {

using namespace detail;

namespace {

constexpr u64 kPageSize = 4096;
constexpr u64 kMegabyte = u64(1) << 20;

constexpr const char* kTopLevelElements[] = {"memory",      "telemetry", "extensions", "paging",
                                             "schedule_hz", "cores",     "memmap",     "files",
                                             "cmdline",     "devices",   nullptr};

constexpr const char* kNoChildren[] = {nullptr};
constexpr const char* kPagingChildren[] = {"large_pages", "strategy", nullptr};
constexpr const char* kCoresChildren[] = {"core", "count", nullptr};
constexpr const char* kRegion[] = {"region", nullptr};
constexpr const char* kRegionChildren[] = {"start", "end", "host_addr", nullptr};
constexpr const char* kFile[] = {"file", nullptr};
constexpr const char* kExtension[] = {"extension", nullptr};

struct Alignment {
    const char* name;
    u64 bytes;
};
constexpr Alignment kAlignments[] = {
    {"4KB", 4096}, {"2MB", 2 * kMegabyte}, {"1GB", 1024 * kMegabyte}};

// Writes "a, b, c" into buffer.
void join(const char* const* list, char* buffer, usize size) {
    usize n = 0;
    buffer[0] = 0;
    for (usize i = 0; list[i]; ++i)
        n += format(buffer + n, size - n, "%s%s", i ? ", " : "", list[i]);
}

Result<void> check_vm_element(const xml::Element& vm, Diagnostic& diag) {
    if (vm.name() != "vm")
        return diag.fail(vm, "the root element must be <vm>, not <%s>", TextArg(vm.name()).c_str());
    const StringView* vm_class = vm.attribute("class");
    if (!vm_class)
        return diag.fail(vm, "missing class attribute: write <vm class=\"PC\"> (PC is the only "
                             "guest class this VMM builds)");
    if (!vm_class->equals_ignoring_case("PC"))
        return diag.fail(vm,
                         "class '%s' is not supported: this VMM builds x86 PC guests only, "
                         "so write class=\"PC\"",
                         TextArg(*vm_class).c_str());
    for (const xml::Element* child = vm.first_child(); child; child = child->next_sibling()) {
        bool known = false;
        for (usize i = 0; kTopLevelElements[i]; ++i)
            known = known || child->name() == kTopLevelElements[i];
        if (!known) {
            char accepted[128];
            join(kTopLevelElements, accepted, sizeof accepted);
            return diag.fail(*child, "unknown element <%s> under <vm>; accepted: %s",
                             TextArg(child->name()).c_str(), accepted);
        }
        if (vm.child(child->name()) != child)
            return diag.fail(*child, "<%s> may appear only once under <vm>",
                             TextArg(child->name()).c_str());
    }
    return {};
}

Result<void> read_memory(const xml::Element& vm, VmConfig& config, Diagnostic& diag) {
    const xml::Element* memory = vm.child("memory");
    if (!memory)
        return diag.fail(vm,
                         "missing <memory>: the guest memory size in MB (1..%llu), e.g. "
                         "<memory>256</memory>",
                         (unsigned long long)kMaxMemoryMegabytes);
    TRY(check_children(*memory, kNoChildren, diag));
    u64 megabytes = TRY(read_unsigned(vm, "memory", 1, kMaxMemoryMegabytes, 0, true, diag));
    const Alignment* alignment = &kAlignments[0];
    if (const StringView* name = memory->attribute("alignment")) {
        alignment = nullptr;
        for (const Alignment& a : kAlignments)
            if (name->trimmed().equals_ignoring_case(a.name))
                alignment = &a;
        if (!alignment)
            return diag.fail(*memory, "alignment '%s' is not supported: use 4KB, 2MB or 1GB",
                             TextArg(*name).c_str());
    }
    config.memory_bytes = megabytes * kMegabyte;
    config.memory_alignment = alignment->bytes;
    if (config.memory_bytes % alignment->bytes)
        return diag.fail(*memory, "memory size %llu MB is not a multiple of its %s alignment",
                         (unsigned long long)megabytes, alignment->name);
    return {};
}

Result<void> read_paging(const xml::Element& vm, VmConfig& config, Diagnostic& diag) {
    const xml::Element* paging = vm.child("paging");
    if (!paging)
        return {};
    TRY(check_children(*paging, kPagingChildren, diag));
    if (const StringView* mode = paging->attribute("mode")) {
        if (mode->trimmed().equals_ignoring_case("nested"))
            config.paging = PagingMode::Nested;
        else if (mode->trimmed().equals_ignoring_case("shadow"))
            // Refused rather than silently run with nested paging: a user
            // who asks for shadow paging wants its behaviour.
            return diag.fail(*paging,
                             "paging mode 'shadow' is not implemented by this VMM: remove the "
                             "mode attribute or write mode=\"nested\" (AMD nested paging)");
        else
            return diag.fail(*paging, "paging mode '%s' is not supported: use nested or shadow",
                             TextArg(*mode).c_str());
    }
    config.large_pages = TRY(read_bool(*paging, "large_pages", false, diag));
    config.paging_strategy = TRY(read_string(*paging, "strategy", false, diag));
    return {};
}

Result<void> read_cores(const xml::Element& vm, VmConfig& config, Diagnostic& diag) {
    const xml::Element* cores = vm.child("cores");
    if (!cores)
        return {}; // one core
    TRY(check_children(*cores, kCoresChildren, diag));
    u64 count = TRY(read_unsigned(*cores, "count", 1, kMaxCores, 1, true, diag));
    usize listed = cores->child_count("core");
    if (listed != 0 && listed != count)
        return diag.fail(*cores,
                         "count is %llu but %zu <core> elements are listed: list one "
                         "per core, or none",
                         (unsigned long long)count, listed);
    config.num_cores = u32(count);
    return {};
}

Result<void> read_memmap(const xml::Element& vm, VmConfig& config, Diagnostic& diag) {
    const xml::Element* memmap = vm.child("memmap");
    if (!memmap)
        return {};
    TRY(check_children(*memmap, kRegion, diag));
    if (memmap->child_count() > kMaxMemmapRegions)
        return diag.fail(*memmap, "more than %zu regions", kMaxMemmapRegions);
    constexpr u64 kAny = ~u64(0);
    for (const xml::Element* region = memmap->first_child(); region;
         region = region->next_sibling()) {
        TRY(check_children(*region, kRegionChildren, diag));
        MemoryRegionConfig r{};
        r.start = TRY(read_unsigned(*region, "start", 0, kAny, 0, true, diag));
        r.end = TRY(read_unsigned(*region, "end", 0, kAny, 0, true, diag));
        r.host_addr = TRY(read_unsigned(*region, "host_addr", 0, kAny, 0, true, diag));
        const struct {
            const char* name;
            u64 value;
        } fields[] = {{"start", r.start}, {"end", r.end}, {"host_addr", r.host_addr}};
        for (const auto& field : fields)
            if (field.value % kPageSize)
                return diag.fail(*region, "%s 0x%llx is not 4 KiB page aligned", field.name,
                                 (unsigned long long)field.value);
        if (r.start >= r.end)
            return diag.fail(*region, "start 0x%llx is not below end 0x%llx",
                             (unsigned long long)r.start, (unsigned long long)r.end);
        if (r.host_addr + (r.end - r.start) < r.host_addr)
            return diag.fail(*region, "host_addr 0x%llx plus the region size is beyond 2^64",
                             (unsigned long long)r.host_addr);
        for (usize i = 0; i < config.memmap.size(); ++i) {
            const MemoryRegionConfig& other = config.memmap[i];
            if (r.start < other.end && other.start < r.end)
                return diag.fail(*region, "[0x%llx, 0x%llx) overlaps region[%zu] [0x%llx, 0x%llx)",
                                 (unsigned long long)r.start, (unsigned long long)r.end, i + 1,
                                 (unsigned long long)other.start, (unsigned long long)other.end);
        }
        if (!config.memmap.try_append(r))
            return out_of_memory(diag);
    }
    return {};
}

Result<void> read_files(const xml::Element& vm, VmConfig& config, Diagnostic& diag) {
    const xml::Element* files = vm.child("files");
    if (!files)
        return {};
    TRY(check_children(*files, kFile, diag));
    if (files->child_count() > kMaxFiles)
        return diag.fail(*files, "more than %zu files", kMaxFiles);
    for (const xml::Element* file = files->first_child(); file; file = file->next_sibling()) {
        FileEntry entry;
        entry.id = TRY(read_string(*file, "id", true, diag));
        entry.filename = TRY(read_string(*file, "filename", true, diag));
        for (usize i = 0; i < config.files.size(); ++i)
            if (config.files[i].id == entry.id)
                return diag.fail(*file, "duplicate file id '%s': file[%zu] already uses it",
                                 TextArg(entry.id).c_str(), i + 1);
        if (!config.files.try_append(entry))
            return out_of_memory(diag);
    }
    return {};
}

// The kernel command line for a direct Linux boot: <cmdline>TEXT</cmdline>
// (or a cmdline attribute on <vm>). Only meaningful with a "kernel" file.
Result<void> read_cmdline(const xml::Element& vm, VmConfig& config, Diagnostic& diag) {
    const xml::Element* cmdline = vm.child("cmdline");
    if (cmdline)
        TRY(check_children(*cmdline, kNoChildren, diag));
    const xml::Element& where = cmdline ? *cmdline : vm;
    config.cmdline = TRY(read_string(vm, "cmdline", false, diag)).trimmed();
    if (!config.cmdline.is_empty() && !config.find_file("kernel"))
        return diag.fail(where,
                         "a kernel command line is given but no <file id=\"kernel\">: add the "
                         "Linux kernel (bzImage) to <files> or remove the command line");
    for (char c : config.cmdline)
        if (u8(c) < 0x20 || u8(c) > 0x7e)
            return diag.fail(where,
                             "the kernel command line contains a control or non-ASCII character "
                             "(0x%02x): write it on one line in plain ASCII",
                             unsigned(u8(c)));
    return {};
}

Result<void> read_extensions(const xml::Element& vm, VmConfig& config, Diagnostic& diag) {
    const xml::Element* extensions = vm.child("extensions");
    if (!extensions)
        return {};
    TRY(check_children(*extensions, kExtension, diag));
    if (extensions->child_count() > kMaxExtensions)
        return diag.fail(*extensions, "more than %zu extensions", kMaxExtensions);
    for (const xml::Element* e = extensions->first_child(); e; e = e->next_sibling()) {
        StringView name = TRY(read_string(*e, "name", true, diag));
        if (!config.extensions.try_append(name))
            return out_of_memory(diag);
    }
    return {};
}

// Kept out of line so the syntax error's buffer is off the stack before
// the checks run (kernel stacks are small).
__attribute__((noinline)) Result<OwnPtr<xml::Document>> parse_document(StringView xml_text,
                                                                       Diagnostic& diag) {
    xml::ParseError syntax;
    auto document = xml::Document::parse(xml_text, syntax);
    if (!document.is_error())
        return document.release_value();
    diag.fail_document("line %u, column %u: %s", syntax.line, syntax.column, syntax.message);
    if (document.error().code == Errno::NoMem)
        return document.error();
    return kInvalidConfiguration;
}

} // namespace

namespace detail {

Result<void> check_children(const xml::Element& section, const char* const* allowed,
                            Diagnostic& diag) {
    for (const xml::Element* child = section.first_child(); child; child = child->next_sibling()) {
        bool known = false;
        for (usize i = 0; allowed[i]; ++i)
            known = known || child->name() == allowed[i];
        if (known)
            continue;
        if (!allowed[0])
            return diag.fail(*child, "unexpected <%s>: <%s> has no child elements",
                             TextArg(child->name()).c_str(), TextArg(section.name()).c_str());
        char accepted[128];
        join(allowed, accepted, sizeof accepted);
        return diag.fail(*child, "unexpected <%s> inside <%s>; accepted: %s",
                         TextArg(child->name()).c_str(), TextArg(section.name()).c_str(), accepted);
    }
    return {};
}

Error out_of_memory(Diagnostic& diag) {
    diag.fail_document("out of memory while reading the configuration");
    return make_error(Errno::NoMem, "out of memory while reading the configuration");
}

} // namespace detail

const FileEntry* VmConfig::find_file(StringView id) const {
    for (const FileEntry& f : files)
        if (f.id == id)
            return &f;
    return nullptr;
}

const DeviceEntry* VmConfig::find_device(StringView id) const {
    for (const DeviceEntry& d : devices)
        if (d.id == id)
            return &d;
    return nullptr;
}

Result<VmConfig> parse_vm_config(StringView xml_text, const char* const* known_classes,
                                 DeviceValidator validate_device, Diagnostic& diag,
                                 const char* const* test_classes) {
    diag.message[0] = 0;
    VmConfig config;
    config.document = TRY(parse_document(xml_text, diag));
    const xml::Element& vm = config.document->root();

    TRY(check_vm_element(vm, diag));
    config.vm_class = *vm.attribute("class");
    TRY(read_memory(vm, config, diag));
    config.telemetry = TRY(read_bool(vm, "telemetry", false, diag));
    TRY(read_extensions(vm, config, diag));
    TRY(read_paging(vm, config, diag));
    config.schedule_hz = u32(
        TRY(read_unsigned(vm, "schedule_hz", 1, kMaxScheduleHz, kDefaultScheduleHz, false, diag)));
    TRY(read_cores(vm, config, diag));
    TRY(read_memmap(vm, config, diag));
    TRY(read_files(vm, config, diag));
    TRY(read_cmdline(vm, config, diag));
    TRY(read_devices(vm, DeviceClassNames{known_classes, test_classes}, config, diag));
    TRY(check_device_references(config, diag));

    if (validate_device) {
        for (const DeviceEntry& device : config.devices) {
            Result<void> checked = validate_device(device, config, diag);
            if (checked.is_error()) {
                if (!diag.message[0]) // the device said nothing: still say where
                    diag.fail(*device.element, "rejected by the %s device",
                              TextArg(device.class_name).c_str());
                return checked.error();
            }
        }
    }
    return config;
}

} // namespace v3::config
