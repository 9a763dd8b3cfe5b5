#include "vm/host_stream_provider.h"
#include "lib/host.h"

namespace v3 {

class HostServiceStreams::Stream final : public HostStream {
public:
    Stream(HostServiceStreams& owner, void* handle, StreamSink& sink)
        : owner_(owner), handle_(handle), sink_(sink) {}
    ~Stream() override {
        owner_.forget(this);
        host().stream_close(handle_);
    }
    usize write(const u8* data, usize size) override {
        return host().stream_write(handle_, data, size);
    }
    // Input the sink did not take yet stays here for the next poll.
    void poll() {
        if (pending_ == 0)
            pending_ = host().stream_read(handle_, buffer_, sizeof buffer_);
        while (pending_ > 0) {
            usize taken = sink_.deliver(buffer_ + offset_, pending_);
            if (taken == 0)
                return;
            offset_ += taken;
            pending_ -= taken;
            if (pending_ == 0) {
                offset_ = 0;
                pending_ = host().stream_read(handle_, buffer_, sizeof buffer_);
            }
        }
        offset_ = 0;
    }

private:
    HostServiceStreams& owner_;
    void* handle_;
    StreamSink& sink_;
    u8 buffer_[64];
    usize pending_ = 0;
    usize offset_ = 0;
};

Result<OwnPtr<HostStream>> HostServiceStreams::open_stream(StringView name, StreamSink& sink) {
    char cname[64];
    if (name.length() >= sizeof cname)
        return make_error(Errno::Inval, "stream name is too long");
    for (usize i = 0; i < name.length(); ++i)
        cname[i] = name[i];
    cname[name.length()] = 0;
    if (!streams_.try_reserve(streams_.size() + 1))
        return make_error(Errno::NoMem, "out of memory for a stream");
    void* handle = host().stream_open(host_vm_, cname);
    if (!handle)
        return make_error(Errno::NoMem, "the host could not open the stream");
    Stream* stream = new (alloc) Stream(*this, handle, sink);
    if (!stream) {
        host().stream_close(handle);
        return make_error(Errno::NoMem, "out of memory for a stream");
    }
    (void)streams_.try_append(stream);
    host().stream_set_input_notify(handle, input_arrived, this);
    return OwnPtr<HostStream>(stream);
}

void HostServiceStreams::set_input_waker(void (*wake)(void* arg), void* arg) {
    wake_ = wake;
    __atomic_store_n(&wake_arg_, arg, __ATOMIC_RELEASE);
}

void HostServiceStreams::input_arrived(void* self) {
    auto* streams = static_cast<HostServiceStreams*>(self);
    if (void* arg = __atomic_load_n(&streams->wake_arg_, __ATOMIC_ACQUIRE))
        streams->wake_(arg);
}

void HostServiceStreams::forget(Stream* stream) {
    for (usize i = 0; i < streams_.size(); ++i)
        if (streams_[i] == stream) {
            streams_.remove(i);
            return;
        }
}

void HostServiceStreams::poll_input() {
    for (Stream* s : streams_)
        s->poll();
}

} // namespace v3
