// The text console drawn in this terminal with ncurses: the guest's 80x25
// cells in the 16 CGA colours (8 colours plus bold for bright foregrounds
// on terminals with fewer than 16), code page 437 glyphs as Unicode, the
// hardware cursor, and a status line below the screen when there is room.
// Constructing it takes the terminal over; destroying it gives it back
// (endwin), so every exit path that unwinds restores the terminal.
#pragma once

#include "console_screen.h"

#include <string>

namespace v3tools {

class ConsoleView {
public:
    ConsoleView();
    ~ConsoleView();
    ConsoleView(const ConsoleView&) = delete;
    ConsoleView& operator=(const ConsoleView&) = delete;

    bool ok() const { return ok_; }
    // Draws the rows the screen marks dirty (all of them after resize()).
    void draw(v3ctl::ConsoleScreen& screen);
    void setStatus(const std::string& text);
    // The terminal changed size: redraw everything on the next draw().
    void resize();

private:
    void drawRow(const v3ctl::ConsoleScreen& screen, int row);
    void placeCursor(const v3ctl::ConsoleScreen& screen);
    int pairFor(unsigned char attr) const;

    bool ok_ = false;
    bool fullRedraw_ = true;
    bool sixteenColours_ = false;
    std::string status_;
};

} // namespace v3tools
