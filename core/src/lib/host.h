// Access to the host services table handed to v3_init. The pointer is set
// once by v3_init and cleared by v3_shutdown; no global constructor is
// involved (it is constant-initialized).
#pragma once

#include <v3/host.h>

namespace v3 {

const v3_host_services& host();
bool host_is_set();
void set_host(const v3_host_services* services);

} // namespace v3
