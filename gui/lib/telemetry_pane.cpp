#include "telemetry_pane.h"
#include "exit_rate_chart.h"
#include "host_session.h"

#include "host_connection.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPlainTextEdit>
#include <QSplitter>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <cerrno>

namespace {

constexpr int kRefreshMs = 1000;
constexpr int kBackoffTicks = 10; // a failing query is retried every 10 s

// The chart's series: the total, then the reasons worth a line of their own.
const QStringList kChartSeries = {"total", "io", "mmio", "hlt", "interrupt"};

QString uptimeText(uint64_t ns) {
    qint64 s = qint64(ns / 1000000000ULL);
    return QString("%1:%2:%3")
        .arg(s / 3600)
        .arg((s / 60) % 60, 2, 10, QChar('0'))
        .arg(s % 60, 2, 10, QChar('0'));
}

} // namespace

TelemetryPane::TelemetryPane(HostSession* session, QWidget* parent)
    : QWidget(parent), session_(session) {
    setObjectName("telemetryPane");
    filter_ = new QComboBox;
    filter_->setObjectName("vmFilter");
    filter_->addItem(tr("All VMs"), QString());
    filter_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    connect(filter_, &QComboBox::currentIndexChanged, this, &TelemetryPane::applyFilter);
    log_ = new QPlainTextEdit;
    log_->setObjectName("telemetryLog");
    log_->setReadOnly(true);
    log_->setMaximumBlockCount(kMaxLogLines);
    // Long lines (the host's sentences, kernel lines) wrap: nothing hides
    // behind a horizontal scrollbar.
    log_->setLineWrapMode(QPlainTextEdit::WidgetWidth);
    log_->setWordWrapMode(QTextOption::WrapAtWordBoundaryOrAnywhere);
    log_->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    log_->setFont(QFont("monospace"));
    auto* logSide = new QWidget;
    auto* logLayout = new QVBoxLayout(logSide);
    logLayout->setContentsMargins(0, 0, 0, 0);
    auto* filterRow = new QHBoxLayout;
    filterRow->addWidget(new QLabel(tr("Log for:")));
    filterRow->addWidget(filter_);
    filterRow->addStretch(1);
    logLayout->addLayout(filterRow);
    logLayout->addWidget(log_);

    counters_ = new QLabel(tr("Select a VM to see its counters."));
    counters_->setObjectName("telemetryCounters");
    counters_->setWordWrap(true);
    reasons_ = new QTreeWidget;
    reasons_->setRootIsDecorated(false);
    reasons_->setHeaderLabels({tr("Exit reason"), tr("Count"), tr("Per second")});
    reasons_->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    chart_ = new ExitRateChart;
    chart_->setSeriesNames(kChartSeries);
    auto* countersSide = new QWidget;
    auto* countersLayout = new QVBoxLayout(countersSide);
    countersLayout->setContentsMargins(0, 0, 0, 0);
    countersLayout->addWidget(counters_);
    auto* live = new QSplitter(Qt::Horizontal);
    live->addWidget(reasons_);
    live->addWidget(chart_);
    live->setStretchFactor(1, 1);
    countersLayout->addWidget(live, 1);

    auto* split = new QSplitter(Qt::Horizontal);
    split->addWidget(logSide);
    split->addWidget(countersSide);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(split);

    timer_.setInterval(kRefreshMs);
    connect(&timer_, &QTimer::timeout, this, &TelemetryPane::refresh);
    // A new connection may be another host: its kernel log starts afresh.
    connect(session_, &HostSession::connected, this, [this] {
        kernelLogNext_ = 0;
        kernelLogUnavailable_ = false;
    });
    timer_.start();
}

QString TelemetryPane::format(const LogLine& line) const {
    return QString("%1  %2%3")
        .arg(line.at.toString("yyyy-MM-dd hh:mm:ss.zzz"),
             line.vm.isEmpty() ? QString() : "[" + line.vm + "] ", line.text);
}

bool TelemetryPane::passes(const LogLine& line) const {
    const QString wanted = filter_->currentData().toString();
    return wanted.isEmpty() || line.vm == wanted;
}

