// Named byte streams between a VM and the host (Palacios' stream interface):
// the host side is a CHAR_STREAM device's "name" (com1, ...), which userspace
// opens through /dev/v3-vmN. The embedding provides the implementation: the
// kernel glue buffers guest output in a ring that never blocks; tests use an
// in-memory one.
#pragma once

#include "lib/alloc.h"
#include "lib/result.h"
#include "lib/string_view.h"

namespace v3 {

class HostStream {
public:
    virtual ~HostStream() = default;
    // Guest to host. Never blocks; returns how many bytes were taken.
    virtual usize write(const u8* data, usize size) = 0;
};

// Host-to-guest input for one stream.
class StreamSink {
public:
    virtual ~StreamSink() = default;
    virtual usize deliver(const u8* data, usize size) = 0;
};

class StreamProvider {
public:
    virtual ~StreamProvider() = default;
    // Opens the stream `name` of this VM; host input goes to `sink`.
    virtual Result<OwnPtr<HostStream>> open_stream(StringView name, StreamSink& sink) = 0;
    // Delivers pending host input to the sinks. The run loop calls it with
    // the VM's device lock held, so devices only ever see input on a core
    // thread.
    virtual void poll_input() {}
};

} // namespace v3
