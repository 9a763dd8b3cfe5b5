#include "terminal_widget.h"
#include "terminal_screen.h"

#include <QApplication>
#include <QClipboard>
#include <QContextMenuEvent>
#include <QFontDatabase>
#include <QKeyEvent>
#include <QMenu>
#include <QPainter>
#include <QScrollBar>

#include <vterm_keycodes.h>

namespace {

constexpr int kFrameMs = 16; // at most one repaint per frame

int modifiersOf(Qt::KeyboardModifiers m) {
    int mods = VTERM_MOD_NONE;
    if (m & Qt::ShiftModifier)
        mods |= VTERM_MOD_SHIFT;
    if (m & Qt::AltModifier)
        mods |= VTERM_MOD_ALT;
    if (m & Qt::ControlModifier)
        mods |= VTERM_MOD_CTRL;
    return mods;
}

int vtermKeyFor(int qtKey) {
    switch (qtKey) {
    case Qt::Key_Return:
        return VTERM_KEY_ENTER;
    case Qt::Key_Enter:
        return VTERM_KEY_KP_ENTER;
    case Qt::Key_Tab:
    case Qt::Key_Backtab:
        return VTERM_KEY_TAB;
    case Qt::Key_Backspace:
        return VTERM_KEY_BACKSPACE;
    case Qt::Key_Escape:
        return VTERM_KEY_ESCAPE;
    case Qt::Key_Up:
        return VTERM_KEY_UP;
    case Qt::Key_Down:
        return VTERM_KEY_DOWN;
    case Qt::Key_Left:
        return VTERM_KEY_LEFT;
    case Qt::Key_Right:
        return VTERM_KEY_RIGHT;
    case Qt::Key_Insert:
        return VTERM_KEY_INS;
    case Qt::Key_Delete:
        return VTERM_KEY_DEL;
    case Qt::Key_Home:
        return VTERM_KEY_HOME;
    case Qt::Key_End:
        return VTERM_KEY_END;
    case Qt::Key_PageUp:
        return VTERM_KEY_PAGEUP;
    case Qt::Key_PageDown:
        return VTERM_KEY_PAGEDOWN;
    default:
        break;
    }
    if (qtKey >= Qt::Key_F1 && qtKey <= Qt::Key_F12)
        return VTERM_KEY_FUNCTION(qtKey - Qt::Key_F1 + 1);
    return VTERM_KEY_NONE;
}

bool before(QPoint a, QPoint b) {
    return a.y() < b.y() || (a.y() == b.y() && a.x() < b.x());
}

} // namespace

TerminalWidget::TerminalWidget(QWidget* parent) : QAbstractScrollArea(parent) {
    QFont font = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    font.setStyleHint(QFont::TypeWriter);
    setFont(font);
    QFontMetrics metrics(font);
    cell_ = QSize(std::max(1, metrics.horizontalAdvance('M')), std::max(1, metrics.height()));
    ascent_ = metrics.ascent();

    screen_ = new TerminalScreen(25, 80, this);
    connect(screen_, &TerminalScreen::changed, this, &TerminalWidget::scheduleRepaint);
    connect(screen_, &TerminalScreen::output, this, [this](const QByteArray& bytes) {
        if (inputEnabled_)
            emit inputReady(bytes);
    });

    repaintTimer_.setSingleShot(true);
    repaintTimer_.setInterval(kFrameMs);
    connect(&repaintTimer_, &QTimer::timeout, this, &TerminalWidget::repaintNow);

    setFocusPolicy(Qt::StrongFocus);
    setAttribute(Qt::WA_InputMethodEnabled, false);
    viewport()->setCursor(Qt::IBeamCursor);
    viewport()->setAutoFillBackground(false);
    setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOn);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    connect(verticalScrollBar(), &QScrollBar::valueChanged, this, [this](int value) {
        followOutput_ = value == verticalScrollBar()->maximum();
        viewport()->update();
    });
    setMinimumSize(cell_.width() * 20, cell_.height() * 5);
}

void TerminalWidget::feed(const QByteArray& bytes) {
    screen_->feed(bytes);
}

void TerminalWidget::setInputEnabled(bool enabled) {
    inputEnabled_ = enabled;
    viewport()->update();
}

void TerminalWidget::scheduleRepaint() {
    if (!repaintTimer_.isActive())
        repaintTimer_.start();
}

void TerminalWidget::repaintNow() {
    syncScrollBar();
    viewport()->update();
}

int TerminalWidget::totalLines() const {
    return screen_->scrollbackCount() + screen_->rows();
}

void TerminalWidget::syncScrollBar() {
    QScrollBar* bar = verticalScrollBar();
    const QSignalBlocker block(bar);
    bar->setRange(0, screen_->scrollbackCount());
    bar->setPageStep(screen_->rows());
    bar->setSingleStep(1);
    if (followOutput_)
        bar->setValue(bar->maximum());
}

void TerminalWidget::resizeEvent(QResizeEvent* event) {
    QAbstractScrollArea::resizeEvent(event);
    const QSize area = viewport()->size();
    screen_->resize(std::max(1, area.height() / cell_.height()),
                    std::max(2, area.width() / cell_.width()));
    syncScrollBar();
}

