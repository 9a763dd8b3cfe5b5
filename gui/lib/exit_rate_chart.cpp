#include "exit_rate_chart.h"

#include <QPainter>
#include <QPainterPath>

#include <algorithm>
#include <cmath>

namespace {

QColor seriesColour(int i) {
    static const QColor colours[] = {QColor(0x2f, 0x6f, 0xc6), QColor(0x2e, 0x9d, 0x4a),
                                     QColor(0xe0, 0x9b, 0x18), QColor(0xc9, 0x37, 0x2c),
                                     QColor(0x8e, 0x44, 0xad), QColor(0x16, 0xa0, 0x85),
                                     QColor(0x7f, 0x8c, 0x8d)};
    return colours[i % int(std::size(colours))];
}

// 1, 2, 5, 10, 20, 50... at or above value, so the axis reads easily.
double niceCeiling(double value) {
    if (value <= 1)
        return 1;
    const double magnitude = std::pow(10.0, std::floor(std::log10(value)));
    for (double step : {1.0, 2.0, 5.0, 10.0})
        if (step * magnitude >= value)
            return step * magnitude;
    return 10 * magnitude;
}

QString shortNumber(double v) {
    if (v >= 1e6)
        return QString::number(v / 1e6, 'g', 3) + "M";
    if (v >= 1e3)
        return QString::number(v / 1e3, 'g', 3) + "k";
    return QString::number(v, 'g', 3);
}

} // namespace

ExitRateChart::ExitRateChart(QWidget* parent) : QWidget(parent) {
    setObjectName("exitRateChart");
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void ExitRateChart::setSeriesNames(const QStringList& names) {
    if (names == names_)
        return;
    names_ = names;
    samples_.clear();
    update();
}

void ExitRateChart::clear() {
    samples_.clear();
    update();
}

void ExitRateChart::setSamples(const Samples& samples) {
    samples_ = samples.mid(std::max<qsizetype>(0, samples.size() - kSamples));
    update();
}

void ExitRateChart::addSample(const QVector<double>& rates) {
    samples_.append(rates);
    while (samples_.size() > kSamples)
        samples_.removeFirst();
    update();
}

void ExitRateChart::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    const QPalette pal = palette();
    p.fillRect(rect(), pal.base());
    const QFontMetrics fm(font());
    const int left = fm.horizontalAdvance("0000k") + 8;
    const int legend = fm.height() + 6;
    const QRect plot = rect().adjusted(left, 8, -8, -legend - 4);
    if (plot.width() < 10 || plot.height() < 10)
        return;

    double peak = 0;
    for (const QVector<double>& s : samples_)
        for (double v : s)
            peak = std::max(peak, v);
    const double top = niceCeiling(peak);

    p.setPen(QPen(pal.mid().color(), 1, Qt::DotLine));
    for (int i = 0; i <= 4; ++i) {
        const int y = plot.bottom() - plot.height() * i / 4;
        p.drawLine(plot.left(), y, plot.right(), y);
        p.setPen(pal.text().color());
        p.drawText(QRect(0, y - fm.height() / 2, left - 4, fm.height()),
                   Qt::AlignRight | Qt::AlignVCenter, shortNumber(top * i / 4));
        p.setPen(QPen(pal.mid().color(), 1, Qt::DotLine));
    }
    p.setPen(pal.mid().color());
    p.drawRect(plot);

    if (samples_.isEmpty()) {
        p.setPen(pal.placeholderText().color());
        p.drawText(plot, Qt::AlignCenter, tr("exits per second (no samples yet)"));
    }
    const double dx = double(plot.width()) / (kSamples - 1);
    const int offset = kSamples - int(samples_.size());
    for (int series = 0; series < names_.size(); ++series) {
        QPainterPath path;
        for (int i = 0; i < samples_.size(); ++i) {
            const double v = series < samples_[i].size() ? samples_[i][series] : 0;
            const QPointF point(plot.left() + (offset + i) * dx,
                                plot.bottom() - plot.height() * (v / top));
            if (i == 0)
                path.moveTo(point);
            else
                path.lineTo(point);
        }
        p.setPen(QPen(seriesColour(series), series == 0 ? 2.2 : 1.4));
        p.drawPath(path);
    }
    int x = plot.left();
    const int y = rect().bottom() - legend + 4;
    for (int series = 0; series < names_.size(); ++series) {
        p.fillRect(QRect(x, y + fm.height() / 2 - 2, 10, 4), seriesColour(series));
        x += 14;
        p.setPen(pal.text().color());
        p.drawText(x, y + fm.ascent(), names_[series]);
        x += fm.horizontalAdvance(names_[series]) + 12;
    }
}
