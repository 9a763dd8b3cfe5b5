// A VM's text console on the host side (Palacios' console interface): the
// CURSES_CONSOLE device hands the host the guest's text screen when it
// changes and takes the scan codes the host queued for the keyboard. The
// embedding provides the implementation: the kernel glue serves
// V3_VM_CONSOLE_CONNECT descriptors from it; tests use an in-memory one.
#pragma once

#include "lib/alloc.h"
#include "lib/result.h"
#include "v3/host.h"

namespace v3 {

class HostConsole {
public:
    virtual ~HostConsole() = default;
    // The screen as it is now (state.cells valid during the call). Never
    // blocks.
    virtual void update(const v3_console_state& state) = 0;
    // Takes up to `size` pending set-1 scan codes; 0 when there are none.
    virtual usize read_keys(u8* codes, usize size) = 0;
};

class ConsoleProvider {
public:
    virtual ~ConsoleProvider() = default;
    // Opens this VM's console (one per VM).
    virtual Result<OwnPtr<HostConsole>> open_console() = 0;
};

} // namespace v3
