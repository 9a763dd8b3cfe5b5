#include "devices/crtc_6845.h"

namespace v3::devices {

namespace {
// The VGA BIOS's 80x25 colour text mode (mode 3): 16-line cells, cursor
// on lines 13-14, start address and cursor at 0.
constexpr u8 kMode3Registers[crtc::kRegisterCount] = {
    0x5f, 0x4f, 0x50, 0x82, 0x55, 0x81, 0xbf, 0x1f, 0x00, 0x4f, 0x0d, 0x0e, 0x00,
    0x00, 0x00, 0x00, 0x9c, 0x8e, 0x8f, 0x28, 0x1f, 0x96, 0xb9, 0xa3, 0xff};
} // namespace

Crtc6845::Crtc6845() {
    for (u8 i = 0; i < crtc::kRegisterCount; ++i)
        regs_[i] = kMode3Registers[i];
}

u8 Crtc6845::read_data() const {
    return reg(index_);
}

void Crtc6845::write_data(u8 value) {
    if (index_ < crtc::kRegisterCount)
        regs_[index_] = value;
}

Result<void> Crtc6845::save(chkpt::Writer& writer) const {
    TRY(writer.u8_(index_));
    TRY(writer.bytes(regs_, sizeof regs_));
    return {};
}

Result<void> Crtc6845::load(chkpt::Reader& reader) {
    u8 index = TRY(reader.u8_());
    u8 regs[crtc::kRegisterCount];
    TRY(reader.bytes(regs, sizeof regs));
    index_ = index;
    for (u8 i = 0; i < crtc::kRegisterCount; ++i)
        regs_[i] = regs[i];
    return {};
}

} // namespace v3::devices
