#include "stream_console_tab.h"
#include "host_session.h"
#include "terminal_widget.h"

#include "host_connection.h"

#include <QLabel>
#include <QSocketNotifier>
#include <QVBoxLayout>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace {

constexpr qsizetype kReadChunk = 64 * 1024;
// A burst larger than this is handed to the terminal in pieces, returning
// to the event loop in between, so input and painting keep up.
constexpr int kMaxReadsPerWakeup = 16;

} // namespace

StreamConsoleTab::StreamConsoleTab(HostSession* session, const VmEntry& vm, const QString& stream,
                                   QWidget* parent)
    : QWidget(parent), session_(session), vmName_(vm.name), vmIndex_(vm.index), stream_(stream),
      status_(vm.status) {
    setObjectName("streamConsole:" + vm.name + ":" + stream);
    status_Label_ = new QLabel;
    status_Label_->setObjectName("consoleStatus");
    status_Label_->setMargin(4);
    terminal_ = new TerminalWidget;
    connect(terminal_, &TerminalWidget::inputReady, this, &StreamConsoleTab::send);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(status_Label_);
    layout->addWidget(terminal_, 1);
    streamState_ = tr("opening...");
    updateStatus();
    if (session_)
        open();
}

StreamConsoleTab::~StreamConsoleTab() {
    if (fd_ >= 0)
        ::close(fd_);
}

void StreamConsoleTab::open() {
    const int index = vmIndex_;
    const std::string stream = stream_.toStdString();
    session_->runOnHost(
        this,
        [index, stream](v3ctl::HostConnection* host) -> v3ctl::Result<int> {
            if (!host)
                return v3ctl::Error{ENOTCONN, "not connected to a host"};
            return host->openStream(index, stream);
        },
        [this](const v3ctl::Result<int>& fd) {
            if (!fd) {
                const QString message = QString::fromStdString(fd.error().message);
                streamState_ = tr("could not open: %1").arg(message);
                updateStatus();
                terminal_->setInputEnabled(false);
                emit failed(message);
                return;
            }
            attach(fd.value());
        });
}

void StreamConsoleTab::attach(int fd) {
    if (fd_ >= 0)
        ::close(fd_);
    fd_ = fd;
    ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) | O_NONBLOCK);
    ::fcntl(fd_, F_SETFD, FD_CLOEXEC);
    delete reader_;
    delete writer_;
    reader_ = new QSocketNotifier(fd_, QSocketNotifier::Read, this);
    connect(reader_, &QSocketNotifier::activated, this, &StreamConsoleTab::readAvailable);
    writer_ = new QSocketNotifier(fd_, QSocketNotifier::Write, this);
    writer_->setEnabled(false);
    connect(writer_, &QSocketNotifier::activated, this, &StreamConsoleTab::writePending);
    streamState_ = tr("connected");
    updateStatus();
    terminal_->setInputEnabled(status_ != VmStatus::Stopped);
    emit opened();
}

void StreamConsoleTab::readAvailable() {
    QByteArray buffer(kReadChunk, Qt::Uninitialized);
    for (int i = 0; i < kMaxReadsPerWakeup; ++i) {
        const ssize_t n = ::read(fd_, buffer.data(), size_t(buffer.size()));
        if (n > 0) {
            terminal_->feed(QByteArray(buffer.constData(), qsizetype(n)));
            continue;
        }
        if (n == 0) {
            close(tr("the stream ended"));
            return;
        }
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK)
            close(tr("reading failed: %1").arg(QString::fromLocal8Bit(std::strerror(errno))));
        return;
    }
}

void StreamConsoleTab::send(const QByteArray& bytes) {
    if (fd_ < 0)
        return;
    outgoing_.append(bytes);
    writePending();
}

void StreamConsoleTab::writePending() {
    while (!outgoing_.isEmpty()) {
        const ssize_t n = ::write(fd_, outgoing_.constData(), size_t(outgoing_.size()));
        if (n > 0) {
            outgoing_.remove(0, qsizetype(n));
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            writer_->setEnabled(true); // wait until the stream can take more
            return;
        }
        close(tr("writing failed: %1").arg(QString::fromLocal8Bit(std::strerror(errno))));
        return;
    }
    if (writer_)
        writer_->setEnabled(false);
}

void StreamConsoleTab::close(const QString& why) {
    delete reader_;
    reader_ = nullptr;
    delete writer_;
    writer_ = nullptr;
    if (fd_ >= 0)
        ::close(fd_);
    fd_ = -1;
    outgoing_.clear();
    streamState_ = tr("closed: %1").arg(why);
    terminal_->setInputEnabled(false);
    updateStatus();
    emit closed();
}

void StreamConsoleTab::setVmStatus(VmStatus status) {
    status_ = status;
    terminal_->setInputEnabled(fd_ >= 0 && status != VmStatus::Stopped &&
                               status != VmStatus::Error);
    updateStatus();
}

QString StreamConsoleTab::statusText() const {
    return status_Label_->text();
}

void StreamConsoleTab::updateStatus() {
    QString text = tr("%1 — stream \"%2\" — %3").arg(vmName_, stream_, streamState_);
    QString colour = "#dfe9f5";
    switch (status_) {
    case VmStatus::Paused:
        text += tr(" — VM paused: output resumes when it continues");
        colour = "#fbe7b5";
        break;
    case VmStatus::Stopped:
        text += tr(" — VM stopped");
        colour = "#e4e4e4";
        break;
    case VmStatus::Error:
        text += tr(" — VM failed");
        colour = "#f6cdc9";
        break;
    default:
        break;
    }
    status_Label_->setText(text);
    status_Label_->setStyleSheet(QString("background: %1; color: #202124;").arg(colour));
}
