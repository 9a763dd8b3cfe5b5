// NVRAM: the PC's MC146818 real-time clock and its 128 bytes of CMOS RAM.
//
// Ports: 0x70 selects a register (bits 6-0) and carries the NMI-disable bit
// (bit 7, kept for whoever delivers NMIs; 0x70 itself reads as open bus,
// it is write-only on the AT); 0x71 reads and writes the selected register.
// A wider access is split into bytes at consecutive ports, as the ISA bus
// does, so `outw 0x70` selects and writes in one go.
//
// Clock: a calendar (config `start`, default 2000-01-01T00:00:00; the host's
// clock is never read) advanced by guest time from vm.clock(). The 32.768
// kHz time base is modelled exactly in integer arithmetic:
//  - the divider (register A bits 6-4) runs only at 010; 11x holds it in
//    reset, and leaving reset puts the first update half a second away, as
//    the datasheet says. The other (test and other-crystal) values stop it.
//  - a periodic interrupt every 2^(rate-1) ticks for rate 3-15, rates 1 and
//    2 giving 256 Hz and 128 Hz as on the real chip; rate 0 is off.
//  - an update cycle each second unless SET (register B bit 7) halts it.
//    UIP reads 1 during the last 244 us (8 ticks) before an update; the
//    update itself is instantaneous, so the registers never read mid-update.
//  - at each update: UF, and AF when seconds, minutes and hours all match
//    their alarm bytes (0xC0-0xFF in an alarm byte matches anything).
//  - register C holds IRQF/PF/AF/UF; IRQF = PF&PIE | AF&AIE | UF&UIE drives
//    IRQ 8 (raised while IRQF is set); reading C clears it and lowers IRQ 8.
// Time registers are shown in the current format (B bit 2: binary or BCD;
// B bit 1: 24-hour, or 12-hour with PM in hours bit 7) and writes are read
// in the current format; alarm bytes are stored as written and compared
// with the time as shown, as the chip compares bytes. Writing B with SET
// clears UIE (as the MC146818A does). Daylight-saving (DSE) is stored but
// not applied. The century byte 0x32 follows the year.
//
// CMOS RAM: memory sizes from the VM's RAM, CPU count, equipment byte
// (config `display`: vga|cga40|cga80|mono, default vga), no floppies or AT
// hard-disk types, the SeaBIOS boot order (config `bootseq`, default
// "cd,hd"; see cmos_layout.h), and the checksum of 0x10-0x2D.
//
//   <device class="NVRAM" id="nvram" start="2024-02-29T12:00:00"
//           bootseq="cd,hd" display="vga"/>
#pragma once

#include "devices/cmos_layout.h"
#include "config/vm_config.h"
#include "devices/device.h"
#include "devices/rtc_calendar.h"
#include "hooks/io_port_bus.h"
#include "vm/guest_clock.h"

namespace v3 {
class Vm;
}

namespace v3::devices {

inline constexpr u16 kCmosIndexPort = 0x70;
inline constexpr u16 kCmosDataPort = 0x71;
inline constexpr u8 kRtcIrq = 8;

// What a validated <device class="NVRAM"> says, copied out of the XML.
struct NvramSettings {
    rtc::CalendarTime start;
    cmos::BootOrder boot_order;
    cmos::Display display = cmos::Display::Vga;
};

Result<NvramSettings> read_nvram_settings(const xml::Element& device, config::Diagnostic& diag);

class Mc146818Nvram final : public Device, public IoPortHandler, public TimeListener {
public:
    static Result<OwnPtr<Device>> create(Vm& vm, const config::DeviceEntry& entry,
                                         config::Diagnostic& diag);
    ~Mc146818Nvram() override;

    StringView class_name() const override { return "NVRAM"; }
    Result<u32> io_read(const IoAccess& access) override;
    Result<void> io_write(const IoAccess& access, u32 value) override;
    Result<void> advance_time(u64 previous_ns, u64 now_ns) override;
    // The next periodic or once-a-second update the guest enabled as an
    // interrupt and has not yet got (IRQ 8), in guest time.
    u64 next_event_ns(u64 now_ns) const override;
    Result<void> save(chkpt::Writer& writer) const override;
    Result<void> load(chkpt::Reader& reader) override;

    // Port 0x70 bit 7: the guest masked NMIs.
    bool nmi_disabled() const { return nmi_disabled_; }

private:
    Mc146818Nvram(Vm& vm, const NvramSettings& settings);

    u8 read_register(u8 index);
    void write_register(u8 index, u8 value);
    u8 show(u8 value) const;
    u8 show_hours(u8 hour) const;
    u8 parse(u8 value) const;
    u8 parse_hours(u8 value) const;
    u8 time_register(u8 index) const;
    void set_time_register(u8 index, u8 value);
    void write_register_a(u8 value);
    void write_register_b(u8 value);

    bool divider_running() const;
    bool update_in_progress() const;
    void run_updates(u64 updates);
    bool alarm_matches() const;
    void update_irq();

    Vm& vm_;
    u8 cmos_[cmos::kSize] = {};
    rtc::CalendarTime time_;
    u8 index_ = 0;
    bool nmi_disabled_ = false;
    bool irq_raised_ = false;
    // Position of the 32.768 kHz divider within the current second (0-32767),
    // and the fraction of a tick not yet elapsed, in units of 1/1e9 tick.
    u32 divider_ticks_ = 0;
    u32 tick_fraction_ = 0;
};

} // namespace v3::devices
