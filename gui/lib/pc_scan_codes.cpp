#include "pc_scan_codes.h"

#include <QGuiApplication>

namespace pcscan {

namespace {

constexpr unsigned kExtended = 0xE000;

// The printable keys of a US keyboard: each pair of characters (unshifted,
// shifted) sits on the key with the set-1 code beside it. Qt::Key values of
// printable keys are their (upper-case) ASCII codes.
struct PrintableKey {
    char plain;
    char shifted;
    unsigned char code;
};
constexpr PrintableKey kPrintable[] = {
    {'1', '!', 0x02}, {'2', '@', 0x03},  {'3', '#', 0x04}, {'4', '$', 0x05}, {'5', '%', 0x06},
    {'6', '^', 0x07}, {'7', '&', 0x08},  {'8', '*', 0x09}, {'9', '(', 0x0A}, {'0', ')', 0x0B},
    {'-', '_', 0x0C}, {'=', '+', 0x0D},  {'Q', 'Q', 0x10}, {'W', 'W', 0x11}, {'E', 'E', 0x12},
    {'R', 'R', 0x13}, {'T', 'T', 0x14},  {'Y', 'Y', 0x15}, {'U', 'U', 0x16}, {'I', 'I', 0x17},
    {'O', 'O', 0x18}, {'P', 'P', 0x19},  {'[', '{', 0x1A}, {']', '}', 0x1B}, {'A', 'A', 0x1E},
    {'S', 'S', 0x1F}, {'D', 'D', 0x20},  {'F', 'F', 0x21}, {'G', 'G', 0x22}, {'H', 'H', 0x23},
    {'J', 'J', 0x24}, {'K', 'K', 0x25},  {'L', 'L', 0x26}, {';', ':', 0x27}, {'\'', '"', 0x28},
    {'`', '~', 0x29}, {'\\', '|', 0x2B}, {'Z', 'Z', 0x2C}, {'X', 'X', 0x2D}, {'C', 'C', 0x2E},
    {'V', 'V', 0x2F}, {'B', 'B', 0x30},  {'N', 'N', 0x31}, {'M', 'M', 0x32}, {',', '<', 0x33},
    {'.', '>', 0x34}, {'/', '?', 0x35},  {' ', ' ', 0x39},
};

// The keys Qt names with a Qt::Key outside ASCII.
struct NamedKey {
    int qtKey;
    unsigned code;
};
constexpr NamedKey kNamed[] = {
    {Qt::Key_Escape, 0x01},
    {Qt::Key_Backspace, 0x0E},
    {Qt::Key_Tab, 0x0F},
    {Qt::Key_Backtab, 0x0F},
    {Qt::Key_Return, 0x1C},
    {Qt::Key_Control, 0x1D},
    {Qt::Key_Shift, 0x2A},
    {Qt::Key_Alt, 0x38},
    {Qt::Key_CapsLock, 0x3A},
    {Qt::Key_NumLock, 0x45},
    {Qt::Key_ScrollLock, 0x46},
    {Qt::Key_F11, 0x57},
    {Qt::Key_F12, 0x58},
    {Qt::Key_Enter, kExtended | 0x1C}, // Qt's Enter is the keypad's
    {Qt::Key_AltGr, kExtended | 0x38},
    {Qt::Key_Home, kExtended | 0x47},
    {Qt::Key_Up, kExtended | 0x48},
    {Qt::Key_PageUp, kExtended | 0x49},
    {Qt::Key_Left, kExtended | 0x4B},
    {Qt::Key_Right, kExtended | 0x4D},
    {Qt::Key_End, kExtended | 0x4F},
    {Qt::Key_Down, kExtended | 0x50},
    {Qt::Key_PageDown, kExtended | 0x51},
    {Qt::Key_Insert, kExtended | 0x52},
    {Qt::Key_Delete, kExtended | 0x53},
    {Qt::Key_Meta, kExtended | 0x5B},
    {Qt::Key_Super_L, kExtended | 0x5B},
    {Qt::Key_Super_R, kExtended | 0x5C},
    {Qt::Key_Menu, kExtended | 0x5D},
};

// The keypad's keys, with Qt::KeypadModifier: digits and the navigation
// keys they double as when Num Lock is off share one code (the keypad's
// arrows are not E0-prefixed; the grey ones are).
constexpr NamedKey kKeypad[] = {
    {Qt::Key_7, 0x47},
    {Qt::Key_Home, 0x47},
    {Qt::Key_8, 0x48},
    {Qt::Key_Up, 0x48},
    {Qt::Key_9, 0x49},
    {Qt::Key_PageUp, 0x49},
    {Qt::Key_Minus, 0x4A},
    {Qt::Key_4, 0x4B},
    {Qt::Key_Left, 0x4B},
    {Qt::Key_5, 0x4C},
    {Qt::Key_Clear, 0x4C},
    {Qt::Key_6, 0x4D},
    {Qt::Key_Right, 0x4D},
    {Qt::Key_Plus, 0x4E},
    {Qt::Key_1, 0x4F},
    {Qt::Key_End, 0x4F},
    {Qt::Key_2, 0x50},
    {Qt::Key_Down, 0x50},
    {Qt::Key_3, 0x51},
    {Qt::Key_PageDown, 0x51},
    {Qt::Key_0, 0x52},
    {Qt::Key_Insert, 0x52},
    {Qt::Key_Period, 0x53},
    {Qt::Key_Comma, 0x53},
    {Qt::Key_Delete, 0x53},
    {Qt::Key_Asterisk, 0x37},
    {Qt::Key_Slash, kExtended | 0x35},
    {Qt::Key_Enter, kExtended | 0x1C},
};

// evdev codes above 88 that set 1 has (1-83 and 86-88 are the same
// numbers in both: evdev was numbered after set 1).
constexpr NamedKey kEvdevHigh[] = {
    {96, kExtended | 0x1C},  // KEY_KPENTER
    {97, kExtended | 0x1D},  // KEY_RIGHTCTRL
    {98, kExtended | 0x35},  // KEY_KPSLASH
    {100, kExtended | 0x38}, // KEY_RIGHTALT
    {102, kExtended | 0x47}, // KEY_HOME
    {103, kExtended | 0x48}, // KEY_UP
    {104, kExtended | 0x49}, // KEY_PAGEUP
    {105, kExtended | 0x4B}, // KEY_LEFT
    {106, kExtended | 0x4D}, // KEY_RIGHT
    {107, kExtended | 0x4F}, // KEY_END
    {108, kExtended | 0x50}, // KEY_DOWN
    {109, kExtended | 0x51}, // KEY_PAGEDOWN
    {110, kExtended | 0x52}, // KEY_INSERT
    {111, kExtended | 0x53}, // KEY_DELETE
    {125, kExtended | 0x5B}, // KEY_LEFTMETA
    {126, kExtended | 0x5C}, // KEY_RIGHTMETA
    {127, kExtended | 0x5D}, // KEY_COMPOSE (the menu key)
};
constexpr int kEvdevSysRq = 99;
constexpr int kEvdevPause = 119;

template <typename Table> const NamedKey* find(const Table& table, int key) {
    for (const NamedKey& k : table)
        if (k.qtKey == key)
            return &k;
    return nullptr;
}

QByteArray bytes(std::initializer_list<unsigned char> list) {
    QByteArray out;
    for (unsigned char b : list)
        out.append(char(b));
    return out;
}

} // namespace

PcKeyCodes forCode(unsigned code) {
    PcKeyCodes keys;
    const auto low = char(code & 0x7f);
    if (code & kExtended) {
        keys.make = bytes({0xE0}) + low;
        keys.breakSeq = bytes({0xE0}) + char(low | 0x80);
    } else {
        keys.make = QByteArray(1, low);
        keys.breakSeq = QByteArray(1, char(low | 0x80));
    }
    return keys;
}

PcKeyCodes pause() {
    return {bytes({0xE1, 0x1D, 0x45, 0xE1, 0x9D, 0xC5}), {}};
}

PcKeyCodes printScreen() {
    return {bytes({0xE0, 0x2A, 0xE0, 0x37}), bytes({0xE0, 0xB7, 0xE0, 0xAA})};
}

PcKeyCodes fromEvdev(int evdev) {
    if ((evdev >= 1 && evdev <= 83) || (evdev >= 86 && evdev <= 88))
        return forCode(unsigned(evdev));
    if (evdev == kEvdevPause)
        return pause();
    if (evdev == kEvdevSysRq)
        return printScreen();
    if (const NamedKey* k = find(kEvdevHigh, evdev))
        return forCode(k->code);
    return {};
}

PcKeyCodes fromQtKey(int qtKey, Qt::KeyboardModifiers modifiers) {
    if (modifiers & Qt::KeypadModifier)
        if (const NamedKey* k = find(kKeypad, qtKey))
            return forCode(k->code);
    if (qtKey >= Qt::Key_F1 && qtKey <= Qt::Key_F10)
        return forCode(0x3B + unsigned(qtKey - Qt::Key_F1));
    if (qtKey == Qt::Key_Pause)
        return pause();
    if (qtKey == Qt::Key_Print || qtKey == Qt::Key_SysReq)
        return printScreen();
    if (const NamedKey* k = find(kNamed, qtKey))
        return forCode(k->code);
    if (qtKey > 0 && qtKey < 0x80) {
        const char ch = char(qtKey >= 'a' && qtKey <= 'z' ? qtKey - 'a' + 'A' : qtKey);
        for (const PrintableKey& k : kPrintable)
            if (k.plain == ch || k.shifted == ch)
                return forCode(k.code);
    }
    return {};
}

bool platformHasEvdevCodes() {
    const QString platform = QGuiApplication::platformName();
    return platform == "xcb" || platform.startsWith("wayland");
}

PcKeyCodes forKeyEvent(const QKeyEvent& event, bool useNative) {
    // X11 and Wayland key codes are evdev codes offset by 8 (the X
    // protocol reserves 0-7).
    if (useNative && event.nativeScanCode() > 8) {
        PcKeyCodes keys = fromEvdev(int(event.nativeScanCode()) - 8);
        if (keys.isValid())
            return keys;
    }
    return fromQtKey(event.key(), event.modifiers());
}

QByteArray ctrlAltDel() {
    const PcKeyCodes ctrl = forCode(0x1D), alt = forCode(0x38), del = forCode(kExtended | 0x53);
    return ctrl.make + alt.make + del.make + del.breakSeq + alt.breakSeq + ctrl.breakSeq;
}

QByteArray ctrlAltFunction(int n) {
    const PcKeyCodes ctrl = forCode(0x1D), alt = forCode(0x38);
    const PcKeyCodes fn = fromQtKey(Qt::Key_F1 + (n - 1), Qt::NoModifier);
    if (n < 1 || n > 12)
        return {};
    return ctrl.make + alt.make + fn.make + fn.breakSeq + alt.breakSeq + ctrl.breakSeq;
}

} // namespace pcscan
