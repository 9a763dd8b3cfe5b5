// The byte format devices save their state in for checkpoints. A snapshot is
// a sequence of named sections (one per device, named by device id); inside,
// a device writes its fields in a fixed order with a leading version byte and
// reads them back in the same order. Every read is bounds-checked: a short or
// corrupt snapshot is an error, never an overrun.
#pragma once

#include "lib/result.h"
#include "lib/string_view.h"
#include "lib/vector.h"

namespace v3::chkpt {

class Writer {
public:
    explicit Writer(Vector<u8>& out) : out_(out) {}
    Result<void> u8_(u8 v) { return bytes(&v, 1); }
    Result<void> u16_(u16 v) { return little_endian(v, 2); }
    Result<void> u32_(u32 v) { return little_endian(v, 4); }
    Result<void> u64_(u64 v) { return little_endian(v, 8); }
    Result<void> bool_(bool v) { return u8_(v ? 1 : 0); }
    Result<void> bytes(const void* data, usize size);

    // A named section: begin writes the name and reserves the length, end
    // fills it in.
    Result<void> begin_section(StringView name);
    Result<void> end_section();

private:
    Result<void> little_endian(u64 v, unsigned size);
    Vector<u8>& out_;
    usize section_length_at_ = 0;
    bool in_section_ = false;
};

class Reader {
public:
    Reader(const u8* data, usize size) : data_(data), size_(size) {}
    Result<u8> u8_();
    Result<u16> u16_();
    Result<u32> u32_();
    Result<u64> u64_();
    Result<bool> bool_();
    Result<void> bytes(void* out, usize size);

    // Reads a section header; the section must be named `name`. The
    // returned Reader covers exactly the section's payload.
    Result<Reader> section(StringView name);
    bool at_end() const { return position_ == size_; }
    usize remaining() const { return size_ - position_; }

private:
    Result<u64> little_endian(unsigned size);
    const u8* data_;
    usize size_;
    usize position_ = 0;
};

} // namespace v3::chkpt
