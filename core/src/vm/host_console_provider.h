// The ConsoleProvider for a VM run by a real host: the host services'
// console_open/update/read_keys/close on the host's per-VM handle.
#pragma once

#include "vm/host_console.h"

namespace v3 {

class HostServiceConsoles final : public ConsoleProvider {
public:
    explicit HostServiceConsoles(void* host_vm) : host_vm_(host_vm) {}
    Result<OwnPtr<HostConsole>> open_console() override;

private:
    void* host_vm_;
};

} // namespace v3
