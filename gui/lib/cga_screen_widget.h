// Draws a guest's CGA text screen (a v3ctl::ConsoleScreen fed with the
// console descriptor's bytes): the cells in a monospace font with the 16
// CGA colours, code page 437 glyphs, blinking text or bright backgrounds as
// the MODE says, and the hardware cursor with the CRTC's scan-line shape,
// blinking at the 6845's rates. Completed frames redraw only their dirty
// rows into an off-screen canvas; the canvas is rendered at the cell size
// the current zoom asks for (fit to the widget keeping the aspect, or a
// fixed factor), so glyphs stay crisp. Key presses and releases become
// set-1 scan codes (keyBytes); the window's Ctrl+Shift shortcuts, Ctrl+Q
// and tab switching still reach the window.
#pragma once

#include "console_screen.h"

#include <QByteArray>
#include <QFont>
#include <QHash>
#include <QImage>
#include <QTimer>
#include <QWidget>

class CgaScreenWidget : public QWidget {
    Q_OBJECT
public:
    explicit CgaScreenWidget(QWidget* parent = nullptr);

    // The standard CGA palette (colour 6 is brown, 0xAA5500).
    static QRgb cgaColour(int index);

    const v3ctl::ConsoleScreen& screen() const { return screen_; }
    // Applies console bytes; redraws the dirty rows when a frame completed.
    // A malformed message returns its error (the screen keeps what it had).
    v3ctl::Result<int> feed(const QByteArray& bytes);

    void setInputEnabled(bool enabled);
    bool inputEnabled() const { return inputEnabled_; }
    // Releases every key the guest saw pressed (focus left, input stopped).
    void releaseHeldKeys();

    // 0 fits the screen to the widget; otherwise the cell scale (1 = the
    // base font). zoomIn/zoomOut step from whatever is shown now.
    double zoom() const { return zoom_; }
    void setZoom(double zoom);
    void zoomIn();
    void zoomOut();
    void zoomToFit() { setZoom(0); }

    // Where a cell is drawn, in widget coordinates.
    QRect cellRect(int row, int col) const;
    QSize cellSize() const { return cell_; }
    // Rows drawn into the canvas so far (each dirty row once per frame).
    int renderedRows() const { return renderedRows_; }
    QList<int> lastRenderedRows() const { return lastRendered_; }
    // Blink phases: the cursor and blinking text are shown when true.
    bool cursorPhaseOn() const { return cursorOn_; }
    bool textBlinkPhaseOn() const { return textOn_; }
    // Advances the blink clock one cursor period (the timer calls it).
    void blinkTick();
    // The cursor's blink period in ms (text blinks at half the rate); 0
    // stops blinking with everything shown (for users who find it
    // distracting, and for tests that sample pixels).
    void setBlinkPeriod(int ms);
    int blinkPeriod() const { return blinkPeriodMs_; }

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

signals:
    // Scan codes to write to the console descriptor.
    void keyBytes(const QByteArray& bytes);

protected:
    bool event(QEvent* event) override;
    void paintEvent(QPaintEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    void keyReleaseEvent(QKeyEvent* event) override;
    void focusOutEvent(QFocusEvent* event) override;
    void showEvent(QShowEvent* event) override;
    void hideEvent(QHideEvent* event) override;
    bool focusNextPrevChild(bool next) override;

private:
    void renderRows(const std::vector<int>& rows);
    void renderRow(QPainter& painter, int row);
    void relayout();
    void setCellScale(double scale);
    QPoint origin() const;
    QRect cursorRect() const;
    bool handleZoomKey(QKeyEvent* event);

    v3ctl::ConsoleScreen screen_;
    QFont baseFont_;
    QFont font_;
    QSize baseCell_;
    QSize cell_;
    int ascent_ = 0;
    double scale_ = 1.0;
    double zoom_ = 0;
    QImage canvas_;
    std::vector<bool> blinkingRows_;
    QTimer blinkTimer_;
    int blinkTicks_ = 0;
    int blinkPeriodMs_ = 0;
    bool cursorOn_ = true;
    bool textOn_ = true;
    bool inputEnabled_ = true;
    bool useNativeCodes_ = false;
    QHash<QByteArray, QByteArray> held_; // make bytes -> break bytes
    int renderedRows_ = 0;
    QList<int> lastRendered_;
};
