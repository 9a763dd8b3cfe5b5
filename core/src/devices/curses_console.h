// CURSES_CONSOLE: the host's view of a CGA_VIDEO text screen and its
// keyboard, as Palacios' CURSES_CONSOLE frontend is:
//   <device class="CGA_VIDEO" id="cga" passthrough="disable"/>
//   <device class="CURSES_CONSOLE" id="curses">
//     <frontend tag="cga"/>
//   </device>
// One per VM. As guest time passes it takes a snapshot of the screen at
// most every kScreenPollNs and hands it to the host console when it
// differs from the last one handed over (so guest writes to the text
// buffer cost no exit, and an idle screen costs a 4 KB comparison per
// poll). Host key input (set-1 scan codes) goes to the KEYBOARD device as
// it has room for it, so no key is lost however fast the host types; a VM
// without a KEYBOARD reads and discards it (counted).
#pragma once

#include "config/vm_config.h"
#include "devices/cga_video.h"
#include "devices/device.h"
#include "devices/registry.h"
#include "vm/guest_clock.h"
#include "vm/host_console.h"

namespace v3 {
class Vm;
}

namespace v3::devices {

class Keyboard8042;

class CursesConsole final : public Device, public TimeListener {
public:
    // 50 Hz: faster than a person reads, slow enough to cost nothing.
    static constexpr u64 kScreenPollNs = 20'000'000;

    static Result<void> validate(const config::DeviceEntry& entry, const config::VmConfig& config,
                                 config::Diagnostic& diag);
    static Result<OwnPtr<Device>> create(Vm& vm, const config::DeviceEntry& entry,
                                         config::Diagnostic& diag);
    ~CursesConsole() override;

    StringView class_name() const override { return "CURSES_CONSOLE"; }

    Result<void> advance_time(u64 previous_ns, u64 now_ns) override;
    // The next screen poll: it also forwards queued keys (IRQ 1), so a
    // halted guest is woken for both, at the poll's 50 Hz and no faster.
    u64 next_event_ns(u64 now_ns) const override;

    u64 screen_updates() const { return screen_updates_; }
    u64 dropped_keys() const { return dropped_keys_; }

private:
    CursesConsole(Vm& vm, CgaVideo& display) : vm_(vm), display_(display) {}
    Result<void> forward_keys();
    void refresh_screen();

    Vm& vm_;
    CgaVideo& display_;
    OwnPtr<HostConsole> console_;
    Keyboard8042* keyboard_ = nullptr;
    bool keyboard_looked_up_ = false;
    u64 next_poll_ns_ = 0;
    bool sent_once_ = false;
    v3_console_state sent_state_{};
    u8 sent_cells_[cga::kScreenBytes] = {};
    u8 cells_[cga::kScreenBytes] = {};
    u64 screen_updates_ = 0;
    u64 dropped_keys_ = 0;
};

} // namespace v3::devices
