// The sandbox's boot as the window shows it: stages read from the files
// v3sandbox writes in its run folder (qemu.pid once QEMU runs the fetched
// kernel; the console's V3SANDBOX-READY once v3vee.ko loaded, READY-END
// once the agent serves), a progress bar over them, and Cancel, which
// really ends the boot: it runs `v3sandbox stop` (QEMU is killed, the boot
// fails) and the session discards whatever opening still returns. The files
// are read on a worker a few times a second while connecting.
#pragma once

#include <QFutureWatcher>
#include <QTimer>
#include <QWidget>

class HostSession;
class QLabel;
class QProgressBar;
class QPushButton;

class SandboxBootProgress : public QWidget {
    Q_OBJECT
public:
    enum class Stage { Preparing = 0, Booting, ModuleLoaded, AgentReady, Count };
    Q_ENUM(Stage)

    // runDir and script: the sandbox's (empty: libv3ctl's defaults).
    SandboxBootProgress(HostSession* session, QString runDir = {}, QString script = {},
                        QWidget* parent = nullptr);

    Stage stage() const { return stage_; }
    static QString stageText(Stage stage);
    // What the run folder's files say (blocks: file reads).
    static Stage readStage(const QString& runDir);
    QPushButton* cancelButton() const { return cancel_; }
    QString runDir() const { return runDir_; }

public slots:
    void cancel();

signals:
    void stageChanged(SandboxBootProgress::Stage stage);
    // The stop was asked for (ok false: v3sandbox stop could not be run).
    void cancelled(bool ok, const QString& message);

private:
    void begin(const QString& uri);
    void end();
    void poll();
    void show(Stage stage);

    HostSession* session_;
    QString runDir_;
    QString script_;
    QLabel* label_;
    QProgressBar* bar_;
    QPushButton* cancel_;
    QTimer timer_;
    QFutureWatcher<Stage> reader_;
    Stage stage_ = Stage::Preparing;
};
