#include "devices/vga_text_registers.h"

namespace v3::devices {

namespace {
// Mode 3's attribute controller: the 16 EGA palette entries, mode control
// 0x0C (line graphics, blink), overscan 0, all planes, no panning.
constexpr u8 kMode3Attributes[vga::kAttributeRegisters] = {
    0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x14, 0x07, 0x38, 0x39, 0x3a,
    0x3b, 0x3c, 0x3d, 0x3e, 0x3f, 0x0c, 0x00, 0x0f, 0x08, 0x00};

enum : u16 {
    kAttributeIndex = 0x0, // write: index or data (flip-flop); read: index
    kAttributeData = 0x1,  // read: the selected register
    kMiscWrite = 0x2,      // write: misc output; read: input status 0
    kSequencerIndex = 0x4,
    kSequencerData = 0x5,
    kDacMask = 0x6,
    kDacReadIndex = 0x7, // write; read: DAC state
    kDacWriteIndex = 0x8,
    kDacData = 0x9,
    kFeatureRead = 0xa,
    kMiscRead = 0xc,
    kGraphicsIndex = 0xe,
    kGraphicsData = 0xf,
};
} // namespace

VgaTextRegisters::VgaTextRegisters() {
    for (u8 i = 0; i < vga::kAttributeRegisters; ++i)
        attribute_[i] = kMode3Attributes[i];
    // A grey ramp is as good a default as any: text mode shows the
    // attribute colours, never the DAC.
    for (unsigned i = 0; i < sizeof dac_; ++i)
        dac_[i] = u8((i / 3) & 0x3f);
}

u8 VgaTextRegisters::read(u16 offset) {
    switch (offset) {
    case kAttributeIndex:
        return attribute_index_;
    case kAttributeData:
        return attribute_[(attribute_index_ & 0x1f) % vga::kAttributeRegisters];
    case kMiscWrite:
        return 0x10; // input status 0: switch sense high, no retrace interrupt
    case kSequencerIndex:
        return sequencer_index_;
    case kSequencerData:
        return sequencer_index_ < vga::kSequencerRegisters ? sequencer_[sequencer_index_] : 0xff;
    case kDacMask:
        return dac_mask_;
    case kDacReadIndex:
        return dac_last_was_read_ ? 0x03 : 0x00;
    case kDacWriteIndex:
        return dac_write_index_;
    case kDacData: {
        u8 value = dac_[dac_read_index_ * 3 + dac_read_component_];
        if (++dac_read_component_ == 3) {
            dac_read_component_ = 0;
            ++dac_read_index_;
        }
        return value;
    }
    case kFeatureRead:
        return 0x00;
    case kMiscRead:
        return misc_output_;
    case kGraphicsIndex:
        return graphics_index_;
    case kGraphicsData:
        return graphics_index_ < vga::kGraphicsRegisters ? graphics_[graphics_index_] : 0xff;
    default:
        return 0xff;
    }
}

void VgaTextRegisters::write(u16 offset, u8 value) {
    switch (offset) {
    case kAttributeIndex:
        if (attribute_expects_data_) {
            u8 index = attribute_index_ & 0x1f;
            if (index < vga::kAttributeRegisters)
                attribute_[index] = value;
        } else {
            attribute_index_ = value & 0x3f;
        }
        attribute_expects_data_ = !attribute_expects_data_;
        return;
    case kMiscWrite:
        misc_output_ = value;
        return;
    case kSequencerIndex:
        sequencer_index_ = value;
        return;
    case kSequencerData:
        if (sequencer_index_ < vga::kSequencerRegisters)
            sequencer_[sequencer_index_] = value;
        return;
    case kDacMask:
        dac_mask_ = value;
        return;
    case kDacReadIndex:
        dac_read_index_ = value;
        dac_read_component_ = 0;
        dac_last_was_read_ = true;
        return;
    case kDacWriteIndex:
        dac_write_index_ = value;
        dac_write_component_ = 0;
        dac_last_was_read_ = false;
        return;
    case kDacData:
        dac_[dac_write_index_ * 3 + dac_write_component_] = value & 0x3f;
        if (++dac_write_component_ == 3) {
            dac_write_component_ = 0;
            ++dac_write_index_;
        }
        return;
    case kGraphicsIndex:
        graphics_index_ = value;
        return;
    case kGraphicsData:
        if (graphics_index_ < vga::kGraphicsRegisters)
            graphics_[graphics_index_] = value;
        return;
    default:
        return; // read-only or unused ports ignore writes, as on a VGA
    }
}

Result<void> VgaTextRegisters::save(chkpt::Writer& writer) const {
    TRY(writer.bytes(attribute_, sizeof attribute_));
    TRY(writer.u8_(attribute_index_));
    TRY(writer.bool_(attribute_expects_data_));
    TRY(writer.u8_(misc_output_));
    TRY(writer.bytes(sequencer_, sizeof sequencer_));
    TRY(writer.u8_(sequencer_index_));
    TRY(writer.bytes(graphics_, sizeof graphics_));
    TRY(writer.u8_(graphics_index_));
    TRY(writer.bytes(dac_, sizeof dac_));
    TRY(writer.u8_(dac_mask_));
    TRY(writer.u8_(dac_read_index_));
    TRY(writer.u8_(dac_write_index_));
    TRY(writer.u8_(dac_read_component_));
    TRY(writer.u8_(dac_write_component_));
    TRY(writer.bool_(dac_last_was_read_));
    return {};
}

Result<void> VgaTextRegisters::load(chkpt::Reader& reader) {
    VgaTextRegisters loaded;
    TRY(reader.bytes(loaded.attribute_, sizeof loaded.attribute_));
    loaded.attribute_index_ = TRY(reader.u8_());
    loaded.attribute_expects_data_ = TRY(reader.bool_());
    loaded.misc_output_ = TRY(reader.u8_());
    TRY(reader.bytes(loaded.sequencer_, sizeof loaded.sequencer_));
    loaded.sequencer_index_ = TRY(reader.u8_());
    TRY(reader.bytes(loaded.graphics_, sizeof loaded.graphics_));
    loaded.graphics_index_ = TRY(reader.u8_());
    TRY(reader.bytes(loaded.dac_, sizeof loaded.dac_));
    loaded.dac_mask_ = TRY(reader.u8_());
    loaded.dac_read_index_ = TRY(reader.u8_());
    loaded.dac_write_index_ = TRY(reader.u8_());
    loaded.dac_read_component_ = TRY(reader.u8_()) % 3;
    loaded.dac_write_component_ = TRY(reader.u8_()) % 3;
    loaded.dac_last_was_read_ = TRY(reader.bool_());
    *this = loaded;
    return {};
}

} // namespace v3::devices
