#include "chkpt/snapshot.h"

namespace v3::chkpt {

Result<void> Writer::bytes(const void* data, usize size) {
    if (!out_.try_reserve(out_.size() + size))
        return make_error(Errno::NoMem, "out of memory for a snapshot");
    const u8* p = static_cast<const u8*>(data);
    for (usize i = 0; i < size; ++i)
        (void)out_.try_append(p[i]);
    return {};
}

Result<void> Writer::little_endian(u64 v, unsigned size) {
    u8 buffer[8];
    for (unsigned i = 0; i < size; ++i)
        buffer[i] = u8(v >> (8 * i));
    return bytes(buffer, size);
}

Result<void> Writer::begin_section(StringView name) {
    if (in_section_)
        return make_error(Errno::Inval, "snapshot sections do not nest");
    if (name.length() > 255)
        return make_error(Errno::Inval, "snapshot section name is longer than 255 bytes");
    TRY(u8_(u8(name.length())));
    TRY(bytes(name.data(), name.length()));
    section_length_at_ = out_.size();
    TRY(u32_(0));
    in_section_ = true;
    return {};
}

Result<void> Writer::end_section() {
    if (!in_section_)
        return make_error(Errno::Inval, "no snapshot section is open");
    usize length = out_.size() - section_length_at_ - 4;
    for (unsigned i = 0; i < 4; ++i)
        out_[section_length_at_ + i] = u8(length >> (8 * i));
    in_section_ = false;
    return {};
}

Result<void> Reader::bytes(void* out, usize size) {
    if (size > size_ - position_)
        return make_error(Errno::Inval, "snapshot is truncated");
    u8* p = static_cast<u8*>(out);
    for (usize i = 0; i < size; ++i)
        p[i] = data_[position_ + i];
    position_ += size;
    return {};
}

Result<u64> Reader::little_endian(unsigned size) {
    u8 buffer[8];
    TRY(bytes(buffer, size));
    u64 v = 0;
    for (unsigned i = 0; i < size; ++i)
        v |= u64(buffer[i]) << (8 * i);
    return v;
}

Result<u8> Reader::u8_() {
    return u8(TRY(little_endian(1)));
}
Result<u16> Reader::u16_() {
    return u16(TRY(little_endian(2)));
}
Result<u32> Reader::u32_() {
    return u32(TRY(little_endian(4)));
}
Result<u64> Reader::u64_() {
    return TRY(little_endian(8));
}

Result<bool> Reader::bool_() {
    u8 v = TRY(u8_());
    if (v > 1)
        return make_error(Errno::Inval, "snapshot holds an invalid boolean");
    return v == 1;
}

Result<Reader> Reader::section(StringView name) {
    u8 length = TRY(u8_());
    char found[256];
    TRY(bytes(found, length));
    if (!(StringView(found, length) == name))
        return make_error(Errno::Inval, "snapshot section is not the expected device's");
    u32 payload = TRY(u32_());
    if (payload > size_ - position_)
        return make_error(Errno::Inval, "snapshot section runs past the end");
    Reader inner(data_ + position_, payload);
    position_ += payload;
    return inner;
}

} // namespace v3::chkpt
