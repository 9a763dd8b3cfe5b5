#include "console_screen.h"

#include "uapi/v3vee_console.h"

#include <cerrno>
#include <cstring>

namespace v3ctl {

namespace {

constexpr size_t kHeaderSize = sizeof(v3_console_msg);

Error malformed(const char* what, const std::string& detail) {
    return Error{EPROTO, std::string("the console sent a malformed ") + what + " message (" +
                             detail + "): is the module newer or older than this program?"};
}

uint16_t readU16(const uint8_t* p) {
    return uint16_t(p[0] | (p[1] << 8));
}

void putU16(std::vector<uint8_t>& out, unsigned value) {
    out.push_back(uint8_t(value & 0xff));
    out.push_back(uint8_t((value >> 8) & 0xff));
}

void putHeader(std::vector<uint8_t>& out, uint8_t type, size_t length) {
    out.push_back(type);
    out.push_back(0);
    putU16(out, unsigned(length));
}

// Code page 437 above ASCII: 0x01-0x1f, 0x7f, then 0x80-0xff.
constexpr char32_t kLowGlyphs[] = U" ☺☻♥♦♣♠•◘○◙♂♀♪♫☼►◄↕‼¶§▬↨↑↓→←∟↔▲▼";
constexpr char32_t kHighGlyphs[] = U"ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»"
                                   U"░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀"
                                   U"αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0";
static_assert(sizeof kLowGlyphs / sizeof(char32_t) == 32 + 1, "32 control glyphs");
static_assert(sizeof kHighGlyphs / sizeof(char32_t) == 128 + 1, "128 high glyphs");

} // namespace

char32_t cp437ToUnicode(uint8_t ch) {
    if (ch < 0x20)
        return kLowGlyphs[ch];
    if (ch < 0x7f)
        return ch;
    if (ch == 0x7f)
        return U'⌂';
    return kHighGlyphs[ch - 0x80];
}

void appendUtf8(std::string& out, char32_t cp) {
    if (cp < 0x80) {
        out.push_back(char(cp));
    } else if (cp < 0x800) {
        out.push_back(char(0xc0 | (cp >> 6)));
        out.push_back(char(0x80 | (cp & 0x3f)));
    } else if (cp < 0x10000) {
        out.push_back(char(0xe0 | (cp >> 12)));
        out.push_back(char(0x80 | ((cp >> 6) & 0x3f)));
        out.push_back(char(0x80 | (cp & 0x3f)));
    } else {
        out.push_back(char(0xf0 | (cp >> 18)));
        out.push_back(char(0x80 | ((cp >> 12) & 0x3f)));
        out.push_back(char(0x80 | ((cp >> 6) & 0x3f)));
        out.push_back(char(0x80 | (cp & 0x3f)));
    }
}

ConsoleScreen::ConsoleScreen() : cells_(size_t(cols_ * rows_)), dirty_(size_t(rows_), true) {}

Result<int> ConsoleScreen::feed(const uint8_t* data, size_t size) {
    pending_.insert(pending_.end(), data, data + size);
    int frames = 0;
    size_t offset = 0;
    while (pending_.size() - offset >= kHeaderSize) {
        const uint8_t* header = pending_.data() + offset;
        size_t length = readU16(header + 2);
        if (pending_.size() - offset < kHeaderSize + length)
            break;
        auto applied = apply(header[0], header + kHeaderSize, length);
        offset += kHeaderSize + length;
        if (applied.is_error()) {
            pending_.erase(pending_.begin(), pending_.begin() + long(offset));
            return applied.error();
        }
        if (header[0] == V3_CONSOLE_MSG_FRAME_END)
            ++frames;
    }
    pending_.erase(pending_.begin(), pending_.begin() + long(offset));
    return frames;
}

Result<Ok> ConsoleScreen::apply(uint8_t type, const uint8_t* payload, size_t length) {
    switch (type) {
    case V3_CONSOLE_MSG_MODE: {
        if (length != sizeof(v3_console_mode))
            return malformed("MODE", "payload of " + std::to_string(length) + " bytes");
        int cols = readU16(payload);
        int rows = readU16(payload + 2);
        if (cols < 1 || cols > kMaxCols || rows < 1 || rows > kMaxRows)
            return malformed("MODE", std::to_string(cols) + "x" + std::to_string(rows));
        cols_ = cols;
        rows_ = rows;
        blink_ = (readU16(payload + 4) & V3_CONSOLE_BLINK) != 0;
        haveMode_ = true;
        cells_.assign(size_t(cols_ * rows_), ConsoleCell{});
        dirty_.assign(size_t(rows_), true);
        if (cursor_.row >= rows_ || cursor_.col >= cols_)
            cursor_.row = cursor_.col = 0;
        return Ok{};
    }
    case V3_CONSOLE_MSG_CELLS: {
        if (length < sizeof(v3_console_cells))
            return malformed("CELLS", "payload of " + std::to_string(length) + " bytes");
        int row = readU16(payload);
        int col = readU16(payload + 2);
        int count = readU16(payload + 4);
        if (length != sizeof(v3_console_cells) + size_t(count) * sizeof(v3_console_cell))
            return malformed("CELLS", std::to_string(count) + " cells in " +
                                          std::to_string(length) + " bytes");
        if (row >= rows_ || col + count > cols_)
            return malformed("CELLS", "row " + std::to_string(row) + " columns " +
                                          std::to_string(col) + "+" + std::to_string(count) +
                                          " outside " + std::to_string(cols_) + "x" +
                                          std::to_string(rows_));
        const uint8_t* cell = payload + sizeof(v3_console_cells);
        for (int i = 0; i < count; ++i, cell += 2)
            cells_[size_t(row * cols_ + col + i)] = ConsoleCell{cell[0], cell[1]};
        markDirty(row);
        return Ok{};
    }
    case V3_CONSOLE_MSG_CURSOR: {
        if (length != sizeof(v3_console_cursor))
            return malformed("CURSOR", "payload of " + std::to_string(length) + " bytes");
        ConsoleCursor next;
        next.row = readU16(payload);
        next.col = readU16(payload + 2);
        next.visible = payload[4] != 0;
        next.startLine = payload[5];
        next.endLine = payload[6];
        next.cellHeight = payload[7];
        // A cursor off the screen is how software hides it on a 6845.
        if (next.row >= rows_ || next.col >= cols_)
            next.visible = false;
        if (cursor_.row < rows_)
            markDirty(cursor_.row);
        if (next.row < rows_)
            markDirty(next.row);
        cursor_ = next;
        return Ok{};
    }
    case V3_CONSOLE_MSG_FRAME_END:
        if (length != 0)
            return malformed("FRAME_END", "payload of " + std::to_string(length) + " bytes");
        return Ok{};
    default:
        return Ok{};
    }
}

void ConsoleScreen::markDirty(int row) {
    if (row >= 0 && row < rows_)
        dirty_[size_t(row)] = true;
}

std::vector<int> ConsoleScreen::takeDirtyRows() {
    std::vector<int> rows;
    for (int row = 0; row < rows_; ++row) {
        if (dirty_[size_t(row)])
            rows.push_back(row);
        dirty_[size_t(row)] = false;
    }
    return rows;
}

std::string ConsoleScreen::rowText(int row) const {
    std::string text;
    if (row < 0 || row >= rows_)
        return text;
    for (int col = 0; col < cols_; ++col)
        appendUtf8(text, cp437ToUnicode(cell(row, col).ch));
    return text;
}

std::vector<uint8_t> encodeConsoleMode(int cols, int rows, bool blink) {
    std::vector<uint8_t> out;
    putHeader(out, V3_CONSOLE_MSG_MODE, sizeof(v3_console_mode));
    putU16(out, unsigned(cols));
    putU16(out, unsigned(rows));
    putU16(out, blink ? V3_CONSOLE_BLINK : 0);
    putU16(out, 0);
    return out;
}

std::vector<uint8_t> encodeConsoleCells(int row, int col, const std::vector<ConsoleCell>& cells) {
    std::vector<uint8_t> out;
    putHeader(out, V3_CONSOLE_MSG_CELLS,
              sizeof(v3_console_cells) + cells.size() * sizeof(v3_console_cell));
    putU16(out, unsigned(row));
    putU16(out, unsigned(col));
    putU16(out, unsigned(cells.size()));
    putU16(out, 0);
    for (const ConsoleCell& cell : cells) {
        out.push_back(cell.ch);
        out.push_back(cell.attr);
    }
    return out;
}

std::vector<uint8_t> encodeConsoleCursor(const ConsoleCursor& cursor) {
    std::vector<uint8_t> out;
    putHeader(out, V3_CONSOLE_MSG_CURSOR, sizeof(v3_console_cursor));
    putU16(out, unsigned(cursor.row));
    putU16(out, unsigned(cursor.col));
    out.push_back(cursor.visible ? 1 : 0);
    out.push_back(uint8_t(cursor.startLine));
    out.push_back(uint8_t(cursor.endLine));
    out.push_back(uint8_t(cursor.cellHeight));
    return out;
}

std::vector<uint8_t> encodeConsoleFrameEnd() {
    std::vector<uint8_t> out;
    putHeader(out, V3_CONSOLE_MSG_FRAME_END, 0);
    return out;
}

} // namespace v3ctl
