// Guest debug text on its way to the host log, one line at a time (used by
// BOCHS_DEBUG and OS_DEBUG). Bytes collect until a newline, or until the
// line holds kMaxLine characters, and then go out as one V3_INFO line:
//   v3vee: VM <vm name> <source>: <text>
// The guest cannot put control characters into the host's log: bytes
// outside printable ASCII are written as \xNN and a backslash as \\ (so the
// text reads back unambiguously); carriage returns are dropped, since
// guests end lines with CR LF. Whatever is pending when the device goes
// away is written out as a last line.
#pragma once

#include "chkpt/snapshot.h"
#include "lib/result.h"
#include "lib/string_view.h"

namespace v3 {
class Vm;
}

namespace v3::devices {

class GuestLogLine {
public:
    static constexpr usize kMaxLine = 256;

    // `source` names the log line's origin ("bochs", "guest"); a literal.
    GuestLogLine(const Vm& vm, const char* source) : vm_(vm), source_(source) {}
    ~GuestLogLine() { flush(); }
    GuestLogLine(const GuestLogLine&) = delete;
    GuestLogLine& operator=(const GuestLogLine&) = delete;

    void put(u8 byte);
    // Writes the pending text, if any, as a line.
    void flush();
    StringView pending() const { return {text_, length_}; }

    Result<void> save(chkpt::Writer& writer) const;
    Result<void> load(chkpt::Reader& reader);

private:
    void append(const char* chars, usize count);

    const Vm& vm_;
    const char* source_;
    char text_[kMaxLine];
    usize length_ = 0;
};

} // namespace v3::devices
