// Which CPU backend runs a VM, chosen once when the VM is created. AMD SVM is
// the only one today; Intel VMX will be chosen here on a CPU that has it.
#pragma once

#include "vm/vcore.h"

namespace v3 {

class Vm;

// The backend for this host's CPU, built for `vm` (whose memory map and
// devices are complete).
Result<OwnPtr<VcoreBackend>> create_cpu_backend(Vm& vm);

} // namespace v3
