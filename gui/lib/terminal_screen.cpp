#include "terminal_screen.h"

#include <vterm.h>

#include <algorithm>

namespace {

QRgb toRgb(const VTermScreen* screen, VTermColor colour) {
    vterm_screen_convert_color_to_rgb(screen, &colour);
    return qRgb(colour.rgb.red, colour.rgb.green, colour.rgb.blue);
}

} // namespace

struct TerminalScreen::Callbacks {
    static int damage(VTermRect, void* user) {
        static_cast<TerminalScreen*>(user)->dirty_ = true;
        return 1;
    }
    static int moveCursor(VTermPos, VTermPos, int visible, void* user) {
        auto* self = static_cast<TerminalScreen*>(user);
        self->cursorVisible_ = visible;
        self->dirty_ = true;
        return 1;
    }
    static int setTermProp(VTermProp prop, VTermValue* value, void* user) {
        auto* self = static_cast<TerminalScreen*>(user);
        if (prop == VTERM_PROP_CURSORVISIBLE)
            self->cursorVisible_ = value->boolean;
        else if (prop == VTERM_PROP_TITLE) {
            self->title_ = QString::fromUtf8(value->string);
            emit self->titleChanged(self->title_);
        }
        return 1;
    }
    static int pushLine(int cols, const VTermScreenCell* cells, void* user) {
        auto* self = static_cast<TerminalScreen*>(user);
        Line line(cols);
        for (int c = 0; c < cols; ++c)
            line[c] = self->convert(&cells[c]);
        self->scrollback_.push_back(std::move(line));
        if (self->scrollback_.size() > size_t(kMaxScrollback))
            self->scrollback_.pop_front();
        return 1;
    }
    static int popLine(int cols, VTermScreenCell* cells, void* user) {
        // The screen grew taller: the newest scrollback line comes back.
        auto* self = static_cast<TerminalScreen*>(user);
        if (self->scrollback_.empty())
            return 0;
        const Line line = std::move(self->scrollback_.back());
        self->scrollback_.pop_back();
        VTermScreenCell blank{};
        blank.width = 1;
        vterm_color_rgb(&blank.fg, qRed(self->defaultFg_), qGreen(self->defaultFg_),
                        qBlue(self->defaultFg_));
        vterm_color_rgb(&blank.bg, qRed(self->defaultBg_), qGreen(self->defaultBg_),
                        qBlue(self->defaultBg_));
        for (int c = 0; c < cols; ++c) {
            cells[c] = blank;
            if (c < line.size()) {
                const Cell& from = line[c];
                cells[c].chars[0] = from.ch;
                vterm_color_rgb(&cells[c].fg, qRed(from.fg), qGreen(from.fg), qBlue(from.fg));
                vterm_color_rgb(&cells[c].bg, qRed(from.bg), qGreen(from.bg), qBlue(from.bg));
                cells[c].attrs.bold = (from.flags & Bold) != 0;
                cells[c].attrs.underline = (from.flags & Underline) != 0;
                cells[c].attrs.italic = (from.flags & Italic) != 0;
            }
        }
        return 1;
    }
    static void output(const char* bytes, size_t length, void* user) {
        static_cast<TerminalScreen*>(user)->pendingOutput_.append(bytes, qsizetype(length));
    }
    static const VTermScreenCallbacks* table() {
        static const VTermScreenCallbacks callbacks = {
            &damage,     nullptr, // moverect: damage covers it
            &moveCursor, &setTermProp,
            nullptr, // bell
            nullptr, // resize
            &pushLine,   &popLine,
        };
        return &callbacks;
    }
};

TerminalScreen::TerminalScreen(int rows, int cols, QObject* parent)
    : QObject(parent), rows_(std::max(rows, 1)), cols_(std::max(cols, 1)),
      defaultFg_(qRgb(0xd8, 0xdb, 0xe0)), defaultBg_(qRgb(0x17, 0x1a, 0x1f)) {
    vt_ = vterm_new(rows_, cols_);
    vterm_set_utf8(vt_, 1);
    vterm_output_set_callback(vt_, &Callbacks::output, this);
    screen_ = vterm_obtain_screen(vt_);
    VTermColor fg, bg;
    vterm_color_rgb(&fg, qRed(defaultFg_), qGreen(defaultFg_), qBlue(defaultFg_));
    vterm_color_rgb(&bg, qRed(defaultBg_), qGreen(defaultBg_), qBlue(defaultBg_));
    vterm_state_set_default_colors(vterm_obtain_state(vt_), &fg, &bg);
    vterm_screen_set_callbacks(screen_, Callbacks::table(), this);
    // Scroll damage is merged so a fast stream costs one repaint, not one per line.
    vterm_screen_set_damage_merge(screen_, VTERM_DAMAGE_SCROLL);
    vterm_screen_enable_altscreen(screen_, 1);
    vterm_screen_reset(screen_, 1);
}

