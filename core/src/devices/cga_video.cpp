#include "devices/cga_video.h"
#include "config/text_arg.h"
#include "vm/vm.h"

namespace v3::devices {

extern const DeviceClass kCgaVideoClass;
const DeviceClass kCgaVideoClass = {"CGA_VIDEO", CgaVideo::validate, CgaVideo::create};

namespace {
constexpr u8 kSaveVersion = 1;
constexpr u16 kFirstCgaPort = cga::kCrtcIndexPort;
constexpr u16 kCgaPortCount = cga::kStatusPort - cga::kCrtcIndexPort + 1;
} // namespace

// Palacios' passthrough mirrors the guest's text into the host's VGA text
// buffer; here the host's display belongs to the host, so it is refused
// rather than accepted and ignored.
Result<void> CgaVideo::validate(const config::DeviceEntry& entry, const config::VmConfig& config,
                                config::Diagnostic& diag) {
    bool passthrough = TRY(config::read_bool(*entry.element, "passthrough", false, diag));
    if (passthrough)
        return diag.fail(*entry.element,
                         "CGA_VIDEO passthrough=\"enable\" is not supported: the host's own text "
                         "display stays the host's; use passthrough=\"disable\" and a "
                         "CURSES_CONSOLE to see the guest's screen");
    if (config.memory_bytes < cga::kTextBufferAddress + cga::kTextBufferSize)
        return diag.fail(*entry.element,
                         "CGA_VIDEO needs guest memory up to 0x%llx for its text buffer",
                         (unsigned long long)(cga::kTextBufferAddress + cga::kTextBufferSize));
    return {};
}

Result<OwnPtr<Device>> CgaVideo::create(Vm& vm, const config::DeviceEntry& entry,
                                        config::Diagnostic& diag) {
    if (TRY(config::read_bool(*entry.element, "passthrough", false, diag)))
        return diag.fail(*entry.element, "CGA_VIDEO passthrough=\"enable\" is not supported");
    const u8* text = vm.memory().host_pointer(cga::kTextBufferAddress, cga::kTextBufferSize);
    if (!text)
        return diag.fail(*entry.element,
                         "CGA_VIDEO: guest RAM does not cover the text buffer 0x%llx-0x%llx",
                         (unsigned long long)cga::kTextBufferAddress,
                         (unsigned long long)(cga::kTextBufferAddress + cga::kTextBufferSize - 1));
    OwnPtr<CgaVideo> device(new (alloc) CgaVideo(vm, text));
    if (!device)
        return make_error(Errno::NoMem, "out of memory for the CGA_VIDEO device");
    struct Range {
        u16 first;
        u16 count;
    };
    const Range ranges[] = {{vga::kFirstPort, vga::kPortCount}, {kFirstCgaPort, kCgaPortCount}};
    for (const Range& range : ranges) {
        auto claimed = vm.io_ports().claim(range.first, range.count, *device, "CGA_VIDEO");
        if (claimed.is_error()) {
            vm.io_ports().release(*device);
            return diag.fail(*entry.element, "cannot claim I/O ports 0x%x-0x%x: %s (owner: %s)",
                             range.first, range.first + range.count - 1, claimed.error().message,
                             TextArg(vm.io_ports().owner_of(range.first)).c_str());
        }
    }
    return OwnPtr<Device>(move(device));
}

CgaVideo::~CgaVideo() {
    vm_.io_ports().release(*this);
}

u8 CgaVideo::read_status() {
    // Bit 0 flips on every read; bit 3 (vertical retrace) holds for two of
    // every eight reads, so a loop waiting for it to start and a loop
    // waiting for it to end both see their edge within a few polls.
    u32 n = status_reads_++;
    u8 status = (n & 1) ? cga::kStatusDisplayInactive : 0;
    if ((n & 7) >= 6)
        status |= cga::kStatusVerticalRetrace | cga::kStatusDisplayInactive;
    vga_.reset_attribute_flip_flop();
    return status;
}

u8 CgaVideo::read_port(u16 port) {
    if (port >= vga::kFirstPort && port < vga::kFirstPort + vga::kPortCount)
        return vga_.read(u16(port - vga::kFirstPort));
    switch (port) {
    case cga::kCrtcIndexPort:
        return crtc_.index();
    case cga::kCrtcDataPort:
        return crtc_.read_data();
    case cga::kModePort:
        return mode_;
    case cga::kColourSelectPort:
        return colour_select_;
    case cga::kStatusPort:
        return read_status();
    default:
        return 0xff; // 0x3D6/0x3D7, or past the range in a wide access
    }
}

void CgaVideo::write_port(u16 port, u8 value) {
    if (port >= vga::kFirstPort && port < vga::kFirstPort + vga::kPortCount) {
        vga_.write(u16(port - vga::kFirstPort), value);
        return;
    }
    switch (port) {
    case cga::kCrtcIndexPort:
        crtc_.write_index(value);
        return;
    case cga::kCrtcDataPort:
        crtc_.write_data(value);
        return;
    case cga::kModePort:
        mode_ = value;
        return;
    case cga::kColourSelectPort:
        colour_select_ = value;
        return;
    default:
        return; // the status register and unused ports ignore writes
    }
}

void CgaVideo::snapshot(v3_console_state& state, u8* cells) const {
    // The start address counts characters (two bytes each); the display
    // wraps within the 32 KiB window.
    usize start = usize(crtc_.start_address()) * 2;
    for (usize i = 0; i < cga::kScreenBytes; ++i)
        cells[i] = text_[(start + i) % cga::kTextBufferSize];
    state.cols = cga::kColumns;
    state.rows = cga::kRows;
    state.flags = (vga_.blink_enabled() && (mode_ & cga::kModeBlink)) ? 1u : 0u;
    u16 offset = u16((crtc_.cursor_address() - crtc_.start_address()) & 0x3fff);
    bool on_screen = offset < u32(cga::kColumns) * cga::kRows;
    state.cursor_row = on_screen ? u16(offset / cga::kColumns) : 0;
    state.cursor_col = on_screen ? u16(offset % cga::kColumns) : 0;
    state.cursor_start = crtc_.cursor_start_line();
    state.cursor_end = crtc_.cursor_end_line();
    state.cell_height = crtc_.cell_height();
    state.cursor_visible = on_screen && crtc_.cursor_enabled() &&
                           state.cursor_start <= state.cursor_end &&
                           state.cursor_start < state.cell_height;
    state.cells = cells;
}

Result<void> CgaVideo::save(chkpt::Writer& writer) const {
    TRY(writer.u8_(kSaveVersion));
    TRY(crtc_.save(writer));
    TRY(vga_.save(writer));
    TRY(writer.u8_(mode_));
    TRY(writer.u8_(colour_select_));
    TRY(writer.u32_(status_reads_));
    return {};
}

Result<void> CgaVideo::load(chkpt::Reader& reader) {
    if (TRY(reader.u8_()) != kSaveVersion)
        return make_error(Errno::Inval, "snapshot of the CGA_VIDEO device has an unknown version");
    TRY(crtc_.load(reader));
    TRY(vga_.load(reader));
    mode_ = TRY(reader.u8_());
    colour_select_ = TRY(reader.u8_());
    status_reads_ = TRY(reader.u32_());
    return {};
}

} // namespace v3::devices
