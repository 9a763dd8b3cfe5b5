// The VGA register set at 0x3C0-0x3CF as far as a text console uses it:
// the attribute controller (0x3C0 index/data with its flip-flop, 0x3C1
// read), the miscellaneous output register (write 0x3C2, read 0x3CC), the
// sequencer (0x3C4/0x3C5), the DAC (0x3C6 mask, 0x3C7/0x3C8 indexes,
// 0x3C9 data, three bytes per entry) and the graphics controller
// (0x3CE/0x3CF). Registers are stored and read back as a VGA does;
// nothing but the attribute mode's blink bit changes how the text screen
// is shown (planar graphics modes are not emulated).
#pragma once

#include "chkpt/snapshot.h"
#include "lib/result.h"
#include "lib/types.h"

namespace v3::devices {

namespace vga {
inline constexpr u16 kFirstPort = 0x3c0;
inline constexpr u16 kPortCount = 0x10;
inline constexpr u8 kAttributeRegisters = 0x15;
inline constexpr u8 kSequencerRegisters = 0x05;
inline constexpr u8 kGraphicsRegisters = 0x09;
inline constexpr u8 kAttributeModeControl = 0x10;
inline constexpr u8 kAttributeBlink = 0x08;
inline constexpr u8 kMiscColourPorts = 0x01; // misc output bit 0: CRTC at 0x3Dx
} // namespace vga

class VgaTextRegisters {
public:
    VgaTextRegisters();

    // offset is port - 0x3C0.
    u8 read(u16 offset);
    void write(u16 offset, u8 value);
    // Reading the input status register (0x3DA) puts the attribute
    // controller's flip-flop back to "index".
    void reset_attribute_flip_flop() { attribute_expects_data_ = false; }
    bool attribute_expects_data() const { return attribute_expects_data_; }

    u8 attribute(u8 index) const { return attribute_[index % vga::kAttributeRegisters]; }
    u8 misc_output() const { return misc_output_; }
    bool blink_enabled() const {
        return attribute_[vga::kAttributeModeControl] & vga::kAttributeBlink;
    }

    Result<void> save(chkpt::Writer& writer) const;
    Result<void> load(chkpt::Reader& reader);

private:
    u8 attribute_[vga::kAttributeRegisters];
    u8 attribute_index_ = 0; // bits 0-4 register, bit 5 palette address source
    bool attribute_expects_data_ = false;
    u8 misc_output_ = 0x67; // colour, RAM enabled, 28 MHz clock (mode 3)
    u8 sequencer_[vga::kSequencerRegisters] = {0x03, 0x00, 0x03, 0x00, 0x02};
    u8 sequencer_index_ = 0;
    u8 graphics_[vga::kGraphicsRegisters] = {0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x0e, 0x00, 0xff};
    u8 graphics_index_ = 0;
    u8 dac_[256 * 3];
    u8 dac_mask_ = 0xff;
    u8 dac_read_index_ = 0, dac_write_index_ = 0;
    u8 dac_read_component_ = 0, dac_write_component_ = 0;
    bool dac_last_was_read_ = false;
};

} // namespace v3::devices
