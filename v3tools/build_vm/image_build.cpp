#include "image_build.h"

#include "file_io.h"

#include "config/boot_files.h"
#include "config/diagnostic.h"
#include "config/image_writer.h"
#include "config/vm_config.h"
#include "devices/registry.h"

namespace build_vm {

namespace {

std::string text(v3::StringView view) {
    return std::string(view.data(), view.length());
}

} // namespace

bool build_image(const std::string& config_path, std::vector<std::uint8_t>& image,
                 std::string& error) {
    std::vector<std::uint8_t> xml;
    if (!read_file(config_path, xml, error))
        return false;
    v3::StringView xml_text(reinterpret_cast<const char*>(xml.data()), xml.size());

    v3::config::Diagnostic diag{};
    auto config = v3::config::parse_vm_config(xml_text, v3::devices::known_class_names(),
                                              v3::devices::validate_device_config, diag,
                                              v3::devices::test_class_names());
    if (!config) {
        error = config_path + ": " + diag.message;
        return false;
    }

    v3::config::ImageWriter writer;
    if (!writer.set_xml(xml_text, diag)) {
        error = config_path + ": " + diag.message;
        return false;
    }
    // Every file stays in memory until the image is written: the writer
    // refers to the bytes instead of copying them.
    const auto& files = config.value().files;
    std::vector<std::vector<std::uint8_t>> contents(files.size());
    for (std::size_t i = 0; i < files.size(); ++i) {
        std::string id = text(files[i].id);
        std::string path = resolve_beside(config_path, text(files[i].filename));
        std::string read_error;
        if (!read_file(path, contents[i], read_error)) {
            error = config_path + ": <files> entry '" + id + "': " + read_error;
            return false;
        }
        if (!writer.add_blob(files[i].id, contents[i].data(), contents[i].size(), diag)) {
            error = config_path + ": <files> entry '" + id + "': " + diag.message;
            return false;
        }
    }

    // The same boot checks v3_create_vm applies, with the same words, before
    // an image that could never boot is written.
    v3::config::BootFiles boot;
    for (std::size_t i = 0; i < files.size(); ++i) {
        // A zero-length file still counts as given (and is refused as such).
        static const std::uint8_t kEmpty = 0;
        v3::config::BootBlob blob{contents[i].empty() ? &kEmpty : contents[i].data(),
                                  contents[i].size()};
        if (files[i].id == "bios")
            boot.bios = blob;
        else if (files[i].id == "kernel")
            boot.kernel = blob;
        else if (files[i].id == "initrd")
            boot.initrd = blob;
    }
    if (!v3::config::check_boot_files(config.value(), boot, v3::config::Bootable::Optional, diag)) {
        error = config_path + ": " + diag.message;
        return false;
    }

    image.assign(writer.image_size(), 0);
    if (!writer.fill(image.data(), image.size(), diag)) {
        error = diag.message;
        return false;
    }
    return true;
}

} // namespace build_vm
