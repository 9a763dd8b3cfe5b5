#include "cga_screen_widget.h"
#include "pc_scan_codes.h"

#include <QFontDatabase>
#include <QFontMetrics>
#include <QKeyEvent>
#include <QPainter>

#include <algorithm>
#include <cmath>

namespace {

constexpr int kBaseFontPixels = 16; // the CGA/VGA character cell is 16 lines high
// The 6845 blinks the cursor with a period of 16 fields and blinking text
// with 32: at 60 Hz the cursor toggles every 133 ms, text every 267 ms.
constexpr int kCursorPeriodMs = 267;
constexpr double kMinZoom = 0.5;
constexpr double kMaxZoom = 4.0;
constexpr double kZoomStep = 1.25;

constexpr QRgb kCgaPalette[16] = {
    0x000000, 0x0000AA, 0x00AA00, 0x00AAAA, 0xAA0000, 0xAA00AA, 0xAA5500, 0xAAAAAA,
    0x555555, 0x5555FF, 0x55FF55, 0x55FFFF, 0xFF5555, 0xFF55FF, 0xFFFF55, 0xFFFFFF,
};

// Code page 437's solid blocks, drawn as rectangles so neighbouring cells
// join without the font's gaps: full, lower half, left half, right half,
// upper half.
bool drawBlock(QPainter& p, uint8_t ch, const QRect& box, QColor colour) {
    QRect part;
    switch (ch) {
    case 0xDB:
        part = box;
        break;
    case 0xDC:
        part = QRect(box.x(), box.y() + box.height() / 2, box.width(),
                     box.height() - box.height() / 2);
        break;
    case 0xDD:
        part = QRect(box.x(), box.y(), box.width() / 2, box.height());
        break;
    case 0xDE:
        part =
            QRect(box.x() + box.width() / 2, box.y(), box.width() - box.width() / 2, box.height());
        break;
    case 0xDF:
        part = QRect(box.x(), box.y(), box.width(), box.height() / 2);
        break;
    default:
        return false;
    }
    p.fillRect(part, colour);
    return true;
}

} // namespace

QRgb CgaScreenWidget::cgaColour(int index) {
    return 0xFF000000u | kCgaPalette[index & 15];
}

CgaScreenWidget::CgaScreenWidget(QWidget* parent) : QWidget(parent) {
    setObjectName("cgaScreen");
    baseFont_ = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    baseFont_.setStyleHint(QFont::TypeWriter);
    baseFont_.setPixelSize(kBaseFontPixels);
    const QFontMetrics metrics(baseFont_);
    baseCell_ = QSize(std::max(1, metrics.horizontalAdvance('M')), std::max(1, metrics.height()));
    font_ = baseFont_;
    cell_ = baseCell_;
    ascent_ = metrics.ascent();
    useNativeCodes_ = pcscan::platformHasEvdevCodes();
    setFocusPolicy(Qt::StrongFocus);
    setAttribute(Qt::WA_OpaquePaintEvent);
    setAttribute(Qt::WA_InputMethodEnabled, false);
    connect(&blinkTimer_, &QTimer::timeout, this, &CgaScreenWidget::blinkTick);
    setBlinkPeriod(kCursorPeriodMs);
    relayout();
}

v3ctl::Result<int> CgaScreenWidget::feed(const QByteArray& bytes) {
    auto frames =
        screen_.feed(reinterpret_cast<const uint8_t*>(bytes.constData()), size_t(bytes.size()));
    // Between FRAME_ENDs the screen may be half updated: draw only whole frames.
    if (frames.is_error() || frames.value() == 0)
        return frames;
    const QSize wanted(screen_.cols() * cell_.width(), screen_.rows() * cell_.height());
    if (canvas_.size() != wanted) { // a new MODE: a new geometry
        updateGeometry();
        relayout();
        screen_.takeDirtyRows();
        return frames;
    }
    renderRows(screen_.takeDirtyRows());
    return frames;
}

