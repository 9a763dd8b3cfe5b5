// A fixed-size FIFO of bytes, the buffer a PS/2 device or the 8042 keeps
// between producing a byte and the guest reading it. Appends are all or
// nothing, so a multi-byte scan code or mouse packet is never cut in half.
#pragma once

#include "chkpt/snapshot.h"
#include "lib/result.h"
#include "lib/types.h"

namespace v3::devices {

template <usize Capacity> class Ps2ByteQueue {
    static_assert(Capacity > 0 && Capacity < 256, "the queue length is saved as one byte");

public:
    usize size() const { return size_; }
    usize room() const { return Capacity - size_; }
    bool is_empty() const { return size_ == 0; }
    static constexpr usize capacity() { return Capacity; }

    // Appends every byte, or none when they do not all fit.
    bool push_all(const u8* bytes, usize count) {
        if (count > room())
            return false;
        for (usize i = 0; i < count; ++i)
            bytes_[(head_ + size_ + i) % Capacity] = bytes[i];
        size_ += count;
        return true;
    }
    bool push(u8 byte) { return push_all(&byte, 1); }

    // The oldest byte; the queue must not be empty.
    u8 front() const { return bytes_[head_]; }
    u8 pop() {
        u8 byte = bytes_[head_];
        head_ = (head_ + 1) % Capacity;
        --size_;
        return byte;
    }
    void clear() { head_ = size_ = 0; }

    // Length, then the bytes oldest first.
    Result<void> save(chkpt::Writer& writer) const {
        TRY(writer.u8_(u8(size_)));
        for (usize i = 0; i < size_; ++i)
            TRY(writer.u8_(bytes_[(head_ + i) % Capacity]));
        return {};
    }
    Result<void> load(chkpt::Reader& reader) {
        u8 count = TRY(reader.u8_());
        if (count > Capacity)
            return make_error(Errno::Inval,
                              "snapshot holds more bytes for a PS/2 queue than it can hold");
        clear();
        for (u8 i = 0; i < count; ++i)
            bytes_[i] = TRY(reader.u8_());
        size_ = count;
        return {};
    }

private:
    u8 bytes_[Capacity] = {};
    usize head_ = 0;
    usize size_ = 0;
};

} // namespace v3::devices