void TelemetryPane::appendLog(const QString& vm, const QString& text) {
    LogLine line{QDateTime::currentDateTime(), vm, text};
    lines_.append(line);
    if (lines_.size() > kMaxLogLines)
        lines_.removeFirst();
    // A late line about a deleted VM (the kernel's) does not bring it back.
    if (!vm.isEmpty() && !forgotten_.contains(vm) && filter_->findData(vm) < 0)
        filter_->addItem(vm, vm);
    if (passes(line))
        log_->appendPlainText(format(line));
}

void TelemetryPane::applyFilter() {
    // Changing the filter rebuilds the view from the kept lines; new lines
    // are then appended as they come.
    log_->clear();
    QStringList shown;
    for (const LogLine& line : lines_)
        if (passes(line))
            shown << format(line);
    if (!shown.isEmpty())
        log_->appendPlainText(shown.join('\n'));
}

void TelemetryPane::setVmNames(const QStringList& names) {
    for (const QString& name : names) {
        forgotten_.remove(name);
        if (filter_->findData(name) < 0)
            filter_->addItem(name, name);
    }
}

void TelemetryPane::forgetVm(const QString& name) {
    if (name == vmName_)
        setVm(nullptr);
    chartHistory_.remove(name);
    forgotten_.insert(name);
    const int at = filter_->findData(name);
    if (at > 0) {
        if (filter_->currentIndex() == at)
            filter_->setCurrentIndex(0); // All VMs
        filter_->removeItem(at);
    }
}

int TelemetryPane::chartHistoryOf(const QString& name) const {
    if (name == vmName_ && !name.isEmpty())
        return chart_->sampleCount();
    return int(chartHistory_.value(name).size());
}

void TelemetryPane::setVm(const VmEntry* vm) {
    const QString name = vm ? vm->name : QString();
    const int index = vm && vm->onHost() ? vm->index : -1;
    if (name == vmName_ && index == vmIndex_) {
        // Same VM, something changed (its state): show fresh counters now.
        if (skipTicks_ == 0)
            refresh();
        return;
    }
    if (!vmName_.isEmpty() && name != vmName_)
        chartHistory_.insert(vmName_, chart_->samples());
    if (name != vmName_)
        chart_->setSamples(chartHistory_.take(name));
    vmName_ = name;
    vmIndex_ = index;
    previous_.reset();
    skipTicks_ = 0;
    lastReported_ = vm ? vm->status : VmStatus::Unknown;
    reasons_->clear();
    if (!vm)
        counters_->setText(tr("Select a VM to see its counters."));
    else if (index < 0)
        counters_->setText(tr("%1 is not on the host: no live counters.").arg(name));
    else
        counters_->setText(tr("%1: waiting for the host's counters...").arg(name));
    refresh();
}

namespace {

// "v3vee: VM NAME ..." names the VM a kernel line is about; others are the
// host's.
QString vmOfKernelLine(const QString& text) {
    static const QString prefix = QStringLiteral("v3vee: VM ");
    if (!text.startsWith(prefix))
        return {};
    QString rest = text.mid(prefix.size());
    int end = 0;
    while (end < rest.size() && !rest.at(end).isSpace() && rest.at(end) != ':')
        ++end;
    return rest.left(end);
}

} // namespace

void TelemetryPane::pollKernelLog() {
    if (kernelLogPending_ || kernelLogUnavailable_ || !session_->isConnected())
        return;
    kernelLogPending_ = true;
    const quint64 after = kernelLogNext_;
    session_->runOnHost(
        this,
        [after](v3ctl::HostConnection* host) -> v3ctl::Result<v3ctl::KernelLog> {
            if (!host)
                return v3ctl::Error{ENOTCONN, "not connected to a host"};
            return host->kernelLog(after);
        },
        [this](const v3ctl::Result<v3ctl::KernelLog>& log) {
            kernelLogPending_ = false;
            if (!log) {
                kernelLogUnavailable_ = true;
                appendLog({}, tr("the host's kernel log is not available: %1")
                                  .arg(QString::fromStdString(log.error().message)));
                return;
            }
            for (const v3ctl::KernelLogLine& line : log.value().lines) {
                const QString text = QString::fromStdString(line.text);
                appendLog(vmOfKernelLine(text), QString("kernel [%1] %2")
                                                    .arg(double(line.timestampUs) / 1e6, 0, 'f', 6)
                                                    .arg(text));
            }
            kernelLogNext_ = log.value().next;
        });
}