void CgaScreenWidget::renderRows(const std::vector<int>& rows) {
    if (rows.empty())
        return;
    QPainter painter(&canvas_);
    painter.setFont(font_);
    lastRendered_.clear();
    const QPoint at = origin();
    for (int row : rows) {
        renderRow(painter, row);
        lastRendered_ << row;
        update(QRect(at.x(), at.y() + row * cell_.height(), canvas_.width(), cell_.height()));
    }
}

void CgaScreenWidget::renderRow(QPainter& p, int row) {
    ++renderedRows_;
    const bool blinkMode = screen_.blinkEnabled();
    bool blinks = false;
    const int y = row * cell_.height();
    for (int col = 0; col < screen_.cols(); ++col) {
        const v3ctl::ConsoleCell& cell = screen_.cell(row, col);
        const int background = blinkMode ? (cell.attr >> 4) & 7 : cell.attr >> 4;
        const bool blinking = blinkMode && (cell.attr & 0x80);
        blinks |= blinking;
        const QRect box(col * cell_.width(), y, cell_.width(), cell_.height());
        p.fillRect(box, QColor(cgaColour(background)));
        if (blinking && !textOn_)
            continue;
        const QColor foreground(cgaColour(cell.attr & 15));
        if (cell.ch == 0 || cell.ch == ' ' || cell.ch == 0xFF ||
            drawBlock(p, cell.ch, box, foreground))
            continue;
        const char32_t glyph = v3ctl::cp437ToUnicode(cell.ch);
        p.setPen(foreground);
        p.drawText(box.x(), y + ascent_, QString::fromUcs4(&glyph, 1));
    }
    if (size_t(row) < blinkingRows_.size())
        blinkingRows_[size_t(row)] = blinks;
}

void CgaScreenWidget::relayout() {
    double scale = zoom_;
    if (zoom_ <= 0) {
        const double gridW = double(screen_.cols() * baseCell_.width());
        const double gridH = double(screen_.rows() * baseCell_.height());
        scale = std::clamp(std::min(width() / gridW, height() / gridH), kMinZoom / 2, kMaxZoom * 2);
    }
    setCellScale(scale);
    canvas_ = QImage(screen_.cols() * cell_.width(), screen_.rows() * cell_.height(),
                     QImage::Format_RGB32);
    blinkingRows_.assign(size_t(screen_.rows()), false);
    std::vector<int> all(size_t(screen_.rows()));
    for (int r = 0; r < screen_.rows(); ++r)
        all[size_t(r)] = r;
    renderRows(all);
    update();
}

void CgaScreenWidget::setCellScale(double scale) {
    // The largest font whose grid fits what the scale allows: fonts do not
    // scale linearly, so measure rather than multiply.
    const int cols = screen_.cols(), rows = screen_.rows();
    const int maxW = int(std::floor(cols * baseCell_.width() * scale));
    const int maxH = int(std::floor(rows * baseCell_.height() * scale));
    int pixels = std::max(4, int(std::lround(kBaseFontPixels * scale)));
    for (;; --pixels) {
        QFont font = baseFont_;
        font.setPixelSize(pixels);
        const QFontMetrics metrics(font);
        const QSize cell(std::max(1, metrics.horizontalAdvance('M')),
                         std::max(1, metrics.height()));
        if (pixels <= 4 || (cell.width() * cols <= maxW && cell.height() * rows <= maxH)) {
            font_ = font;
            cell_ = cell;
            ascent_ = metrics.ascent();
            scale_ = scale;
            return;
        }
    }
}

void CgaScreenWidget::setZoom(double zoom) {
    zoom_ = zoom <= 0 ? 0 : std::clamp(zoom, kMinZoom, kMaxZoom);
    if (zoom_ > 0)
        setMinimumSize(int(screen_.cols() * baseCell_.width() * zoom_),
                       int(screen_.rows() * baseCell_.height() * zoom_));
    else
        setMinimumSize(0, 0);
    updateGeometry();
    relayout();
}

