#include "scan_codes.h"

#include <cstdio>
#include <cctype>
#include <cstring>
#include <iterator>

namespace v3ctl {

namespace {

// US layout: the set-1 make code of each printable ASCII character, and
// whether it needs Shift. Index ch - 0x20.
struct AsciiKey {
    uint8_t make;
    bool shift;
};
constexpr AsciiKey kAscii[95] = {
    {0x39, false}, // ' '
    {0x02, true},  // !
    {0x28, true},  // "
    {0x04, true},  // #
    {0x05, true},  // $
    {0x06, true},  // %
    {0x08, true},  // &
    {0x28, false}, // '
    {0x0a, true},  // (
    {0x0b, true},  // )
    {0x09, true},  // *
    {0x0d, true},  // +
    {0x33, false}, // ,
    {0x0c, false}, // -
    {0x34, false}, // .
    {0x35, false}, // /
    {0x0b, false},
    {0x02, false},
    {0x03, false},
    {0x04, false},
    {0x05, false}, // 0-4
    {0x06, false},
    {0x07, false},
    {0x08, false},
    {0x09, false},
    {0x0a, false}, // 5-9
    {0x27, true},  // :
    {0x27, false}, // ;
    {0x33, true},  // <
    {0x0d, false}, // =
    {0x34, true},  // >
    {0x35, true},  // ?
    {0x03, true},  // @
    // A-Z
    {0x1e, true},
    {0x30, true},
    {0x2e, true},
    {0x20, true},
    {0x12, true},
    {0x21, true},
    {0x22, true},
    {0x23, true},
    {0x17, true},
    {0x24, true},
    {0x25, true},
    {0x26, true},
    {0x32, true},
    {0x31, true},
    {0x18, true},
    {0x19, true},
    {0x10, true},
    {0x13, true},
    {0x1f, true},
    {0x14, true},
    {0x16, true},
    {0x2f, true},
    {0x11, true},
    {0x2d, true},
    {0x15, true},
    {0x2c, true},
    {0x1a, false}, // [
    {0x2b, false}, // backslash
    {0x1b, false}, // ]
    {0x07, true},  // ^
    {0x0c, true},  // _
    {0x29, false}, // `
    // a-z
    {0x1e, false},
    {0x30, false},
    {0x2e, false},
    {0x20, false},
    {0x12, false},
    {0x21, false},
    {0x22, false},
    {0x23, false},
    {0x17, false},
    {0x24, false},
    {0x25, false},
    {0x26, false},
    {0x32, false},
    {0x31, false},
    {0x18, false},
    {0x19, false},
    {0x10, false},
    {0x13, false},
    {0x1f, false},
    {0x14, false},
    {0x16, false},
    {0x2f, false},
    {0x11, false},
    {0x2d, false},
    {0x15, false},
    {0x2c, false},
    {0x1a, true}, // {
    {0x2b, true}, // |
    {0x1b, true}, // }
    {0x29, true}, // ~
};

std::string hexCodes(const std::vector<uint8_t>& codes) {
    std::string text;
    char byte[4];
    for (uint8_t c : codes) {
        std::snprintf(byte, sizeof byte, "%s%02x", text.empty() ? "" : " ", c);
        text += byte;
    }
    return text;
}

std::string describeBytes(const std::string& bytes) {
    std::string text;
    for (unsigned char c : bytes) {
        char one[8];
        if (c == 0x1b)
            std::snprintf(one, sizeof one, "ESC");
        else if (c < 0x20 || c == 0x7f)
            std::snprintf(one, sizeof one, "^%c", c == 0x7f ? '?' : c + 0x40);
        else
            std::snprintf(one, sizeof one, "%c", c);
        text += one;
    }
    return text;
}

// xterm's modifier parameter (2 = Shift ... 8 = Shift+Alt+Ctrl).
unsigned modifiersFromParameter(int parameter) {
    if (parameter < 2 || parameter > 8)
        return 0;
    unsigned bits = unsigned(parameter - 1);
    return ((bits & 1) ? kModShift : 0) | ((bits & 2) ? kModAlt : 0) | ((bits & 4) ? kModCtrl : 0);
}

std::optional<NamedKey> namedFromTilde(int number) {
    switch (number) {
    case 1:
    case 7:
        return NamedKey::Home;
    case 2:
        return NamedKey::Insert;
    case 3:
        return NamedKey::Delete;
    case 4:
    case 8:
        return NamedKey::End;
    case 5:
        return NamedKey::PageUp;
    case 6:
        return NamedKey::PageDown;
    case 11:
        return NamedKey::F1;
    case 12:
        return NamedKey::F2;
    case 13:
        return NamedKey::F3;
    case 14:
        return NamedKey::F4;
    case 15:
        return NamedKey::F5;
    case 17:
        return NamedKey::F6;
    case 18:
        return NamedKey::F7;
    case 19:
        return NamedKey::F8;
    case 20:
        return NamedKey::F9;
    case 21:
        return NamedKey::F10;
    case 23:
        return NamedKey::F11;
    case 24:
        return NamedKey::F12;
    default:
        return std::nullopt;
    }
}

std::optional<NamedKey> namedFromFinal(char final) {
    switch (final) {
    case 'A':
        return NamedKey::Up;
    case 'B':
        return NamedKey::Down;
    case 'C':
        return NamedKey::Right;
    case 'D':
        return NamedKey::Left;
    case 'H':
        return NamedKey::Home;
    case 'F':
        return NamedKey::End;
    case 'P':
        return NamedKey::F1;
    case 'Q':
        return NamedKey::F2;
    case 'R':
        return NamedKey::F3;
    case 'S':
        return NamedKey::F4;
    case 'Z': // back-tab: Shift+Tab, handled by the caller
    default:
        return std::nullopt;
    }
}

} // namespace

std::optional<TypedKey> keyForAscii(unsigned char ch) {
    if (ch >= 0x20 && ch <= 0x7e) {
        const AsciiKey& k = kAscii[ch - 0x20];
        return TypedKey{{k.make, false}, k.shift ? kModShift : 0u};
    }
    switch (ch) {
    case '\r':
    case '\n':
        return TypedKey{keyForNamed(NamedKey::Enter), 0};
    case '\t':
        return TypedKey{keyForNamed(NamedKey::Tab), 0};
    case 0x08:
    case 0x7f:
        return TypedKey{keyForNamed(NamedKey::Backspace), 0};
    case 0x1b:
        return TypedKey{keyForNamed(NamedKey::Escape), 0};
    case 0x00:
        return TypedKey{{0x03, false}, kModCtrl}; // Ctrl-@ (Ctrl-2)
    default:
        break;
    }
    if (ch < 0x20) {
        // Ctrl-A..Ctrl-Z, then Ctrl-\ ] ^ _.
        static const char kCtrl[] = "@abcdefghijklmnopqrstuvwxyz[\\]^_";
        const AsciiKey& k = kAscii[kCtrl[ch] - 0x20];
        return TypedKey{{k.make, false}, kModCtrl | (k.shift ? kModShift : 0u)};
    }
    return std::nullopt;
}

ScanKey keyForNamed(NamedKey key) {
    switch (key) {
    case NamedKey::Escape:
        return {0x01, false};
    case NamedKey::Enter:
        return {0x1c, false};
    case NamedKey::Backspace:
        return {0x0e, false};
    case NamedKey::Tab:
        return {0x0f, false};
    case NamedKey::Up:
        return {0x48, true};
    case NamedKey::Down:
        return {0x50, true};
    case NamedKey::Left:
        return {0x4b, true};
    case NamedKey::Right:
        return {0x4d, true};
    case NamedKey::Home:
        return {0x47, true};
    case NamedKey::End:
        return {0x4f, true};
    case NamedKey::PageUp:
        return {0x49, true};
    case NamedKey::PageDown:
        return {0x51, true};
    case NamedKey::Insert:
        return {0x52, true};
    case NamedKey::Delete:
        return {0x53, true};
    case NamedKey::F11:
        return {0x57, false};
    case NamedKey::F12:
        return {0x58, false};
    default: // F1-F10 are consecutive
        return {uint8_t(0x3b + (int(key) - int(NamedKey::F1))), false};
    }
}

std::vector<uint8_t> pressScanCodes(ScanKey key, unsigned modifiers) {
    static constexpr struct {
        unsigned bit;
        uint8_t make;
    } kModifierKeys[] = {
        {kModCtrl, kScanLeftCtrl}, {kModAlt, kScanLeftAlt}, {kModShift, kScanLeftShift}};
    std::vector<uint8_t> codes;
    for (const auto& m : kModifierKeys)
        if (modifiers & m.bit)
            codes.push_back(m.make);
    if (key.extended)
        codes.push_back(kScanExtended);
    codes.push_back(key.make);
    if (key.extended)
        codes.push_back(kScanExtended);
    codes.push_back(uint8_t(key.make | kScanBreak));
    for (int i = int(std::size(kModifierKeys)) - 1; i >= 0; --i)
        if (modifiers & kModifierKeys[i].bit)
            codes.push_back(uint8_t(kModifierKeys[i].make | kScanBreak));
    return codes;
}

std::vector<uint8_t> asciiScanCodes(unsigned char ch) {
    auto typed = keyForAscii(ch);
    return typed ? pressScanCodes(typed->key, typed->modifiers) : std::vector<uint8_t>{};
}

std::vector<uint8_t> namedScanCodes(NamedKey key, unsigned modifiers) {
    return pressScanCodes(keyForNamed(key), modifiers);
}

void TerminalKeyDecoder::emit(std::vector<uint8_t>& out, const std::vector<uint8_t>& codes,
                              const std::string& what) {
    out.insert(out.end(), codes.begin(), codes.end());
    log_.push_back(describeBytes(what) + " -> " + (codes.empty() ? "(no key)" : hexCodes(codes)));
}

size_t TerminalKeyDecoder::decodeSequence(std::vector<uint8_t>& out) {
    // pending_[0] is ESC.
    if (pending_.size() < 2)
        return 0;
    char second = pending_[1];
    if (second == 0x1b) {
        // Esc Esc: the guest gets one Esc.
        emit(out, namedScanCodes(NamedKey::Escape), pending_.substr(0, 2));
        return 2;
    }
    if (second == 'O') {
        if (pending_.size() < 3)
            return 0;
        auto named = namedFromFinal(pending_[2]);
        emit(out, named ? namedScanCodes(*named) : std::vector<uint8_t>{}, pending_.substr(0, 3));
        return 3;
    }
    if (second != '[') {
        // Alt + character.
        auto typed = keyForAscii(static_cast<unsigned char>(second));
        emit(out,
             typed ? pressScanCodes(typed->key, typed->modifiers | kModAlt)
                   : std::vector<uint8_t>{},
             pending_.substr(0, 2));
        return 2;
    }
    // CSI: parameters (digits, ';') up to a final byte 0x40-0x7e.
    size_t end = 2;
    while (end < pending_.size() &&
           (std::isdigit(static_cast<unsigned char>(pending_[end])) || pending_[end] == ';'))
        ++end;
    if (end == pending_.size())
        return end > 16 ? end : 0; // a runaway sequence is dropped
    char final = pending_[end];
    int params[2] = {0, 0};
    int count = 0;
    for (size_t i = 2; i < end && count < 2; ++i) {
        if (pending_[i] == ';')
            ++count;
        else if (count < 2)
            params[count] = params[count] * 10 + (pending_[i] - '0');
    }
    std::string sequence = pending_.substr(0, end + 1);
    std::optional<NamedKey> named;
    unsigned modifiers = 0;
    if (final == '~') {
        named = namedFromTilde(params[0]);
        modifiers = modifiersFromParameter(params[1]);
    } else if (final == 'Z') {
        emit(out, namedScanCodes(NamedKey::Tab, kModShift), sequence);
        return end + 1;
    } else {
        named = namedFromFinal(final);
        modifiers = modifiersFromParameter(params[1]);
    }
    emit(out, named ? namedScanCodes(*named, modifiers) : std::vector<uint8_t>{}, sequence);
    return end + 1;
}

std::vector<uint8_t> TerminalKeyDecoder::feed(const char* data, size_t size) {
    log_.clear();
    std::vector<uint8_t> out;
    for (size_t i = 0; i < size; ++i) {
        char c = data[i];
        if (!pending_.empty() || c == 0x1b) {
            pending_ += c;
            size_t used = decodeSequence(out);
            if (used)
                pending_.erase(0, used);
            continue;
        }
        emit(out, asciiScanCodes(static_cast<unsigned char>(c)), std::string(1, c));
    }
    return out;
}

bool TerminalKeyDecoder::flushEscape() {
    // A lone ESC is the Esc key; an unfinished longer sequence is dropped.
    bool lone = pending_ == "\x1b";
    pending_.clear();
    return lone;
}

} // namespace v3ctl
