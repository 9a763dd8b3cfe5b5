// The files a Linux guest boots from in the tests: the Debian kernel the
// sandbox itself boots (extracted by v3sandbox into its cache) and a
// busybox initramfs made by tests/guests/linux/make-initramfs.sh.
#pragma once

#include "test_paths.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QString>

namespace linuxguest {

// Runs a program to its end (2 minutes at most); its output, trimmed.
inline QString runProgram(const QString& program, const QStringList& args, int* status = nullptr) {
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(program, args);
    p.waitForFinished(120000);
    if (status)
        *status = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    return QString::fromLocal8Bit(p.readAll()).trimmed();
}

inline QString cacheRoot() {
    QString dir = qEnvironmentVariable("PALACIOS_CACHE_DIR");
    if (!dir.isEmpty())
        return dir;
    QString xdg = qEnvironmentVariable("XDG_CACHE_HOME");
    return (xdg.isEmpty() ? QDir::homePath() + "/.cache" : xdg) + "/palacios";
}

// The sandbox kernel's release (uname -r).
inline QString sandboxKernelRelease() {
    return runProgram(testpaths::sandboxScript(), {"kernel-version"});
}

// Where v3sandbox keeps that kernel's bzImage.
inline QString sandboxVmlinuz(const QString& release) {
    return cacheRoot() + "/sandbox/" + release + "/vmlinuz";
}

// Puts vmlinuz and initramfs.cpio.gz into dir; an empty string on success,
// else what went wrong.
inline QString writeBootFiles(const QDir& dir) {
    const QString vmlinuz = sandboxVmlinuz(sandboxKernelRelease());
    if (!QFile::exists(vmlinuz))
        return vmlinuz + " is missing: run 'v3sandbox fetch' (make does)";
    int status = -1;
    const QString made =
        runProgram(testpaths::sourceRoot() + "/tests/guests/linux/make-initramfs.sh",
                   {dir.filePath("initramfs.cpio.gz")}, &status);
    if (status != 0)
        return "make-initramfs.sh failed: " + made;
    QFile::remove(dir.filePath("vmlinuz"));
    if (!QFile::copy(vmlinuz, dir.filePath("vmlinuz")))
        return "cannot copy " + vmlinuz + " to " + dir.path();
    return {};
}

} // namespace linuxguest
