#include "lib/host.h"

namespace v3 {

namespace {
const v3_host_services* g_host = nullptr;
}

const v3_host_services& host() {
    return *g_host;
}
bool host_is_set() {
    return g_host != nullptr;
}
void set_host(const v3_host_services* services) {
    g_host = services;
}

} // namespace v3
