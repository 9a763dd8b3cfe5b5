#include "devices/curses_console.h"
#include "config/text_arg.h"
#include "devices/keyboard_8042.h"
#include "vm/vm.h"

namespace v3::devices {

extern const DeviceClass kCursesConsoleClass;
const DeviceClass kCursesConsoleClass = {"CURSES_CONSOLE", CursesConsole::validate,
                                         CursesConsole::create};

namespace {

// A set-1 key with an E0 prefix is two bytes; room for three keeps a key
// and its prefix together.
constexpr usize kKeyRoomNeeded = 3;

Result<StringView> read_frontend_tag(const xml::Element& device, const xml::Element*& frontend,
                                     config::Diagnostic& diag) {
    frontend = device.child("frontend");
    if (!frontend || device.child_count("frontend") != 1)
        return diag.fail(device, "a CURSES_CONSOLE needs exactly one <frontend tag=\"CGA-ID\"/> "
                                 "naming its CGA_VIDEO device");
    return config::read_string(*frontend, "tag", true, diag);
}

bool same_state(const v3_console_state& a, const v3_console_state& b) {
    return a.cols == b.cols && a.rows == b.rows && a.flags == b.flags &&
           a.cursor_row == b.cursor_row && a.cursor_col == b.cursor_col &&
           a.cursor_visible == b.cursor_visible && a.cursor_start == b.cursor_start &&
           a.cursor_end == b.cursor_end && a.cell_height == b.cell_height;
}

} // namespace

Result<void> CursesConsole::validate(const config::DeviceEntry& entry,
                                     const config::VmConfig& config, config::Diagnostic& diag) {
    const xml::Element* frontend = nullptr;
    StringView tag = TRY(read_frontend_tag(*entry.element, frontend, diag));
    for (const config::DeviceEntry& other : config.devices) {
        if (other.element == entry.element)
            break;
        if (other.class_name == "CURSES_CONSOLE")
            return diag.fail(*entry.element, "a VM has one CURSES_CONSOLE; '%s' is already one",
                             TextArg(other.id).c_str());
        if (other.id == tag && other.class_name != "CGA_VIDEO")
            return diag.fail(*frontend, "frontend '%s' is a %s, not a CGA_VIDEO",
                             TextArg(tag).c_str(), TextArg(other.class_name).c_str());
    }
    return {};
}

Result<OwnPtr<Device>> CursesConsole::create(Vm& vm, const config::DeviceEntry& entry,
                                             config::Diagnostic& diag) {
    const xml::Element* frontend = nullptr;
    StringView tag = TRY(read_frontend_tag(*entry.element, frontend, diag));
    Device* target = vm.devices().find(tag);
    if (!target || target->class_name() != "CGA_VIDEO")
        return diag.fail(*frontend, "frontend tag '%s' names no CGA_VIDEO created before this one",
                         TextArg(tag).c_str());
    ConsoleProvider* consoles = vm.environment().consoles;
    if (!consoles)
        return diag.fail(*entry.element, "cannot open the text console: this host offers none");
    OwnPtr<CursesConsole> device(new (alloc) CursesConsole(vm, *static_cast<CgaVideo*>(target)));
    if (!device)
        return make_error(Errno::NoMem, "out of memory for the CURSES_CONSOLE device");
    auto opened = consoles->open_console();
    if (opened.is_error())
        return diag.fail(*entry.element, "cannot open the text console: %s",
                         opened.error().message);
    device->console_ = opened.release_value();
    TRY(vm.clock().subscribe(*device));
    return OwnPtr<Device>(move(device));
}

CursesConsole::~CursesConsole() {
    vm_.clock().unsubscribe(*this);
    console_.reset(); // the host sees the console close; no input arrives after this
}

Result<void> CursesConsole::forward_keys() {
    if (!keyboard_looked_up_) {
        keyboard_looked_up_ = true;
        for (usize i = 0; i < vm_.devices().count(); ++i)
            if (vm_.devices().at(i).class_name() == "KEYBOARD")
                keyboard_ = static_cast<Keyboard8042*>(&vm_.devices().at(i));
    }
    u8 code;
    while (!keyboard_ || keyboard_->keyboard().scan_code_room() >= kKeyRoomNeeded) {
        if (console_->read_keys(&code, 1) == 0)
            return {};
        if (!keyboard_) {
            ++dropped_keys_;
            continue;
        }
        TRY(vm_.host_events().deliver(KeyboardEvent{0, code}));
    }
    return {};
}

void CursesConsole::refresh_screen() {
    v3_console_state state{};
    display_.snapshot(state, cells_);
    bool changed = !sent_once_ || !same_state(state, sent_state_);
    for (usize i = 0; !changed && i < cga::kScreenBytes; ++i)
        changed = cells_[i] != sent_cells_[i];
    if (!changed)
        return;
    console_->update(state);
    for (usize i = 0; i < cga::kScreenBytes; ++i)
        sent_cells_[i] = cells_[i];
    sent_state_ = state;
    sent_once_ = true;
    ++screen_updates_;
}

Result<void> CursesConsole::advance_time(u64, u64 now_ns) {
    TRY(forward_keys());
    if (now_ns >= next_poll_ns_) {
        next_poll_ns_ = now_ns + kScreenPollNs;
        refresh_screen();
    }
    return {};
}

u64 CursesConsole::next_event_ns(u64 now_ns) const {
    return next_poll_ns_ > now_ns ? next_poll_ns_ : now_ns + kScreenPollNs;
}

} // namespace v3::devices
