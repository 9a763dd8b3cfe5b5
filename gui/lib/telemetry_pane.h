// The bottom pane: a log that only ever grows (timestamped lines, each
// tagged with its VM, filterable by VM) and, for the selected VM, live
// counters from the host's info query — state, uptime, exits per second by
// reason — with a small chart, refreshed every second on the host worker.
#pragma once

#include "vm_entry.h"

#include "guest_ops.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QHash>
#include <QSet>
#include <QTimer>
#include <QWidget>

#include <optional>

class ExitRateChart;
class HostSession;
class QComboBox;
class QLabel;
class QPlainTextEdit;
class QTreeWidget;

class TelemetryPane : public QWidget {
    Q_OBJECT
public:
    static constexpr int kMaxLogLines = 20000;

    TelemetryPane(HostSession* session, QWidget* parent = nullptr);

    // Appends (never replaces) a line; vm empty means the host or window.
    void appendLog(const QString& vm, const QString& text);
    // The VM whose counters are shown (nullptr: none).
    void setVm(const VmEntry* vm);
    void setVmNames(const QStringList& names);
    // The VM is gone: it leaves the "Log for" list (its lines stay under All
    // VMs) and its chart history is dropped.
    void forgetVm(const QString& name);
    // How many samples of name's chart the pane keeps (shown or not).
    int chartHistoryOf(const QString& name) const;

    QPlainTextEdit* logView() const { return log_; }
    QComboBox* vmFilter() const { return filter_; }
    ExitRateChart* chart() const { return chart_; }
    QString counterText() const; // what the counters show, for tests and tooltips
    void setRefreshInterval(int ms) { timer_.setInterval(ms); }

signals:
    // The host reported this state for the VM (the model records it).
    void statusReported(const QString& name, VmStatus status, const QString& reason);

private:
    struct LogLine {
        QDateTime at;
        QString vm;
        QString text;
    };
    void refresh();
    // Appends the module's new kernel log lines (once a second).
    void pollKernelLog();
    void showInfo(const v3ctl::VmInfo& info);
    void showUnavailable(const QString& why);
    void applyFilter();
    bool passes(const LogLine& line) const;
    QString format(const LogLine& line) const;

    HostSession* session_;
    QPlainTextEdit* log_;
    QComboBox* filter_;
    QLabel* counters_;
    QTreeWidget* reasons_;
    ExitRateChart* chart_;
    QTimer timer_;
    QList<LogLine> lines_;
    // Each VM's chart samples while another VM is shown.
    QHash<QString, QVector<QVector<double>>> chartHistory_;
    QSet<QString> forgotten_; // deleted VMs (forgetVm), until setVmNames names them again

    QString vmName_;
    int vmIndex_ = -1;
    bool queryPending_ = false;
    bool kernelLogPending_ = false;
    bool kernelLogUnavailable_ = false; // said once; not asked again
    quint64 kernelLogNext_ = 0;
    int skipTicks_ = 0; // after a failure, ask less often
    std::optional<v3ctl::VmInfo> previous_;
    QElapsedTimer sinceSample_;
    VmStatus lastReported_ = VmStatus::Unknown;
};
