// build_vm: XML config + files -> guest image, or --check an image.
//   build_vm CONFIG.xml -o IMAGE
//   build_vm --check IMAGE
// Exit status: 0 ok, 1 invalid input (or I/O failure), 2 usage.
#include "file_io.h"
#include "image_build.h"
#include "summary.h"

#include "config/diagnostic.h"
#include "config/guest_image.h"
#include "hosted_host.h"
#include "lib/host.h"

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>
#include <install_paths.h>

namespace {

constexpr int kExitOk = 0;
constexpr int kExitInvalid = 1;
constexpr int kExitUsage = 2;

const char kUsage[] = "Usage: build_vm CONFIG.xml -o IMAGE\n"
                      "  or:  build_vm --check IMAGE\n"
                      "\n"
                      "Builds a Palacios guest image: the VM's XML config plus every file its\n"
                      "<files> section names (paths relative to the config's folder unless\n"
                      "absolute). The config is validated with the same reader the v3vee module\n"
                      "runs, so an image build_vm accepts is one the module accepts.\n"
                      "\n"
                      "  -o IMAGE        where to write the image (replaced atomically)\n"
                      "  --check IMAGE   validate an existing image and describe it\n"
                      "  -h, --help      show this help\n"
                      "  --version       show the release\n"
                      "\n"
                      "Exit status: 0 ok, 1 invalid config, file or image, 2 usage error.\n";

int usage_error(const std::string& problem) {
    std::fprintf(stderr, "build_vm: %s (see build_vm --help)\n", problem.c_str());
    return kExitUsage;
}

int invalid(const std::string& problem) {
    std::fprintf(stderr, "build_vm: %s\n", problem.c_str());
    return kExitInvalid;
}

// A <memmap> region is valid in an image but only runs where the host's
// administrator granted its host range to v3vee.ko: say so before the
// module refuses it at creation.
void warn_about_passthrough(const v3::config::GuestImage& guest, const std::string& where) {
    for (const v3::config::MemoryRegionConfig& r : guest.config.memmap)
        std::fprintf(stderr,
                     "build_vm: warning: %s: /vm/memmap region 0x%llx-0x%llx maps host physical "
                     "0x%llx-0x%llx into the guest; v3vee.ko refuses it unless the host's "
                     "administrator reserved that range (memmap= on the kernel command line) "
                     "and granted it (v3vee.ko passthrough=SIZE@START)\n",
                     where.c_str(), (unsigned long long)r.start, (unsigned long long)r.end,
                     (unsigned long long)r.host_addr,
                     (unsigned long long)(r.host_addr + (r.end - r.start)));
}

// Validates `image` exactly as the kernel will and prints the summary.
int check_and_describe(const std::vector<std::uint8_t>& image, const std::string& image_path) {
    v3::config::Diagnostic diag{};
    auto guest = v3::config::load_guest_image(image.data(), image.size(), diag);
    if (!guest)
        return invalid(image_path + ": " + diag.message);
    if (!v3::config::check_bootable(guest.value(), diag))
        return invalid(image_path + ": " + diag.message);
    warn_about_passthrough(guest.value(), image_path);
    build_vm::print_summary(stdout, guest.value(), image_path, image.size());
    return kExitOk;
}

int build(const std::string& config_path, const std::string& image_path) {
    std::vector<std::uint8_t> image;
    std::string error;
    if (!build_vm::build_image(config_path, image, error))
        return invalid(error);
    // Checking what was just built catches any disagreement between the
    // writer and the reader before the image reaches the kernel.
    v3::config::Diagnostic diag{};
    auto guest = v3::config::load_guest_image(image.data(), image.size(), diag);
    if (!guest)
        return invalid("internal error: the image built from " + config_path +
                       " does not load: " + diag.message);
    // What V3_CREATE_GUEST refuses beyond the container and the XML, with
    // the module's own message.
    if (!v3::config::check_bootable(guest.value(), diag))
        return invalid(config_path + ": " + diag.message);
    if (!build_vm::write_file_atomically(image_path, image, error))
        return invalid(error);
    warn_about_passthrough(guest.value(), config_path);
    build_vm::print_summary(stdout, guest.value(), image_path, image.size());
    return kExitOk;
}

int check(const std::string& image_path) {
    std::vector<std::uint8_t> image;
    std::string error;
    if (!build_vm::read_file(image_path, image, error))
        return invalid(error);
    return check_and_describe(image, image_path);
}

} // namespace

int main(int argc, char** argv) {
    static v3_host_services host = v3::hosted::make_host_services();
    v3::set_host(&host);

    std::string config_path, image_path, check_path;
    bool check_mode = false;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        if (arg == "-h" || arg == "--help") {
            std::fputs(kUsage, stdout);
            return kExitOk;
        }
        if (arg == "--version") {
            std::fputs(v3ctl::versionText("build_vm").c_str(), stdout);
            return kExitOk;
        }
        if (arg == "-o" || arg == "--output") {
            if (i + 1 >= argc)
                return usage_error(arg + " needs an IMAGE path");
            if (!image_path.empty())
                return usage_error("-o given twice");
            image_path = argv[++i];
        } else if (arg == "--check") {
            if (i + 1 >= argc)
                return usage_error("--check needs an IMAGE path");
            if (check_mode)
                return usage_error("--check given twice");
            check_mode = true;
            check_path = argv[++i];
        } else if (arg.size() > 1 && arg[0] == '-') {
            return usage_error("unknown option '" + arg + "'");
        } else if (config_path.empty()) {
            config_path = arg;
        } else {
            return usage_error("more than one CONFIG.xml given ('" + config_path + "' and '" + arg +
                               "')");
        }
    }

    if (check_mode) {
        if (!config_path.empty() || !image_path.empty())
            return usage_error("--check takes only the IMAGE path");
        return check(check_path);
    }
    if (config_path.empty())
        return usage_error("no CONFIG.xml given");
    if (image_path.empty())
        return usage_error("no output image given (-o IMAGE)");
    return build(config_path, image_path);
}
