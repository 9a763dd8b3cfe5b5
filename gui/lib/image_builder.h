// Builds a VM image with build_vm without blocking the window: the config is
// written on a worker thread, build_vm runs as a QProcess reporting by
// signal. Its exit status decides success; its stderr line is the readable
// reason shown on failure (the text is shown, never parsed).
#pragma once

#include <QObject>
#include <QProcess>
#include <QString>

class ImageBuilder : public QObject {
    Q_OBJECT
public:
    explicit ImageBuilder(QObject* parent = nullptr);

    // $PALACIOS_BUILD_VM, else build_vm beside this program, else build_vm on PATH.
    static QString buildVmProgram();

    // Writes xml to configPath when xml is not empty (creating its folder),
    // then runs build_vm configPath -o imagePath.
    void build(const QString& xml, const QString& configPath, const QString& imagePath);
    bool isRunning() const { return running_; }

signals:
    void progress(const QString& stage);
    void finished(bool ok, const QString& message);

private:
    void runBuildVm();
    void processFinished(int exitCode, QProcess::ExitStatus status);

    QProcess process_;
    QString configPath_;
    QString imagePath_;
    bool running_ = false;
};
