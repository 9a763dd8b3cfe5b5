// PC keyboard scan codes, set 1 (what a console descriptor accepts, see
// kmod/uapi/v3vee_console.h): the one table from characters and named keys
// to make/break sequences, used by v3_cons_sc, v3_cons's fallback and the
// window's console tab.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace v3ctl {

// Keys that are not a character.
enum class NamedKey {
    Escape,
    Enter,
    Backspace,
    Tab,
    Up,
    Down,
    Left,
    Right,
    Home,
    End,
    PageUp,
    PageDown,
    Insert,
    Delete,
    F1,
    F2,
    F3,
    F4,
    F5,
    F6,
    F7,
    F8,
    F9,
    F10,
    F11,
    F12,
};

// Modifier bits, combined with |.
inline constexpr unsigned kModShift = 1u << 0;
inline constexpr unsigned kModCtrl = 1u << 1;
inline constexpr unsigned kModAlt = 1u << 2;

// A key's set-1 make code; `extended` keys (arrows, Home, ...) send an E0
// prefix before their make and break codes.
struct ScanKey {
    uint8_t make = 0;
    bool extended = false;
};

inline constexpr uint8_t kScanBreak = 0x80;
inline constexpr uint8_t kScanExtended = 0xe0;
inline constexpr uint8_t kScanEscape = 0x01;
inline constexpr uint8_t kScanLeftShift = 0x2a;
inline constexpr uint8_t kScanLeftCtrl = 0x1d;
inline constexpr uint8_t kScanLeftAlt = 0x38;

// The key and the modifiers that type printable ASCII `ch` (0x20-0x7e) on
// a US layout, or the control character (0x01-0x1f, 0x7f) as Ctrl plus its
// letter, Enter, Tab, Backspace or Escape. Empty for anything else.
struct TypedKey {
    ScanKey key;
    unsigned modifiers = 0;
};
std::optional<TypedKey> keyForAscii(unsigned char ch);
ScanKey keyForNamed(NamedKey key);

// The whole press and release: modifier makes, the key's make and break,
// modifier breaks (in reverse).
std::vector<uint8_t> pressScanCodes(ScanKey key, unsigned modifiers = 0);
// Shorthands over the two above; empty when `ch` has no key.
std::vector<uint8_t> asciiScanCodes(unsigned char ch);
std::vector<uint8_t> namedScanCodes(NamedKey key, unsigned modifiers = 0);

// Turns what a terminal sends (characters, ESC [ / ESC O sequences for
// arrows, Home/End, Insert/Delete, PageUp/PageDown and F1-F12, with xterm's
// ;2-;8 modifier parameters; ESC then a character for Alt) into scan codes.
// feed() returns the codes of every key completed by `data`. A lone Esc is
// ambiguous until the next byte or a pause: flushEscape() (called when input
// pauses) reports whether one is waiting and forgets it, so the caller
// decides what a lone Esc means.
class TerminalKeyDecoder {
public:
    std::vector<uint8_t> feed(const char* data, size_t size);
    bool escapePending() const { return !pending_.empty(); }
    // True when the waiting bytes were a lone Esc.
    bool flushEscape();
    // What the last feed() did, one line per key, for debug logs.
    const std::vector<std::string>& log() const { return log_; }

private:
    // Returns how many bytes of pending_ form a complete sequence (0: need
    // more), appending its codes to `out`.
    size_t decodeSequence(std::vector<uint8_t>& out);
    void emit(std::vector<uint8_t>& out, const std::vector<uint8_t>& codes,
              const std::string& what);

    std::string pending_; // an escape sequence not yet complete
    std::vector<std::string> log_;
};

} // namespace v3ctl