void CgaScreenWidget::zoomIn() {
    setZoom(std::min(kMaxZoom, scale_ * kZoomStep));
}

void CgaScreenWidget::zoomOut() {
    setZoom(std::max(kMinZoom, scale_ / kZoomStep));
}

QPoint CgaScreenWidget::origin() const {
    return QPoint(std::max(0, (width() - canvas_.width()) / 2),
                  std::max(0, (height() - canvas_.height()) / 2));
}

QRect CgaScreenWidget::cellRect(int row, int col) const {
    return QRect(origin() + QPoint(col * cell_.width(), row * cell_.height()), cell_);
}

QRect CgaScreenWidget::cursorRect() const {
    const v3ctl::ConsoleCursor& c = screen_.cursor();
    // A start line below the end line shows no cursor (as on a VGA).
    if (!c.visible || c.startLine > c.endLine || c.cellHeight <= 0 || c.startLine >= c.cellHeight)
        return {};
    const QRect cell = cellRect(c.row, c.col);
    const int end = std::min(c.endLine, c.cellHeight - 1) + 1;
    const int top = c.startLine * cell.height() / c.cellHeight;
    const int bottom = std::max(top + 1, end * cell.height() / c.cellHeight);
    return QRect(cell.x(), cell.y() + top, cell.width(), bottom - top);
}

void CgaScreenWidget::blinkTick() {
    cursorOn_ = !cursorOn_;
    update(cursorRect());
    if (++blinkTicks_ % 2)
        return;
    textOn_ = !textOn_;
    if (!screen_.blinkEnabled())
        return;
    std::vector<int> rows;
    for (size_t r = 0; r < blinkingRows_.size(); ++r)
        if (blinkingRows_[r])
            rows.push_back(int(r));
    renderRows(rows);
}

void CgaScreenWidget::setBlinkPeriod(int ms) {
    blinkPeriodMs_ = std::max(0, ms);
    if (blinkPeriodMs_ == 0) {
        blinkTimer_.stop();
        const bool wasHidden = !cursorOn_ || !textOn_;
        cursorOn_ = textOn_ = true;
        if (wasHidden)
            relayout();
        return;
    }
    blinkTimer_.setInterval(blinkPeriodMs_ / 2); // a toggle each half period
    if (isVisible())
        blinkTimer_.start();
}

void CgaScreenWidget::paintEvent(QPaintEvent* event) {
    QPainter p(this);
    const QPoint at = origin();
    const QRect canvasArea(at, canvas_.size());
    // The border around the screen: black, as the CGA's overscan.
    const QRegion outside = QRegion(event->rect()) - canvasArea;
    for (const QRect& r : outside)
        p.fillRect(r, Qt::black);
    const QRect part = event->rect() & canvasArea;
    if (!part.isEmpty())
        p.drawImage(part.topLeft(), canvas_, part.translated(-at));
    const QRect cursor = cursorRect();
    if (cursorOn_ && cursor.isValid()) {
        const v3ctl::ConsoleCursor& c = screen_.cursor();
        p.fillRect(cursor, QColor(cgaColour(screen_.cell(c.row, c.col).attr & 15)));
    }
}

void CgaScreenWidget::resizeEvent(QResizeEvent* event) {
    QWidget::resizeEvent(event);
    if (zoom_ <= 0)
        relayout();
}

QSize CgaScreenWidget::sizeHint() const {
    return QSize(screen_.cols() * baseCell_.width(), screen_.rows() * baseCell_.height());
}

QSize CgaScreenWidget::minimumSizeHint() const {
    return zoom_ > 0 ? minimumSize() : sizeHint() / 4;
}

void CgaScreenWidget::showEvent(QShowEvent* event) {
    QWidget::showEvent(event);
    if (blinkPeriodMs_ > 0)
        blinkTimer_.start(); // hidden tabs do not blink
}

void CgaScreenWidget::hideEvent(QHideEvent* event) {
    QWidget::hideEvent(event);
    blinkTimer_.stop();
}

