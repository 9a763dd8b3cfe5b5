// The two halves of a character connection: a frontend is the guest-visible
// device (a UART), a backend carries its bytes to and from the host (a named
// host stream). Neither side may block: the guest never waits on the host.
#pragma once

#include "lib/types.h"

namespace v3::devices {

class CharBackend {
public:
    virtual ~CharBackend() = default;
    // Guest output. Returns how many bytes the backend took; the frontend
    // drops (and counts) the rest, as a UART with nobody listening does.
    virtual usize write_to_host(const u8* data, usize size) = 0;
};

class CharFrontend {
public:
    virtual ~CharFrontend() = default;
    // Host input for the guest. Returns how many bytes the frontend accepted
    // (a full receive FIFO takes no more).
    virtual usize receive_from_host(const u8* data, usize size) = 0;
};

} // namespace v3::devices