bool TerminalWidget::event(QEvent* event) {
    // Keys typed into the terminal belong to the guest, not to the window's
    // shortcuts (Delete, F5, Ctrl+N...). The keys the terminal does not use
    // reach the window: Ctrl+Shift with any key but C and V (its own copy
    // and paste; a terminal sends Ctrl+Shift+letter as Ctrl+letter, so the
    // guest loses nothing), Ctrl+Q and Ctrl+PageUp/PageDown (tab switching).
    if (event->type() == QEvent::ShortcutOverride && inputEnabled_) {
        auto* key = static_cast<QKeyEvent*>(event);
        const Qt::KeyboardModifiers m = key->modifiers();
        const bool ctrlShift = (m & Qt::ControlModifier) && (m & Qt::ShiftModifier);
        const bool ownCtrlShift = key->key() == Qt::Key_C || key->key() == Qt::Key_V;
        const bool windowKey = key->matches(QKeySequence::Quit) || (ctrlShift && !ownCtrlShift) ||
                               ((m & Qt::ControlModifier) &&
                                (key->key() == Qt::Key_PageUp || key->key() == Qt::Key_PageDown));
        if (!windowKey) {
            event->accept();
            return true;
        }
    }
    return QAbstractScrollArea::event(event);
}

void TerminalWidget::paintEvent(QPaintEvent*) {
    ++repaints_;
    QPainter p(viewport());
    p.setFont(font());
    const QRgb background = screen_->defaultBackground();
    p.fillRect(viewport()->rect(), QColor(background));

    const int first = verticalScrollBar()->value(); // first line shown, in scrollback+screen
    const int scrollback = screen_->scrollbackCount();
    const int rows = screen_->rows();
    const int cols = screen_->cols();
    QPoint selFrom = selectionStart_, selTo = selectionEnd_;
    if (before(selTo, selFrom))
        std::swap(selFrom, selTo);
    const bool hasSelection = selectionStart_.y() >= 0 && selectionStart_ != selectionEnd_;

    TerminalScreen::Line live(cols);
    for (int r = 0; r < rows; ++r) {
        const int line = first + r;
        const TerminalScreen::Line* cells;
        if (line < scrollback) {
            cells = &screen_->scrollbackLine(line);
        } else {
            for (int c = 0; c < cols; ++c)
                live[c] = screen_->cellAt(line - scrollback, c);
            cells = &live;
        }
        const int y = r * cell_.height();
        // Draw runs of cells that share colours and style in one call.
        int c = 0;
        const int n = std::min<int>(cols, int(cells->size()));
        while (c < n) {
            const TerminalScreen::Cell& head = (*cells)[c];
            auto selected = [&](int col) {
                QPoint at(col, line);
                return hasSelection && !before(at, selFrom) && before(at, selTo);
            };
            const bool headSelected = selected(c);
            QString text;
            int end = c;
            while (end < n) {
                const TerminalScreen::Cell& cell = (*cells)[end];
                if (cell.fg != head.fg || cell.bg != head.bg || cell.flags != head.flags ||
                    selected(end) != headSelected)
                    break;
                const char32_t ch = cell.ch ? cell.ch : U' ';
                text += QString::fromUcs4(&ch, 1);
                ++end;
            }
            QColor fg(head.fg), bg(head.bg);
            if (headSelected)
                std::swap(fg, bg);
            const QRect box(c * cell_.width(), y, (end - c) * cell_.width(), cell_.height());
            if (bg.rgb() != background || headSelected)
                p.fillRect(box, bg);
            if (!text.trimmed().isEmpty()) {
                QFont f = font();
                f.setBold(head.flags & TerminalScreen::Bold);
                f.setItalic(head.flags & TerminalScreen::Italic);
                f.setUnderline(head.flags & TerminalScreen::Underline);
                p.setFont(f);
                p.setPen(inputEnabled_ ? fg : fg.darker(140));
                p.drawText(box.x(), y + ascent_, text);
            }
            c = end;
        }
    }
    // The cursor, when the live screen shows it.
    const QPoint cursor = screen_->cursor();
    const int cursorLine = scrollback + cursor.y() - first;
    if (screen_->cursorVisible() && cursorLine >= 0 && cursorLine < rows) {
        const QRect box(cursor.x() * cell_.width(), cursorLine * cell_.height(), cell_.width(),
                        cell_.height());
        QColor colour(screen_->defaultForeground());
        if (hasFocus() && inputEnabled_) {
            colour.setAlpha(170);
            p.fillRect(box, colour);
        } else {
            p.setPen(colour);
            p.drawRect(box.adjusted(0, 0, -1, -1));
        }
    }
}