TerminalScreen::~TerminalScreen() {
    vterm_free(vt_);
}

void TerminalScreen::feed(const QByteArray& bytes) {
    if (bytes.isEmpty())
        return;
    vterm_input_write(vt_, bytes.constData(), size_t(bytes.size()));
    vterm_screen_flush_damage(screen_);
    if (!pendingOutput_.isEmpty()) // answers to the guest's queries (cursor position...)
        emit output(std::exchange(pendingOutput_, QByteArray()));
    if (dirty_) {
        dirty_ = false;
        emit changed();
    }
}

void TerminalScreen::resize(int rows, int cols) {
    rows = std::max(rows, 1);
    cols = std::max(cols, 1);
    if (rows == rows_ && cols == cols_)
        return;
    rows_ = rows;
    cols_ = cols;
    vterm_set_size(vt_, rows, cols);
    vterm_screen_flush_damage(screen_);
    dirty_ = false;
    emit changed();
}

TerminalScreen::Cell TerminalScreen::convert(const void* raw) const {
    const auto& cell = *static_cast<const VTermScreenCell*>(raw);
    Cell out;
    out.ch = cell.chars[0];
    out.fg = toRgb(screen_, cell.fg);
    out.bg = toRgb(screen_, cell.bg);
    if (cell.attrs.bold)
        out.flags |= Bold;
    if (cell.attrs.underline)
        out.flags |= Underline;
    if (cell.attrs.italic)
        out.flags |= Italic;
    if (cell.attrs.reverse)
        out.flags |= Reverse;
    if (cell.width > 1)
        out.flags |= Wide;
    if (cell.attrs.reverse)
        std::swap(out.fg, out.bg);
    return out;
}

TerminalScreen::Cell TerminalScreen::cellAt(int row, int col) const {
    VTermScreenCell cell{};
    if (!vterm_screen_get_cell(screen_, VTermPos{row, col}, &cell))
        return Cell{0, defaultFg_, defaultBg_, 0};
    return convert(&cell);
}

QString TerminalScreen::textOf(const Line& line) {
    QString text;
    for (const Cell& c : line) {
        if (c.ch == 0) {
            text += ' ';
            continue;
        }
        const char32_t ch = c.ch;
        text += QString::fromUcs4(&ch, 1);
    }
    while (text.endsWith(' '))
        text.chop(1);
    return text;
}

QString TerminalScreen::lineText(int row) const {
    Line line(cols_);
    for (int c = 0; c < cols_; ++c)
        line[c] = cellAt(row, c);
    return textOf(line);
}

QPoint TerminalScreen::cursor() const {
    VTermPos pos{};
    vterm_state_get_cursorpos(vterm_obtain_state(vt_), &pos);
    return QPoint(pos.col, pos.row);
}

void TerminalScreen::sendKey(int vtermKey, int modifiers) {
    vterm_keyboard_key(vt_, VTermKey(vtermKey), VTermModifier(modifiers));
    if (!pendingOutput_.isEmpty())
        emit output(std::exchange(pendingOutput_, QByteArray()));
}

void TerminalScreen::sendText(const QString& text, int modifiers) {
    for (char32_t ch : text.toUcs4())
        vterm_keyboard_unichar(vt_, ch, VTermModifier(modifiers));
    if (!pendingOutput_.isEmpty())
        emit output(std::exchange(pendingOutput_, QByteArray()));
}

void TerminalScreen::paste(const QString& text) {
    vterm_keyboard_start_paste(vt_);
    QString normalized = text;
    normalized.replace("\r\n", "\r").replace('\n', '\r');
    for (char32_t ch : normalized.toUcs4())
        vterm_keyboard_unichar(vt_, ch, VTERM_MOD_NONE);
    vterm_keyboard_end_paste(vt_);
    if (!pendingOutput_.isEmpty())
        emit output(std::exchange(pendingOutput_, QByteArray()));
}