void TelemetryPane::refresh() {
    pollKernelLog();
    if (vmIndex_ < 0 || queryPending_ || !session_->isConnected())
        return;
    if (skipTicks_ > 0) {
        --skipTicks_;
        return;
    }
    queryPending_ = true;
    const int index = vmIndex_;
    const QString name = vmName_;
    session_->runOnHost(
        this,
        [index](v3ctl::HostConnection* host) -> v3ctl::Result<v3ctl::VmInfo> {
            if (!host)
                return v3ctl::Error{ENOTCONN, "not connected to a host"};
            return host->vmInfo(index);
        },
        [this, name, index](const v3ctl::Result<v3ctl::VmInfo>& info) {
            queryPending_ = false;
            if (name != vmName_ || index != vmIndex_)
                return; // the selection moved on meanwhile
            if (!info) {
                skipTicks_ = kBackoffTicks;
                showUnavailable(QString::fromStdString(info.error().message));
                return;
            }
            showInfo(info.value());
        });
}

void TelemetryPane::showUnavailable(const QString& why) {
    counters_->setText(tr("%1: live counters unavailable: %2").arg(vmName_, why));
}

void TelemetryPane::showInfo(const v3ctl::VmInfo& info) {
    const VmStatus status = info.state;
    const QString reason = QString::fromStdString(info.reason);
    if (status != lastReported_) {
        lastReported_ = status;
        emit statusReported(vmName_, status, reason);
    }
    const double seconds =
        previous_ && sinceSample_.isValid() ? std::max(0.001, sinceSample_.elapsed() / 1000.0) : 0;
    sinceSample_.restart();
    QVector<double> perReason(int(v3ctl::kExitReasonCount), 0);
    double totalRate = 0;
    if (seconds > 0) {
        for (size_t i = 0; i < v3ctl::kExitReasonCount; ++i) {
            const uint64_t before = previous_->exits[i];
            perReason[int(i)] = info.exits[i] >= before ? (info.exits[i] - before) / seconds : 0;
        }
        totalRate = info.exitsTotal >= previous_->exitsTotal
                        ? (info.exitsTotal - previous_->exitsTotal) / seconds
                        : 0;
    }
    QString text =
        tr("<b>%1</b> — %2, up %3, %4 exits in all")
            .arg(vmName_.toHtmlEscaped(), vmStatusName(status), uptimeText(info.uptimeNs))
            .arg(info.exitsTotal);
    if (!reason.isEmpty())
        text += tr(" — %1").arg(reason.toHtmlEscaped());
    if (seconds > 0)
        text += tr(" — %1 exits/s").arg(qRound64(totalRate));
    counters_->setText(text);

    reasons_->clear();
    for (size_t i = 0; i < v3ctl::kExitReasonCount; ++i)
        reasons_->addTopLevelItem(new QTreeWidgetItem(
            {QString(v3ctl::kExitReasonNames[i]), QString::number(info.exits[i]),
             seconds > 0 ? QString::number(qRound64(perReason[int(i)])) : QString("—")}));
    if (seconds > 0) {
        QVector<double> sample{totalRate};
        for (int s = 1; s < kChartSeries.size(); ++s) {
            for (size_t i = 0; i < v3ctl::kExitReasonCount; ++i)
                if (kChartSeries[s] == v3ctl::kExitReasonNames[i])
                    sample << perReason[int(i)];
        }
        chart_->addSample(sample);
    }
    previous_ = info;
}

QString TelemetryPane::counterText() const {
    return counters_->text();
}
