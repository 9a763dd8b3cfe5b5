#include "image_builder.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QSaveFile>
#include <QStandardPaths>
#include <QtConcurrent/QtConcurrentRun>

ImageBuilder::ImageBuilder(QObject* parent) : QObject(parent) {
    ticker_.setInterval(1000);
    connect(&ticker_, &QTimer::timeout, this, [this]() {
        emit progress(tr("Building %1 with build_vm... %2 s")
                          .arg(QFileInfo(imagePath_).fileName())
                          .arg(building_.elapsed() / 1000),
                      2);
    });
    connect(&process_, &QProcess::finished, this, &ImageBuilder::processFinished);
    connect(&process_, &QProcess::errorOccurred, this, [this](QProcess::ProcessError error) {
        if (error != QProcess::FailedToStart || !running_)
            return;
        running_ = false;
        ticker_.stop();
        emit finished(false, tr("build_vm could not be started (%1): %2")
                                 .arg(process_.program(), process_.errorString()));
    });
}

QString ImageBuilder::buildVmProgram() {
    const QString env = qEnvironmentVariable("PALACIOS_BUILD_VM");
    if (!env.isEmpty())
        return env;
    const QString beside = QCoreApplication::applicationDirPath() + "/build_vm";
    if (QFileInfo(beside).isExecutable())
        return beside;
    const QString onPath = QStandardPaths::findExecutable("build_vm");
    return onPath.isEmpty() ? QString("build_vm") : onPath;
}

void ImageBuilder::build(const QString& xml, const QString& configPath, const QString& imagePath) {
    if (running_)
        return;
    running_ = true;
    configPath_ = configPath;
    imagePath_ = imagePath;
    emit progress(tr("Writing %1...").arg(configPath), 1);
    auto* watcher = new QFutureWatcher<QString>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher]() {
        watcher->deleteLater();
        const QString error = watcher->result();
        if (!error.isEmpty()) {
            running_ = false;
            emit finished(false, error);
            return;
        }
        runBuildVm();
    });
    watcher->setFuture(QtConcurrent::run([xml, configPath, imagePath]() -> QString {
        for (const QString& path : {configPath, imagePath}) {
            const QString dir = QFileInfo(path).absolutePath();
            if (!QDir().mkpath(dir))
                return tr("cannot create the folder %1").arg(dir);
        }
        if (xml.isEmpty())
            return {};
        QSaveFile file(configPath);
        if (!file.open(QIODevice::WriteOnly) || file.write(xml.toUtf8()) < 0 || !file.commit())
            return tr("cannot write the config %1: %2").arg(configPath, file.errorString());
        return {};
    }));
}

void ImageBuilder::runBuildVm() {
    emit progress(tr("Building %1 with build_vm...").arg(QFileInfo(imagePath_).fileName()), 2);
    building_.start();
    ticker_.start();
    process_.setProgram(buildVmProgram());
    process_.setArguments({configPath_, "-o", imagePath_});
    process_.start();
}

void ImageBuilder::processFinished(int exitCode, QProcess::ExitStatus status) {
    if (!running_)
        return;
    running_ = false;
    ticker_.stop();
    const QString err = QString::fromLocal8Bit(process_.readAllStandardError()).trimmed();
    const QString out = QString::fromLocal8Bit(process_.readAllStandardOutput()).trimmed();
    if (status != QProcess::NormalExit) {
        emit finished(false, tr("build_vm crashed while building %1").arg(imagePath_));
        return;
    }
    if (exitCode != 0) {
        emit finished(false, err.isEmpty() ? tr("build_vm failed with exit status %1").arg(exitCode)
                                           : err);
        return;
    }
    emit finished(true, out);
}
