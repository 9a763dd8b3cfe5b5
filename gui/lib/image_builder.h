// Builds a VM image with build_vm without blocking the window: the config is
// written on a worker thread, build_vm runs as a QProcess reporting by
// signal. Its exit status decides success; its stderr line is the readable
// reason shown on failure (the text is shown, never parsed). Progress is
// the step under way (writing the config, building) and, while build_vm
// runs (it reports nothing before it ends), the seconds it has taken.
#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QProcess>
#include <QString>
#include <QTimer>

class ImageBuilder : public QObject {
    Q_OBJECT
public:
    static constexpr int kSteps = 2;

    explicit ImageBuilder(QObject* parent = nullptr);

    // $PALACIOS_BUILD_VM, else build_vm beside this program, else build_vm on PATH.
    static QString buildVmProgram();

    // Writes xml to configPath when xml is not empty (creating its folder),
    // then runs build_vm configPath -o imagePath.
    void build(const QString& xml, const QString& configPath, const QString& imagePath);
    bool isRunning() const { return running_; }

signals:
    // step: 1 writing the config, 2 building (kSteps in all); stage says
    // it in words, again every second while build_vm runs.
    void progress(const QString& stage, int step);
    void finished(bool ok, const QString& message);

private:
    void runBuildVm();
    void processFinished(int exitCode, QProcess::ExitStatus status);

    QProcess process_;
    QTimer ticker_; // the seconds build_vm has taken, once a second
    QElapsedTimer building_;
    QString configPath_;
    QString imagePath_;
    bool running_ = false;
};
