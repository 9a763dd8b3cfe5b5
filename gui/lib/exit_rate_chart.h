// A small live chart of a VM's exits per second, total and by reason, over
// the last minute. Drawn with QPainter; one sample a second.
#pragma once

#include <QStringList>
#include <QVector>
#include <QWidget>

class ExitRateChart : public QWidget {
    Q_OBJECT
public:
    static constexpr int kSamples = 60;

    explicit ExitRateChart(QWidget* parent = nullptr);

    // rates: exits per second for each of seriesNames() (same order).
    void addSample(const QVector<double>& rates);
    void setSeriesNames(const QStringList& names);
    QStringList seriesNames() const { return names_; }
    void clear();
    int sampleCount() const { return int(samples_.size()); }
    // The samples shown, oldest first: the telemetry pane keeps each VM's
    // while another VM is shown and hands them back when it is shown again.
    using Samples = QVector<QVector<double>>;
    Samples samples() const { return samples_; }
    void setSamples(const Samples& samples);

    QSize sizeHint() const override { return {360, 140}; }
    QSize minimumSizeHint() const override { return {200, 90}; }

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    QStringList names_;
    QVector<QVector<double>> samples_; // oldest first
};
