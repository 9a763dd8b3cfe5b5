#include "icon_factory.h"

#include <QPainter>
#include <QPainterPath>
#include <QPixmap>

#include <functional>

namespace {

using Draw = std::function<void(QPainter&)>; // draws in a 32x32 box

QIcon render(const Draw& draw) {
    QIcon icon;
    for (int size : {16, 22, 24, 32, 48}) {
        QPixmap pixmap(size, size);
        pixmap.fill(Qt::transparent);
        QPainter p(&pixmap);
        p.setRenderHint(QPainter::Antialiasing);
        p.scale(size / 32.0, size / 32.0);
        draw(p);
        p.end();
        icon.addPixmap(pixmap);
    }
    return icon;
}

const QColor kGreen(0x2e, 0x9d, 0x4a);
const QColor kAmber(0xe0, 0x9b, 0x18);
const QColor kRed(0xc9, 0x37, 0x2c);
const QColor kBlue(0x2f, 0x6f, 0xc6);
const QColor kGrey(0x7a, 0x7f, 0x86);
const QColor kOutline(0, 0, 0, 90);

void triangle(QPainter& p, QColor colour) {
    QPainterPath path;
    path.moveTo(9, 5);
    path.lineTo(27, 16);
    path.lineTo(9, 27);
    path.closeSubpath();
    p.setPen(QPen(colour.darker(130), 1.5, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
    p.setBrush(colour);
    p.drawPath(path);
}

void pauseBars(QPainter& p) {
    p.setPen(QPen(kAmber.darker(130), 1.5));
    p.setBrush(kAmber);
    p.drawRoundedRect(QRectF(7, 6, 7, 20), 1.5, 1.5);
    p.drawRoundedRect(QRectF(18, 6, 7, 20), 1.5, 1.5);
}

void stopSquare(QPainter& p) {
    p.setPen(QPen(kRed.darker(130), 1.5));
    p.setBrush(kRed);
    p.drawRoundedRect(QRectF(7, 7, 18, 18), 2.5, 2.5);
}

void monitor(QPainter& p, QColor screen) {
    p.setPen(QPen(QColor(0x3a, 0x3f, 0x46), 2));
    p.setBrush(screen);
    p.drawRoundedRect(QRectF(3, 5, 26, 18), 2, 2);
    p.drawLine(QPointF(16, 23), QPointF(16, 27));
    p.drawLine(QPointF(10, 28), QPointF(22, 28));
}

void power(QPainter& p) {
    p.setPen(QPen(kBlue, 3.2, Qt::SolidLine, Qt::RoundCap));
    p.setBrush(Qt::NoBrush);
    p.drawArc(QRectF(6, 7, 20, 20), 120 * 16, -240 * 16);
    p.drawLine(QPointF(16, 4), QPointF(16, 15));
}

void cross(QPainter& p) {
    p.setPen(QPen(kRed, 4, Qt::SolidLine, Qt::RoundCap));
    p.drawLine(QPointF(8, 8), QPointF(24, 24));
    p.drawLine(QPointF(24, 8), QPointF(8, 24));
}

void terminal(QPainter& p) {
    p.setPen(QPen(QColor(0x3a, 0x3f, 0x46), 2));
    p.setBrush(QColor(0x1e, 0x22, 0x28));
    p.drawRoundedRect(QRectF(3, 5, 26, 22), 2.5, 2.5);
    p.setPen(QPen(QColor(0x8f, 0xe3, 0x8f), 2.2, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
    p.drawPolyline(QPolygonF({QPointF(8, 11), QPointF(13, 16), QPointF(8, 21)}));
    p.drawLine(QPointF(15, 21), QPointF(23, 21));
}

void dot(QPainter& p, QColor fill, bool hollow = false) {
    p.setPen(QPen(hollow ? kGrey : fill.darker(135), 2));
    p.setBrush(hollow ? QColor(Qt::transparent) : fill);
    p.drawEllipse(QRectF(7, 7, 18, 18));
}

} // namespace

QIcon IconFactory::forAction(VmAction action) {
    switch (action) {
    case VmAction::Activate:
        return render(power);
    case VmAction::Start:
        return render([](QPainter& p) { triangle(p, kGreen); });
    case VmAction::Pause:
        return render(pauseBars);
    case VmAction::Continue:
        return render([](QPainter& p) {
            p.setPen(QPen(kGreen.darker(130), 1.5));
            p.setBrush(kGreen);
            p.drawRect(QRectF(5, 6, 4, 20));
            p.translate(3, 0);
            triangle(p, kGreen);
        });
    case VmAction::Stop:
        return render(stopSquare);
    case VmAction::Delete:
        return render(cross);
    case VmAction::OpenConsole:
        return render(terminal);
    }
    return {};
}

QIcon IconFactory::forStatus(VmStatus status) {
    switch (status) {
    case VmStatus::Running:
        return render([](QPainter& p) { triangle(p, kGreen); });
    case VmStatus::Paused:
        return render(pauseBars);
    case VmStatus::Stopped:
        return render(stopSquare);
    case VmStatus::Created:
        return render([](QPainter& p) { dot(p, kBlue); });
    case VmStatus::Error:
        return render(cross);
    case VmStatus::Inactive:
        return render([](QPainter& p) { dot(p, kGrey, true); });
    case VmStatus::Unknown:
        break;
    }
    return render([](QPainter& p) {
        dot(p, QColor(0xb8, 0xbc, 0xc2));
        p.setPen(QPen(Qt::white, 2.2, Qt::SolidLine, Qt::RoundCap));
        p.drawArc(QRectF(12.5, 10, 7, 7), 160 * 16, -250 * 16);
        p.drawLine(QPointF(16, 17), QPointF(16, 18.5));
        p.drawPoint(QPointF(16, 22));
    });
}

QIcon IconFactory::newVm() {
    return render([](QPainter& p) {
        monitor(p, QColor(0xdd, 0xe7, 0xf3));
        p.setPen(QPen(kGreen, 3.5, Qt::SolidLine, Qt::RoundCap));
        p.drawLine(QPointF(16, 9), QPointF(16, 19));
        p.drawLine(QPointF(11, 14), QPointF(21, 14));
    });
}

QIcon IconFactory::reload() {
    return render([](QPainter& p) {
        p.setPen(QPen(kBlue, 3.2, Qt::SolidLine, Qt::RoundCap));
        p.setBrush(Qt::NoBrush);
        p.drawArc(QRectF(6, 6, 20, 20), 60 * 16, 280 * 16);
        QPainterPath head;
        head.moveTo(18, 2.5);
        head.lineTo(25.5, 7.5);
        head.lineTo(18, 12);
        head.closeSubpath();
        p.setPen(Qt::NoPen);
        p.setBrush(kBlue);
        p.drawPath(head);
    });
}

QIcon IconFactory::application() {
    return render([](QPainter& p) {
        monitor(p, QColor(0x2f, 0x6f, 0xc6));
        p.setPen(QPen(Qt::white, 2.4, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
        p.drawPolyline(QPolygonF({QPointF(9, 10), QPointF(13, 18), QPointF(17, 10)}));
        p.drawLine(QPointF(20, 10), QPointF(20, 18));
        p.drawLine(QPointF(20, 10), QPointF(24, 10));
    });
}
