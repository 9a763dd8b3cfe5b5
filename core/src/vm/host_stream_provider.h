// The StreamProvider for a VM run by a real host: streams are the host
// services' stream_open/read/write/close on the host's per-VM handle.
#pragma once

#include "lib/vector.h"
#include "vm/host_streams.h"

namespace v3 {

class HostServiceStreams final : public StreamProvider {
public:
    explicit HostServiceStreams(void* host_vm) : host_vm_(host_vm) {}
    ~HostServiceStreams() override = default;

    Result<OwnPtr<HostStream>> open_stream(StringView name, StreamSink& sink) override;
    void poll_input() override;

private:
    class Stream;
    friend class Stream;
    void forget(Stream* stream);

    void* host_vm_;
    Vector<Stream*> streams_;
};

} // namespace v3
