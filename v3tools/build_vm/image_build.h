// build_vm's build step: validate the config with the core's reader, gather
// the files its <files> section names, and lay them out with the core's
// ImageWriter.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace build_vm {

// On failure returns false with `error` set to one sentence (which file,
// which <files> id, which XML position).
bool build_image(const std::string& config_path, std::vector<std::uint8_t>& image,
                 std::string& error);

} // namespace build_vm
