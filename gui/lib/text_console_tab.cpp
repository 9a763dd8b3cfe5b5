#include "text_console_tab.h"
#include "cga_screen_widget.h"
#include "host_session.h"
#include "pc_scan_codes.h"

#include "host_connection.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QScrollArea>
#include <QSocketNotifier>
#include <QToolButton>
#include <QVBoxLayout>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace {

// At least V3_CONSOLE_READ_MIN (a read returns whole messages only); a full
// 80x25 screen is about 4.4 KB.
constexpr qsizetype kReadChunk = 64 * 1024;
// A burst larger than this is applied in pieces, returning to the event loop
// in between, so input and painting keep up.
constexpr int kMaxReadsPerWakeup = 16;

QToolButton* toolButton(const QString& text, const QString& tip) {
    auto* button = new QToolButton;
    button->setText(text);
    button->setToolTip(tip);
    button->setAutoRaise(true);
    button->setFocusPolicy(Qt::NoFocus); // the keyboard stays with the screen
    return button;
}

} // namespace

TextConsoleTab::TextConsoleTab(HostSession* session, const VmEntry& vm, QWidget* parent)
    : QWidget(parent), session_(session), vmName_(vm.name), vmIndex_(vm.index), status_(vm.status) {
    setObjectName("textConsole:" + vm.name);
    statusLabel_ = new QLabel;
    statusLabel_->setObjectName("consoleStatus");
    statusLabel_->setMargin(4);
    screen_ = new CgaScreenWidget;
    connect(screen_, &CgaScreenWidget::keyBytes, this, &TextConsoleTab::sendScanCodes);
    scroller_ = new QScrollArea;
    scroller_->setWidget(screen_);
    scroller_->setWidgetResizable(true); // fit mode fills it; a fixed zoom scrolls
    scroller_->setAlignment(Qt::AlignCenter);
    scroller_->setFrameShape(QFrame::NoFrame);
    scroller_->setFocusProxy(screen_);
    scroller_->setStyleSheet("QScrollArea { background: black; }");

    sendKeys_ = new QMenu(this);
    sendKeys_->setObjectName("sendKeyMenu");
    buildSendKeyMenu();
    sendKeyButton_ = toolButton(tr("Send Key"), tr("Keys the desktop keeps for itself"));
    sendKeyButton_->setMenu(sendKeys_);
    sendKeyButton_->setPopupMode(QToolButton::InstantPopup);
    QToolButton* zoomOut = toolButton(tr("−"), tr("Smaller (Ctrl+Minus)"));
    QToolButton* zoomFit = toolButton(tr("Fit"), tr("Fit to the tab (Ctrl+0)"));
    QToolButton* zoomIn = toolButton(tr("+"), tr("Larger (Ctrl+Plus)"));
    connect(zoomOut, &QToolButton::clicked, screen_, &CgaScreenWidget::zoomOut);
    connect(zoomFit, &QToolButton::clicked, screen_, &CgaScreenWidget::zoomToFit);
    connect(zoomIn, &QToolButton::clicked, screen_, &CgaScreenWidget::zoomIn);

    auto* strip = new QWidget;
    strip->setObjectName("consoleStrip");
    auto* stripLayout = new QHBoxLayout(strip);
    stripLayout->setContentsMargins(0, 0, 4, 0);
    stripLayout->setSpacing(2);
    stripLayout->addWidget(statusLabel_, 1);
    stripLayout->addWidget(sendKeyButton_);
    stripLayout->addWidget(zoomOut);
    stripLayout->addWidget(zoomFit);
    stripLayout->addWidget(zoomIn);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(strip);
    layout->addWidget(scroller_, 1);
    setFocusProxy(screen_);
    consoleState_ = tr("opening...");
    updateStatus();
    updateInput();
    if (session_)
        open();
}

TextConsoleTab::~TextConsoleTab() {
    if (fd_ >= 0)
        ::close(fd_);
}

void TextConsoleTab::buildSendKeyMenu() {
    sendKeys_->addAction(tr("Ctrl+Alt+Del"), this,
                         [this]() { sendScanCodes(pcscan::ctrlAltDel()); });
    sendKeys_->addSeparator();
    for (int n = 1; n <= 6; ++n)
        sendKeys_->addAction(tr("Ctrl+Alt+F%1").arg(n), this,
                             [this, n]() { sendScanCodes(pcscan::ctrlAltFunction(n)); });
}

