// PC keyboard scan codes, set 1 (what an 8042 with translation hands a PC,
// and what a console descriptor accepts: kmod/uapi/v3vee_console.h), for
// the keys a Qt key event names. Two sources: the platform's native key
// code where it is an evdev code + 8 (xcb, wayland), which names the
// physical key exactly (left/right modifiers, keypad), and otherwise a
// table from Qt::Key (the offscreen platform of the tests, or anything
// else) laid out as a US keyboard.
#pragma once

#include <QByteArray>
#include <QKeyEvent>

struct PcKeyCodes {
    QByteArray make;     // sent on press (and again on each auto-repeat)
    QByteArray breakSeq; // sent on release; empty for Pause, which has none
    bool isValid() const { return !make.isEmpty(); }
    bool operator==(const PcKeyCodes&) const = default;
};

namespace pcscan {

// A key of set 1 by its code: 0x00-0x7f plain, 0xE000 | code for the
// E0-prefixed keys. Make/break bytes as a keyboard sends them.
PcKeyCodes forCode(unsigned code);
// The Pause key: E1 1D 45 E1 9D C5 on press, nothing on release.
PcKeyCodes pause();
// Print Screen: E0 2A E0 37 on press, E0 B7 E0 AA on release.
PcKeyCodes printScreen();

// The key with Linux evdev code `evdev` (linux/input-event-codes.h), or
// invalid when set 1 has no such key.
PcKeyCodes fromEvdev(int evdev);
// The US-layout key that produces qtKey (shifted symbols map to their
// unshifted key: the guest sees Shift as its own key). Qt::KeypadModifier
// selects the keypad's keys.
PcKeyCodes fromQtKey(int qtKey, Qt::KeyboardModifiers modifiers);
// Whether this platform's QKeyEvent::nativeScanCode() is evdev + 8.
bool platformHasEvdevCodes();
// The codes for event: native when useNative and the event carries a
// native code, the Qt::Key table otherwise.
PcKeyCodes forKeyEvent(const QKeyEvent& event, bool useNative);

// Key combinations a desktop keeps for itself, pressed and released in
// order: Ctrl+Alt+Del, Ctrl+Alt+Fn (n = 1..12).
QByteArray ctrlAltDel();
QByteArray ctrlAltFunction(int n);

} // namespace pcscan
