// A terminal view over a TerminalScreen: draws the cells in a fixed-pitch
// font with their colours, scrollback on the scroll bar, a block cursor,
// mouse selection with copy (Ctrl+Shift+C) and paste (Ctrl+Shift+V), and
// keys sent as a terminal sends them (inputReady). Repaints are coalesced:
// however fast the guest writes, the widget paints at most once a frame.
#pragma once

#include <QAbstractScrollArea>
#include <QPoint>
#include <QTimer>

class TerminalScreen;

class TerminalWidget : public QAbstractScrollArea {
    Q_OBJECT
public:
    explicit TerminalWidget(QWidget* parent = nullptr);

    TerminalScreen* screen() const { return screen_; }
    // The guest's output (any amount: it is parsed at once, painted later).
    void feed(const QByteArray& bytes);
    // Input is refused (and greyed) while the VM cannot take it.
    void setInputEnabled(bool enabled);
    bool inputEnabled() const { return inputEnabled_; }

    QString selectedText() const;
    void selectAll();
    int repaintCount() const { return repaints_; }
    QSize cellSize() const { return cell_; }

public slots:
    void copy();
    void pasteClipboard();

signals:
    // Bytes to write to the guest's stream.
    void inputReady(const QByteArray& bytes);

protected:
    bool event(QEvent* event) override;
    void paintEvent(QPaintEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void contextMenuEvent(QContextMenuEvent* event) override;
    bool focusNextPrevChild(bool next) override;

private:
    void scheduleRepaint();
    void repaintNow();
    void syncScrollBar();
    // Cell under a viewport point, as (column, line in scrollback+screen).
    QPoint cellAt(const QPoint& point) const;
    int totalLines() const;

    TerminalScreen* screen_;
    QTimer repaintTimer_;
    QSize cell_;
    int ascent_ = 0;
    bool followOutput_ = true;
    bool inputEnabled_ = true;
    bool selecting_ = false;
    QPoint selectionStart_{-1, -1};
    QPoint selectionEnd_{-1, -1};
    int repaints_ = 0;
};
