#include "tool.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>

namespace v3tools {

int run_create(const Invocation& call, v3ctl::HostConnection& host) {
    const std::string& path = call.args[0];
    const std::string& name = call.args[1];
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        fail_line(call, "cannot read image '" + path + "': " + std::strerror(errno));
        return kExitFailed;
    }
    std::vector<uint8_t> image((std::istreambuf_iterator<char>(in)),
                               std::istreambuf_iterator<char>());
    auto index = host.createGuest(image, name);
    if (!index)
        return report(call, index.error());
    std::printf("%s\n", v3ctl::vmDeviceFile(index.value()).c_str());
    return kExitOk;
}

} // namespace v3tools
