// A terminal's screen and scrollback, emulated by libvterm: bytes from the
// guest go in (ANSI/VT100 sequences, UTF-8), cells with colours come out,
// and keys typed by the user become the bytes a terminal would send. No
// painting here, so the emulation can be tested on its own.
#pragma once

#include <QByteArray>
#include <QObject>
#include <QPoint>
#include <QRgb>
#include <QString>
#include <QVector>

#include <deque>

struct VTerm;
struct VTermScreen;

class TerminalScreen : public QObject {
    Q_OBJECT
public:
    struct Cell {
        char32_t ch = 0; // 0: empty
        QRgb fg = 0;
        QRgb bg = 0;
        quint8 flags = 0;
    };
    enum CellFlag : quint8 { Bold = 1, Underline = 2, Italic = 4, Reverse = 8, Wide = 16 };
    using Line = QVector<Cell>;

    static constexpr int kMaxScrollback = 5000;

    TerminalScreen(int rows, int cols, QObject* parent = nullptr);
    ~TerminalScreen() override;

    // Emulates the guest's output. Returns quickly; changed() follows once.
    void feed(const QByteArray& bytes);
    void resize(int rows, int cols);
    int rows() const { return rows_; }
    int cols() const { return cols_; }

    // row 0..rows-1 of the live screen.
    Cell cellAt(int row, int col) const;
    QString lineText(int row) const; // trailing blanks removed
    QPoint cursor() const;           // x = column, y = row
    bool cursorVisible() const { return cursorVisible_; }
    QString title() const { return title_; }

    // Lines that scrolled off the top, oldest first.
    int scrollbackCount() const { return int(scrollback_.size()); }
    const Line& scrollbackLine(int index) const { return scrollback_[size_t(index)]; }
    static QString textOf(const Line& line);

    QRgb defaultForeground() const { return defaultFg_; }
    QRgb defaultBackground() const { return defaultBg_; }

    // Keyboard input as a terminal sends it (VTermKey / VTermModifier values).
    void sendKey(int vtermKey, int modifiers);
    void sendText(const QString& text, int modifiers);
    // Pasted text, bracketed when the guest asked for it.
    void paste(const QString& text);

signals:
    void changed();
    // Bytes to send to the guest (keys typed, answers to queries).
    void output(const QByteArray& bytes);
    void titleChanged(const QString& title);

private:
    struct Callbacks; // libvterm's C callbacks (terminal_screen.cpp)
    friend struct Callbacks;
    Cell convert(const void* vtermCell) const;

    VTerm* vt_;
    VTermScreen* screen_;
    int rows_;
    int cols_;
    std::deque<Line> scrollback_;
    QRgb defaultFg_;
    QRgb defaultBg_;
    bool cursorVisible_ = true;
    bool dirty_ = false;
    QString title_;
    QByteArray pendingOutput_;
};