void TextConsoleTab::open() {
    const int index = vmIndex_;
    session_->runOnHost(
        this,
        [index](v3ctl::HostConnection* host) -> v3ctl::Result<int> {
            if (!host)
                return v3ctl::Error{ENOTCONN, "not connected to a host"};
            return host->openConsole(index);
        },
        [this](const v3ctl::Result<int>& fd) {
            if (!fd) {
                const QString message = QString::fromStdString(fd.error().message);
                consoleState_ = tr("could not open: %1").arg(message);
                updateStatus();
                updateInput();
                emit failed(message);
                return;
            }
            attach(fd.value());
        });
}

void TextConsoleTab::attach(int fd) {
    if (fd_ >= 0)
        ::close(fd_);
    fd_ = fd;
    ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) | O_NONBLOCK);
    ::fcntl(fd_, F_SETFD, FD_CLOEXEC);
    delete reader_;
    delete writer_;
    reader_ = new QSocketNotifier(fd_, QSocketNotifier::Read, this);
    connect(reader_, &QSocketNotifier::activated, this, &TextConsoleTab::readAvailable);
    writer_ = new QSocketNotifier(fd_, QSocketNotifier::Write, this);
    writer_->setEnabled(false);
    connect(writer_, &QSocketNotifier::activated, this, &TextConsoleTab::writePending);
    consoleState_ = tr("connected");
    updateStatus();
    updateInput();
    emit opened();
}

void TextConsoleTab::readAvailable() {
    QByteArray buffer(kReadChunk, Qt::Uninitialized);
    for (int i = 0; i < kMaxReadsPerWakeup && fd_ >= 0; ++i) {
        const ssize_t n = ::read(fd_, buffer.data(), size_t(buffer.size()));
        if (n > 0) {
            auto applied = screen_->feed(QByteArray(buffer.constData(), qsizetype(n)));
            if (applied.is_error()) {
                close(QString::fromStdString(applied.error().message));
                return;
            }
            continue;
        }
        if (n == 0) {
            close(tr("the console ended"));
            return;
        }
        if (errno == EINTR)
            continue;
        if (errno == ENODEV)
            close(tr("the VM was freed"));
        else if (errno != EAGAIN && errno != EWOULDBLOCK)
            close(tr("reading failed: %1").arg(QString::fromLocal8Bit(std::strerror(errno))));
        return;
    }
}

void TextConsoleTab::sendScanCodes(const QByteArray& bytes) {
    if (fd_ < 0)
        return;
    outgoing_.append(bytes);
    writePending();
}

void TextConsoleTab::writePending() {
    while (!outgoing_.isEmpty() && fd_ >= 0) {
        const ssize_t n = ::write(fd_, outgoing_.constData(), size_t(outgoing_.size()));
        if (n > 0) {
            outgoing_.remove(0, qsizetype(n));
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            writer_->setEnabled(true); // the keyboard's queue is full: wait for room
            return;
        }
        close(n < 0 && errno == ENODEV
                  ? tr("the VM was freed")
                  : tr("writing failed: %1").arg(QString::fromLocal8Bit(std::strerror(errno))));
        return;
    }
    if (writer_)
        writer_->setEnabled(false);
}

void TextConsoleTab::close(const QString& why) {
    delete reader_;
    reader_ = nullptr;
    delete writer_;
    writer_ = nullptr;
    if (fd_ >= 0)
        ::close(fd_);
    fd_ = -1;
    outgoing_.clear();
    consoleState_ = tr("closed: %1").arg(why);
    updateInput();
    updateStatus();
    emit closed();
}

void TextConsoleTab::setVmStatus(VmStatus status) {
    status_ = status;
    updateInput();
    updateStatus();
}

void TextConsoleTab::updateInput() {
    const bool accepts = fd_ >= 0 && status_ != VmStatus::Stopped && status_ != VmStatus::Error;
    screen_->setInputEnabled(accepts);
    sendKeyButton_->setEnabled(accepts);
}

QString TextConsoleTab::statusText() const {
    return statusLabel_->text();
}

void TextConsoleTab::updateStatus() {
    QString text = tr("%1 — text console — %2").arg(vmName_, consoleState_);
    QString colour = "#dfe9f5";
    switch (status_) {
    case VmStatus::Paused:
        text += tr(" — VM paused: the screen resumes when it continues");
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
    statusLabel_->setText(text);
    statusLabel_->setStyleSheet(QString("background: %1; color: #202124;").arg(colour));
}
