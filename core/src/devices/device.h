// A virtual device. Each class lives in its own file under devices/, is
// listed in devices/registry.cpp by its Palacios class name, and is created
// from its <device> element in config order. A device registers its own
// hooks (ports, memory, IRQ controller, events, time) when created and
// releases them in its destructor.
#pragma once

#include "chkpt/snapshot.h"
#include "config/diagnostic.h"
#include "devices/char_device.h"
#include "lib/result.h"
#include "lib/string.h"

namespace v3::devices {

class Device {
public:
    virtual ~Device() = default;
    Device(const Device&) = delete;
    Device& operator=(const Device&) = delete;

    virtual StringView class_name() const = 0;
    StringView id() const { return id_.view(); }

    // Checkpointing: write every piece of guest-visible state, and read it
    // back in the same order. A device without state keeps the defaults.
    virtual Result<void> save(chkpt::Writer&) const { return {}; }
    virtual Result<void> load(chkpt::Reader&) { return {}; }

    // Devices that a character backend (CHAR_STREAM, ...) can attach to
    // override this: `frontend` is the backend's <frontend tag="..."> element
    // (it may carry per-frontend settings such as com_port). Returns the
    // frontend the backend delivers host input to.
    virtual Result<CharFrontend*> attach_char_backend(const xml::Element& frontend,
                                                      CharBackend& backend,
                                                      config::Diagnostic& diag);

protected:
    Device() = default;
    // Called by the registry right after creation.
    friend class DeviceManager;
    String id_;
};

} // namespace v3::devices
