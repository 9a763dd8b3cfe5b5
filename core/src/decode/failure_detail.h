// Why an instruction could not be decoded or emulated, in words and with the
// instruction bytes in hex. Error::message is a static sentence; this carries
// the specifics the VM's fail-stop reason needs ("... bytes: 0f 0b").
#pragma once

#include "lib/types.h"

namespace v3::decode {

struct FailureDetail {
    char text[192] = {};

    // "<reason> (bytes: 0f 0b ...)"; count is capped at 15, the longest x86
    // instruction.
    void set(const char* reason, const u8* bytes, usize count);
    // Appends " <more>" (formatted) to what set() wrote, truncating at the end.
    void append(const char* fmt, ...) __attribute__((format(printf, 2, 3)));
};

} // namespace v3::decode
