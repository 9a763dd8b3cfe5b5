// The client side of the text console (kmod/uapi/v3vee_console.h): a model of
// the guest's screen built from the messages a console descriptor delivers,
// in whatever pieces reads return them. The tools and the window draw from
// it; the encoders build the same messages for tests and test doubles.
#pragma once

#include "result.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace v3ctl {

struct ConsoleCell {
    uint8_t ch = ' ';
    uint8_t attr = 0x07; // light grey on black, the CGA power-on attribute
    bool operator==(const ConsoleCell&) const = default;
};

struct ConsoleCursor {
    int row = 0;
    int col = 0;
    bool visible = true;
    int startLine = 14; // an underline cursor in a 16-line cell
    int endLine = 15;
    int cellHeight = 16;
    bool operator==(const ConsoleCursor&) const = default;
};

class ConsoleScreen {
public:
    static constexpr int kMaxCols = 255;
    static constexpr int kMaxRows = 127;

    ConsoleScreen();

    // Applies the bytes read from a console descriptor. Returns how many
    // frames (FRAME_END messages) completed, so a viewer repaints when it is
    // non-zero; a message split across calls waits for its rest. A malformed
    // message is an error that names it; the screen keeps what came before.
    // Unknown message types are skipped (newer modules may add some).
    Result<int> feed(const uint8_t* data, size_t size);

    int cols() const { return cols_; }
    int rows() const { return rows_; }
    // Attribute bit 7 blinks (true) or selects a bright background.
    bool blinkEnabled() const { return blink_; }
    const ConsoleCell& cell(int row, int col) const { return cells_[size_t(row * cols_ + col)]; }
    const ConsoleCursor& cursor() const { return cursor_; }
    bool hasMode() const { return haveMode_; }

    // Rows changed (or the cursor's row, old and new) since the last call.
    std::vector<int> takeDirtyRows();
    // One row's characters as UTF-8 (code page 437 mapped to Unicode),
    // trailing blanks kept: what a test compares against.
    std::string rowText(int row) const;

private:
    Result<Ok> apply(uint8_t type, const uint8_t* payload, size_t length);
    void markDirty(int row);

    int cols_ = 80;
    int rows_ = 25;
    bool blink_ = true;
    bool haveMode_ = false;
    std::vector<ConsoleCell> cells_;
    std::vector<bool> dirty_;
    ConsoleCursor cursor_;
    std::vector<uint8_t> pending_; // a message not yet complete
};

// The Unicode code point of a code page 437 character (the CGA font).
char32_t cp437ToUnicode(uint8_t ch);
// Appends the UTF-8 encoding of `cp`.
void appendUtf8(std::string& out, char32_t cp);

// Encoders for the same wire format.
std::vector<uint8_t> encodeConsoleMode(int cols, int rows, bool blink);
std::vector<uint8_t> encodeConsoleCells(int row, int col, const std::vector<ConsoleCell>& cells);
std::vector<uint8_t> encodeConsoleCursor(const ConsoleCursor& cursor);
std::vector<uint8_t> encodeConsoleFrameEnd();

} // namespace v3ctl
