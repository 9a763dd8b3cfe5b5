#include "summary.h"

#include "config/guest_image.h"

namespace build_vm {

namespace {

std::string text(v3::StringView view) {
    return std::string(view.data(), view.length());
}

std::string human_size(std::uint64_t bytes) {
    constexpr std::uint64_t kMiB = 1024 * 1024, kGiB = kMiB * 1024;
    char buffer[64];
    if (bytes >= kGiB && bytes % kGiB == 0)
        std::snprintf(buffer, sizeof buffer, "%llu GiB", (unsigned long long)(bytes / kGiB));
    else if (bytes >= kMiB && bytes % kMiB == 0)
        std::snprintf(buffer, sizeof buffer, "%llu MiB", (unsigned long long)(bytes / kMiB));
    else
        std::snprintf(buffer, sizeof buffer, "%llu bytes", (unsigned long long)bytes);
    return buffer;
}

std::string paging(const v3::config::VmConfig& config) {
    std::string mode = config.paging == v3::config::PagingMode::Nested ? "nested" : "shadow";
    if (!config.paging_strategy.is_empty())
        mode += " (strategy " + text(config.paging_strategy) + ")";
    mode += config.large_pages ? ", large pages" : ", 4 KiB pages";
    return mode;
}

} // namespace

void print_summary(std::FILE* out, const v3::config::GuestImage& guest,
                   const std::string& image_path, std::uint64_t image_size) {
    const v3::config::VmConfig& config = guest.config;
    std::fprintf(out, "image     %s (%s)\n", image_path.c_str(), human_size(image_size).c_str());
    std::fprintf(out, "class     %s\n", text(config.vm_class).c_str());
    std::fprintf(out, "memory    %s\n", human_size(config.memory_bytes).c_str());
    std::fprintf(out, "cores     %u\n", unsigned(config.num_cores));
    std::fprintf(out, "paging    %s\n", paging(config).c_str());
    std::fprintf(out, "devices   %zu\n", std::size_t(config.devices.size()));
    for (const auto& device : config.devices)
        std::fprintf(out, "  %-18s %s\n", text(device.class_name).c_str(), text(device.id).c_str());
    std::fprintf(out, "files     %zu\n", std::size_t(guest.image.blobs.size()));
    for (const auto& blob : guest.image.blobs) {
        const v3::config::FileEntry* file = guest.config.find_file(blob.id);
        std::fprintf(out, "  %-18s %-14s %s\n", text(blob.id).c_str(),
                     human_size(blob.size).c_str(), file ? text(file->filename).c_str() : "");
    }
}

} // namespace build_vm
