// The 6845 CRT controller's register file as CGA_VIDEO exposes it at
// 0x3D4 (index) / 0x3D5 (data): the registers a text console programs —
// cursor shape (0x0A/0x0B), display start address (0x0C/0x0D, the
// hardware scroll) and cursor location (0x0E/0x0F) — plus the timing
// registers, which are stored and read back but change nothing. The VGA
// extends the file to 0x18 registers; all of them are kept.
#pragma once

#include "chkpt/snapshot.h"
#include "lib/result.h"
#include "lib/types.h"

namespace v3::devices {

namespace crtc {
inline constexpr u8 kRegisterCount = 0x19;
inline constexpr u8 kMaxScanLine = 0x09;
inline constexpr u8 kCursorStart = 0x0A;
inline constexpr u8 kCursorEnd = 0x0B;
inline constexpr u8 kStartHigh = 0x0C;
inline constexpr u8 kStartLow = 0x0D;
inline constexpr u8 kCursorHigh = 0x0E;
inline constexpr u8 kCursorLow = 0x0F;
inline constexpr u8 kCursorDisabled = 0x20; // cursor start bit 5
} // namespace crtc

class Crtc6845 {
public:
    Crtc6845();

    void write_index(u8 value) { index_ = value; }
    u8 index() const { return index_; }
    // The selected register; an index past the file reads 0xFF and
    // ignores writes, as on an open bus.
    u8 read_data() const;
    void write_data(u8 value);

    u8 reg(u8 index) const { return index < crtc::kRegisterCount ? regs_[index] : 0xff; }
    u16 start_address() const { return u16(regs_[crtc::kStartHigh] << 8 | regs_[crtc::kStartLow]); }
    u16 cursor_address() const {
        return u16(regs_[crtc::kCursorHigh] << 8 | regs_[crtc::kCursorLow]);
    }
    u8 cursor_start_line() const { return regs_[crtc::kCursorStart] & 0x1f; }
    u8 cursor_end_line() const { return regs_[crtc::kCursorEnd] & 0x1f; }
    bool cursor_enabled() const { return !(regs_[crtc::kCursorStart] & crtc::kCursorDisabled); }
    // Scan lines per character row (maximum scan line + 1).
    u8 cell_height() const { return u8((regs_[crtc::kMaxScanLine] & 0x1f) + 1); }

    Result<void> save(chkpt::Writer& writer) const;
    Result<void> load(chkpt::Reader& reader);

private:
    u8 index_ = 0;
    u8 regs_[crtc::kRegisterCount];
};

} // namespace v3::devices