void CgaScreenWidget::setInputEnabled(bool enabled) {
    if (!enabled)
        releaseHeldKeys();
    inputEnabled_ = enabled;
}

void CgaScreenWidget::releaseHeldKeys() {
    QByteArray breaks;
    for (auto it = held_.cbegin(); it != held_.cend(); ++it)
        breaks += it.value();
    held_.clear();
    if (!breaks.isEmpty() && inputEnabled_)
        emit keyBytes(breaks);
}

bool CgaScreenWidget::handleZoomKey(QKeyEvent* event) {
    if (!(event->modifiers() & Qt::ControlModifier) ||
        (event->modifiers() & Qt::ShiftModifier && event->key() != Qt::Key_Plus))
        return false;
    switch (event->key()) {
    case Qt::Key_Plus:
    case Qt::Key_Equal:
        zoomIn();
        return true;
    case Qt::Key_Minus:
        zoomOut();
        return true;
    case Qt::Key_0:
        zoomToFit();
        return true;
    default:
        return false;
    }
}

bool CgaScreenWidget::event(QEvent* event) {
    // Keys typed into the console belong to the guest (Delete, F5, Alt+F...
    // would otherwise be the window's). The window keeps Ctrl+Shift+key
    // (its VM actions), Ctrl+Q and Ctrl+PageUp/PageDown (tab switching).
    if (event->type() == QEvent::ShortcutOverride) {
        auto* key = static_cast<QKeyEvent*>(event);
        const Qt::KeyboardModifiers m = key->modifiers();
        const bool ctrlShift = (m & Qt::ControlModifier) && (m & Qt::ShiftModifier);
        const bool windowKey = (ctrlShift && key->key() != Qt::Key_Plus) ||
                               key->matches(QKeySequence::Quit) ||
                               ((m & Qt::ControlModifier) &&
                                (key->key() == Qt::Key_PageUp || key->key() == Qt::Key_PageDown));
        const bool zoomKey = (m & Qt::ControlModifier) &&
                             (key->key() == Qt::Key_Plus || key->key() == Qt::Key_Equal ||
                              key->key() == Qt::Key_Minus || key->key() == Qt::Key_0);
        if (zoomKey || (inputEnabled_ && !windowKey)) {
            event->accept();
            return true;
        }
    }
    return QWidget::event(event);
}

void CgaScreenWidget::keyPressEvent(QKeyEvent* event) {
    if (handleZoomKey(event))
        return;
    if (!inputEnabled_) {
        event->ignore();
        return;
    }
    const PcKeyCodes keys = pcscan::forKeyEvent(*event, useNativeCodes_);
    if (!keys.isValid()) {
        event->ignore();
        return;
    }
    // Auto-repeat repeats the make code, as a keyboard's typematic does.
    emit keyBytes(keys.make);
    if (!keys.breakSeq.isEmpty())
        held_.insert(keys.make, keys.breakSeq);
    event->accept();
}

void CgaScreenWidget::keyReleaseEvent(QKeyEvent* event) {
    if (event->isAutoRepeat()) { // a keyboard sends no break while repeating
        event->accept();
        return;
    }
    const PcKeyCodes keys = pcscan::forKeyEvent(*event, useNativeCodes_);
    // Only keys whose make the guest saw (a shortcut's key never reached it).
    auto it = held_.find(keys.make);
    if (!keys.isValid() || it == held_.end()) {
        event->ignore();
        return;
    }
    const QByteArray breakSeq = it.value();
    held_.erase(it);
    if (inputEnabled_)
        emit keyBytes(breakSeq);
    event->accept();
}

void CgaScreenWidget::focusOutEvent(QFocusEvent* event) {
    QWidget::focusOutEvent(event);
    releaseHeldKeys(); // the guest would otherwise see them held forever
}

bool CgaScreenWidget::focusNextPrevChild(bool) {
    return false; // Tab belongs to the guest
}
