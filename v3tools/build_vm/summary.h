// The one-screen description build_vm prints after building or checking an
// image: what the kernel will create from it.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

namespace v3::config {
struct GuestImage;
}

namespace build_vm {

void print_summary(std::FILE* out, const v3::config::GuestImage& guest,
                   const std::string& image_path, std::uint64_t image_size);

} // namespace build_vm
