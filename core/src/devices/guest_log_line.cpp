#include "devices/guest_log_line.h"
#include "lib/log.h"
#include "vm/vm.h"

namespace v3::devices {

namespace {

constexpr u8 kSaveVersion = 1;

bool is_printable(u8 byte) {
    return byte >= 0x20 && byte <= 0x7E;
}

} // namespace

void GuestLogLine::put(u8 byte) {
    if (byte == '\n') {
        StringView name = vm_.name();
        V3_INFO("v3vee: VM %.*s %s: %.*s\n", int(name.length()), name.data(), source_, int(length_),
                text_);
        length_ = 0;
    } else if (byte == '\r') {
        // dropped: CR LF ends a line like LF
    } else if (byte == '\\') {
        append("\\\\", 2);
    } else if (is_printable(byte)) {
        char c = char(byte);
        append(&c, 1);
    } else {
        const char* hex = "0123456789abcdef";
        char escaped[4] = {'\\', 'x', hex[byte >> 4], hex[byte & 0x0F]};
        append(escaped, sizeof escaped);
    }
}

void GuestLogLine::flush() {
    if (length_ > 0)
        put('\n');
}

void GuestLogLine::append(const char* chars, usize count) {
    if (length_ + count > kMaxLine)
        flush(); // an escape sequence is never split across lines
    for (usize i = 0; i < count; ++i)
        text_[length_++] = chars[i];
    if (length_ == kMaxLine)
        flush();
}

Result<void> GuestLogLine::save(chkpt::Writer& w) const {
    TRY(w.u8_(kSaveVersion));
    TRY(w.u16_(u16(length_)));
    TRY(w.bytes(text_, length_));
    return {};
}

Result<void> GuestLogLine::load(chkpt::Reader& r) {
    u8 version = TRY(r.u8_());
    if (version != kSaveVersion)
        return make_error(Errno::Inval, "debug-port snapshot has an unknown version");
    u16 length = TRY(r.u16_());
    if (length >= kMaxLine)
        return make_error(Errno::Inval, "debug-port snapshot holds an overlong line");
    char text[kMaxLine];
    TRY(r.bytes(text, length));
    for (usize i = 0; i < length; ++i)
        if (!is_printable(u8(text[i])))
            return make_error(Errno::Inval, "debug-port snapshot holds unescaped characters");
    for (usize i = 0; i < length; ++i)
        text_[i] = text[i];
    length_ = length;
    return {};
}

} // namespace v3::devices
