// CGA_VIDEO: a colour text display as Palacios' CGA_VIDEO device models it:
// the 80x25 text buffer at 0xB8000-0xBFFFF (32 KiB), the 6845 CRTC at
// 0x3D4/0x3D5 (crtc_6845.h), the CGA mode, colour-select and status
// registers at 0x3D8-0x3DA, and the VGA text-mode registers at
// 0x3C0-0x3CF (vga_text_registers.h), enough for Linux's vgacon and for a
// BIOS-less guest.
//
// The text buffer is the guest's own RAM at that address: guest writes to
// it cost no exit. A console frontend (CURSES_CONSOLE) takes snapshots of
// it (snapshot()) and finds the changes by comparison, at a bounded rate.
//
// The status register (0x3DA) alternates its display-enable (bit 0) and
// vertical-retrace (bit 3) bits as software polls it, so loops that wait
// for retrace to start and end both finish; reading it also resets the
// attribute controller's flip-flop, as on a VGA.
//
// Configuration, as in the Palacios manual:
//   <device class="CGA_VIDEO" id="cga" passthrough="disable"/>
// passthrough="enable" (showing the guest's text on the host's own VGA
// text buffer) is refused with a config error: the host's console belongs
// to the host. A text console for it: a CURSES_CONSOLE device whose
// <frontend tag="cga"/> names this device.
#pragma once

#include "config/vm_config.h"
#include "devices/crtc_6845.h"
#include "devices/device.h"
#include "devices/registry.h"
#include "devices/vga_text_registers.h"
#include "hooks/byte_wide_ports.h"
#include "v3/host.h"

namespace v3 {
class Vm;
}

namespace v3::devices {

namespace cga {
inline constexpr u64 kTextBufferAddress = 0xb8000;
inline constexpr u64 kTextBufferSize = 0x8000;
inline constexpr u16 kColumns = 80;
inline constexpr u16 kRows = 25;
inline constexpr usize kScreenBytes = usize(kColumns) * kRows * 2;
inline constexpr u16 kCrtcIndexPort = 0x3d4;
inline constexpr u16 kCrtcDataPort = 0x3d5;
inline constexpr u16 kModePort = 0x3d8;
inline constexpr u16 kColourSelectPort = 0x3d9;
inline constexpr u16 kStatusPort = 0x3da;
inline constexpr u8 kStatusDisplayInactive = 0x01;
inline constexpr u8 kStatusVerticalRetrace = 0x08;
inline constexpr u8 kModeBlink = 0x20;
// 80x25 text, video on, blink (what the BIOS leaves in mode 3).
inline constexpr u8 kDefaultMode = 0x29;
} // namespace cga

class CgaVideo final : public Device, public ByteWidePorts {
public:
    static Result<void> validate(const config::DeviceEntry& entry, const config::VmConfig& config,
                                 config::Diagnostic& diag);
    static Result<OwnPtr<Device>> create(Vm& vm, const config::DeviceEntry& entry,
                                         config::Diagnostic& diag);
    ~CgaVideo() override;

    StringView class_name() const override { return "CGA_VIDEO"; }

    // The screen as the display shows it now: `cells` (kScreenBytes) gets
    // the 80x25 cells from the display start address on, `state` the
    // geometry, blink mode and cursor (state.cells points at `cells`).
    void snapshot(v3_console_state& state, u8* cells) const;

    const Crtc6845& crtc() const { return crtc_; }
    const VgaTextRegisters& vga() const { return vga_; }
    u8 mode() const { return mode_; }

    Result<void> save(chkpt::Writer& writer) const override;
    Result<void> load(chkpt::Reader& reader) override;

protected:
    u8 read_port(u16 port) override;
    void write_port(u16 port, u8 value) override;

private:
    CgaVideo(Vm& vm, const u8* text) : vm_(vm), text_(text) {}
    u8 read_status();

    Vm& vm_;
    const u8* text_; // the guest RAM behind 0xB8000, kTextBufferSize bytes
    Crtc6845 crtc_;
    VgaTextRegisters vga_;
    u8 mode_ = cga::kDefaultMode;
    u8 colour_select_ = 0;
    u32 status_reads_ = 0;
};

} // namespace v3::devices
