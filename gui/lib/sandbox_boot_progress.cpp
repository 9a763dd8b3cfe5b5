#include "sandbox_boot_progress.h"
#include "host_session.h"

#include "sandbox_host.h"

#include <QFile>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QProcess>
#include <QProgressBar>
#include <QPushButton>
#include <QtConcurrent/QtConcurrentRun>

namespace {

constexpr int kPollMs = 250;

bool bootsTheSandbox(const QString& uri) {
    // auto boots it only where this machine has no /dev/v3vee.
    return uri == "sandbox" || (uri == "auto" && !QFileInfo::exists("/dev/v3vee"));
}

} // namespace

SandboxBootProgress::SandboxBootProgress(HostSession* session, QString runDir, QString script,
                                         QWidget* parent)
    : QWidget(parent), session_(session),
      runDir_(runDir.isEmpty() ? QString::fromStdString(v3ctl::SandboxHost::defaultRunDir())
                               : runDir),
      script_(script.isEmpty() ? QString::fromStdString(v3ctl::SandboxHost::defaultSandboxScript())
                               : script) {
    setObjectName("sandboxBoot");
    label_ = new QLabel;
    label_->setObjectName("sandboxStage");
    bar_ = new QProgressBar;
    bar_->setRange(0, int(Stage::Count));
    bar_->setMaximumWidth(140);
    bar_->setTextVisible(false);
    cancel_ = new QPushButton(tr("Cancel"));
    cancel_->setObjectName("cancelSandboxBoot");
    cancel_->setToolTip(tr("Stop booting the sandbox (v3sandbox stop)"));
    connect(cancel_, &QPushButton::clicked, this, &SandboxBootProgress::cancel);
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(label_);
    layout->addWidget(bar_);
    layout->addWidget(cancel_);
    timer_.setInterval(kPollMs);
    connect(&timer_, &QTimer::timeout, this, &SandboxBootProgress::poll);
    connect(&reader_, &QFutureWatcherBase::finished, this, [this]() {
        if (timer_.isActive())
            show(reader_.result());
    });
    connect(session_, &HostSession::connecting, this, &SandboxBootProgress::begin);
    connect(session_, &HostSession::connected, this, &SandboxBootProgress::end);
    connect(session_, &HostSession::connectionFailed, this, &SandboxBootProgress::end);
    hide();
}

QString SandboxBootProgress::stageText(Stage stage) {
    switch (stage) {
    case Stage::Preparing:
        return tr("Sandbox: fetching the kernel and preparing the initramfs...");
    case Stage::Booting:
        return tr("Sandbox: kernel fetched, booting...");
    case Stage::ModuleLoaded:
        return tr("Sandbox: v3vee.ko loaded, starting the agent...");
    case Stage::AgentReady:
    case Stage::Count:
        break;
    }
    return tr("Sandbox: agent ready, connecting...");
}

SandboxBootProgress::Stage SandboxBootProgress::readStage(const QString& runDir) {
    if (!QFileInfo::exists(runDir + "/qemu.pid"))
        return Stage::Preparing;
    QFile console(runDir + "/console.log");
    if (!console.open(QIODevice::ReadOnly))
        return Stage::Booting;
    const QByteArray text = console.readAll();
    if (text.contains("\nV3SANDBOX-READY-END") || text.startsWith("V3SANDBOX-READY-END"))
        return Stage::AgentReady;
    if (text.contains("\nV3SANDBOX-READY") || text.startsWith("V3SANDBOX-READY"))
        return Stage::ModuleLoaded;
    return Stage::Booting;
}

void SandboxBootProgress::begin(const QString& uri) {
    if (!bootsTheSandbox(uri))
        return;
    cancel_->setEnabled(true);
    stage_ = Stage::Count; // show() below always says the first stage
    show(Stage::Preparing);
    QWidget::show();
    timer_.start();
}

void SandboxBootProgress::end() {
    timer_.stop();
    hide();
}

void SandboxBootProgress::poll() {
    if (reader_.isRunning())
        return;
    const QString dir = runDir_;
    reader_.setFuture(QtConcurrent::run([dir]() { return readStage(dir); }));
}

void SandboxBootProgress::show(Stage stage) {
    if (stage == stage_)
        return;
    stage_ = stage;
    label_->setText(stageText(stage));
    bar_->setValue(int(stage) + 1);
    emit stageChanged(stage);
}

void SandboxBootProgress::cancel() {
    if (!session_->isConnecting())
        return;
    cancel_->setEnabled(false);
    label_->setText(tr("Sandbox: cancelling the boot..."));
    session_->cancelConnect();
    // Killing QEMU makes the boot under way fail at once; the session then
    // reports the connection as cancelled.
    auto* stop = new QProcess(this);
    connect(stop, &QProcess::finished, this, [this, stop](int code) {
        stop->deleteLater();
        emit cancelled(code == 0, code == 0 ? tr("the sandbox boot was cancelled")
                                            : tr("v3sandbox stop exited with status %1: %2")
                                                  .arg(code)
                                                  .arg(QString::fromLocal8Bit(
                                                      stop->readAllStandardError().trimmed())));
    });
    connect(stop, &QProcess::errorOccurred, this, [this, stop](QProcess::ProcessError error) {
        if (error == QProcess::FailedToStart) { // no finished() follows
            stop->deleteLater();
            emit cancelled(false, tr("cannot run %1: %2").arg(script_, stop->errorString()));
        }
    });
    stop->start(script_, {"stop", "--dir", runDir_});
}
