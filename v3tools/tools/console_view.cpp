#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#include "console_view.h"

#include <clocale>
#include <cwchar>
#include <ncursesw/curses.h>

namespace v3tools {

namespace {
// CGA colour numbers (blue = 1, ..., brown = 6) to curses' (red = 1, ...).
constexpr short kCgaToCurses[8] = {COLOR_BLACK, COLOR_BLUE,    COLOR_GREEN,  COLOR_CYAN,
                                   COLOR_RED,   COLOR_MAGENTA, COLOR_YELLOW, COLOR_WHITE};
} // namespace

ConsoleView::ConsoleView() {
    std::setlocale(LC_ALL, "");
    if (!newterm(nullptr, stdout, stdin))
        return;
    raw();
    noecho();
    nonl();
    curs_set(1);
    if (has_colors()) {
        start_color();
        sixteenColours_ = COLORS >= 16 && COLOR_PAIRS >= 257;
        int backgrounds = sixteenColours_ ? 16 : 8;
        int foregrounds = sixteenColours_ ? 16 : 8;
        for (int bg = 0; bg < backgrounds; ++bg)
            for (int fg = 0; fg < foregrounds; ++fg) {
                short f = short(kCgaToCurses[fg & 7] + ((fg & 8) ? 8 : 0));
                short b = short(kCgaToCurses[bg & 7] + ((bg & 8) ? 8 : 0));
                init_pair(short(1 + bg * foregrounds + fg), f, b);
            }
    }
    ok_ = true;
}

ConsoleView::~ConsoleView() {
    if (ok_)
        endwin();
}

int ConsoleView::pairFor(unsigned char attr) const {
    int fg = attr & 0x0f, bg = (attr >> 4) & 0x0f;
    if (sixteenColours_)
        return 1 + bg * 16 + fg;
    return 1 + (bg & 7) * 8 + (fg & 7);
}

void ConsoleView::drawRow(const v3ctl::ConsoleScreen& screen, int row) {
    if (row >= LINES)
        return;
    bool blink = screen.blinkEnabled();
    for (int col = 0; col < screen.cols() && col < COLS; ++col) {
        const v3ctl::ConsoleCell& cell = screen.cell(row, col);
        unsigned char attr = cell.attr;
        attr_t extra = A_NORMAL;
        if (blink && (attr & 0x80)) {
            extra |= A_BLINK;
            attr &= 0x7f; // bit 7 blinks instead of brightening the background
        }
        if (!sixteenColours_ && (attr & 0x08))
            extra |= A_BOLD;
        wchar_t glyph[2] = {wchar_t(v3ctl::cp437ToUnicode(cell.ch)), 0};
        if (glyph[0] == 0)
            glyph[0] = L' ';
        cchar_t c;
        setcchar(&c, glyph, extra, has_colors() ? short(pairFor(attr)) : 0, nullptr);
        mvadd_wch(row, col, &c);
    }
}

void ConsoleView::placeCursor(const v3ctl::ConsoleScreen& screen) {
    const v3ctl::ConsoleCursor& cursor = screen.cursor();
    bool visible = cursor.visible && cursor.row < LINES && cursor.col < COLS;
    curs_set(visible ? 1 : 0);
    if (visible)
        move(cursor.row, cursor.col);
}

void ConsoleView::draw(v3ctl::ConsoleScreen& screen) {
    if (!ok_)
        return;
    std::vector<int> dirty = screen.takeDirtyRows();
    if (fullRedraw_) {
        clear();
        for (int row = 0; row < screen.rows(); ++row)
            drawRow(screen, row);
        fullRedraw_ = false;
    } else {
        for (int row : dirty)
            if (row >= 0 && row < screen.rows())
                drawRow(screen, row);
    }
    if (screen.rows() < LINES && !status_.empty()) {
        attrset(A_REVERSE);
        mvaddnstr(screen.rows(), 0, status_.c_str(), COLS);
        clrtoeol();
        attrset(A_NORMAL);
    }
    placeCursor(screen);
    refresh();
}

void ConsoleView::setStatus(const std::string& text) {
    status_ = text;
    fullRedraw_ = true;
}

void ConsoleView::resize() {
    if (!ok_)
        return;
    endwin();
    refresh();
    fullRedraw_ = true;
}

} // namespace v3tools
