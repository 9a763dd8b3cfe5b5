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

    // Whom host input wakes (the VM's cores, so a halted guest takes it at
    // once). The streams open while the Vm is built, so this comes after;
    // input that arrives before is taken on the first pass.
    void set_input_waker(void (*wake)(void* arg), void* arg);

private:
    class Stream;
    friend class Stream;
    void forget(Stream* stream);
    // The host's input notification for every stream (any thread).
    static void input_arrived(void* self);

    void* host_vm_;
    void (*wake_)(void* arg) = nullptr;
    void* volatile wake_arg_ = nullptr; // published after wake_
    Vector<Stream*> streams_;
};

} // namespace v3