void TerminalWidget::keyPressEvent(QKeyEvent* event) {
    const Qt::KeyboardModifiers m = event->modifiers();
    if ((m & Qt::ControlModifier) && (m & Qt::ShiftModifier)) {
        if (event->key() == Qt::Key_C) {
            copy();
            return;
        }
        if (event->key() == Qt::Key_V) {
            pasteClipboard();
            return;
        }
    }
    if ((m & Qt::ShiftModifier) &&
        (event->key() == Qt::Key_PageUp || event->key() == Qt::Key_PageDown)) {
        QScrollBar* bar = verticalScrollBar();
        bar->setValue(bar->value() + (event->key() == Qt::Key_PageUp ? -1 : 1) * bar->pageStep());
        return;
    }
    if (!inputEnabled_) {
        event->ignore();
        return;
    }
    const int mods = modifiersOf(m);
    const int key = vtermKeyFor(event->key());
    if (key != VTERM_KEY_NONE) {
        screen_->sendKey(key, mods);
    } else if ((m & Qt::ControlModifier) && event->key() >= Qt::Key_A &&
               event->key() <= Qt::Key_Z) {
        screen_->sendText(QString(QChar('a' + (event->key() - Qt::Key_A))), mods);
    } else if (!event->text().isEmpty()) {
        screen_->sendText(event->text(), mods & ~VTERM_MOD_SHIFT);
    } else {
        QAbstractScrollArea::keyPressEvent(event);
        return;
    }
    // Typing brings the live screen back into view.
    followOutput_ = true;
    syncScrollBar();
    event->accept();
}

bool TerminalWidget::focusNextPrevChild(bool) {
    return false; // Tab belongs to the guest
}

QPoint TerminalWidget::cellAt(const QPoint& point) const {
    const int col = std::clamp(point.x() / cell_.width(), 0, screen_->cols());
    const int row = std::clamp(point.y() / cell_.height(), 0, screen_->rows() - 1);
    return QPoint(col, verticalScrollBar()->value() + row);
}

void TerminalWidget::mousePressEvent(QMouseEvent* event) {
    if (event->button() == Qt::LeftButton) {
        selecting_ = true;
        selectionStart_ = selectionEnd_ = cellAt(event->position().toPoint());
        viewport()->update();
    } else if (event->button() == Qt::MiddleButton) {
        const QString text = QApplication::clipboard()->text(QClipboard::Selection);
        if (inputEnabled_ && !text.isEmpty())
            screen_->paste(text);
    }
    QAbstractScrollArea::mousePressEvent(event);
}

void TerminalWidget::mouseMoveEvent(QMouseEvent* event) {
    if (selecting_) {
        selectionEnd_ = cellAt(event->position().toPoint());
        viewport()->update();
    }
}

void TerminalWidget::mouseReleaseEvent(QMouseEvent* event) {
    if (selecting_ && event->button() == Qt::LeftButton) {
        selecting_ = false;
        const QString text = selectedText();
        if (!text.isEmpty() && QApplication::clipboard()->supportsSelection())
            QApplication::clipboard()->setText(text, QClipboard::Selection);
    }
}

QString TerminalWidget::selectedText() const {
    if (selectionStart_.y() < 0 || selectionStart_ == selectionEnd_)
        return {};
    QPoint from = selectionStart_, to = selectionEnd_;
    if (before(to, from))
        std::swap(from, to);
    const int scrollback = screen_->scrollbackCount();
    QStringList lines;
    for (int line = from.y(); line <= to.y() && line < totalLines(); ++line) {
        TerminalScreen::Line cells;
        if (line < scrollback) {
            cells = screen_->scrollbackLine(line);
        } else {
            cells.resize(screen_->cols());
            for (int c = 0; c < screen_->cols(); ++c)
                cells[c] = screen_->cellAt(line - scrollback, c);
        }
        const int start = line == from.y() ? from.x() : 0;
        const int end = line == to.y() ? to.x() : int(cells.size());
        lines << TerminalScreen::textOf(cells.mid(start, std::max(0, end - start)));
    }
    return lines.join('\n');
}

void TerminalWidget::selectAll() {
    selectionStart_ = QPoint(0, 0);
    selectionEnd_ = QPoint(screen_->cols(), totalLines() - 1);
    viewport()->update();
}

void TerminalWidget::copy() {
    const QString text = selectedText();
    if (!text.isEmpty())
        QApplication::clipboard()->setText(text);
}

void TerminalWidget::pasteClipboard() {
    const QString text = QApplication::clipboard()->text();
    if (inputEnabled_ && !text.isEmpty())
        screen_->paste(text);
}

void TerminalWidget::contextMenuEvent(QContextMenuEvent* event) {
    QMenu menu(this);
    QAction* copyAction = menu.addAction(tr("&Copy"), this, &TerminalWidget::copy);
    copyAction->setShortcut(QKeySequence("Ctrl+Shift+C"));
    copyAction->setEnabled(!selectedText().isEmpty());
    QAction* pasteAction = menu.addAction(tr("&Paste"), this, &TerminalWidget::pasteClipboard);
    pasteAction->setShortcut(QKeySequence("Ctrl+Shift+V"));
    pasteAction->setEnabled(inputEnabled_ && !QApplication::clipboard()->text().isEmpty());
    menu.addSeparator();
    menu.addAction(tr("Select &All"), this, &TerminalWidget::selectAll);
    menu.exec(event->globalPos());
}
