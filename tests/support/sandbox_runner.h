// Runs a shell script inside the sandbox (v3sandbox run) and returns what it
// printed and its exit status.
#pragma once

#include "test_paths.h"

#include <QProcess>
#include <QStringList>
#include <QTemporaryFile>

// A file the test-guest build made (build/guests/NAME).
inline QString builtGuestFile(const QString& name) {
    return testpaths::buildRoot() + "/guests/" + name;
}

// v3sandbox options that put each named file of build/guests at /root/NAME.
inline QStringList withGuestFiles(const QStringList& names) {
    QStringList options;
    for (const QString& n : names)
        options << "--file" << builtGuestFile(n) + ":/root/" + n;
    return options;
}

struct SandboxRun {
    int exitCode = -1;
    QString output; // the script's stdout and stderr
    QString errors; // v3sandbox's own messages
};

inline SandboxRun runInSandbox(const QByteArray& script, const QStringList& options = {},
                               int timeoutSeconds = 240) {
    SandboxRun result;
    QTemporaryFile file;
    if (!file.open()) {
        result.errors = "cannot create a temporary script";
        return result;
    }
    file.write("set -u\n" + script);
    file.close();
    QProcess p;
    QStringList args{"run", "--timeout", QString::number(timeoutSeconds)};
    args << options << file.fileName();
    p.start(testpaths::sandboxScript(), args);
    if (!p.waitForFinished((timeoutSeconds + 30) * 1000)) {
        p.kill();
        p.waitForFinished();
        result.errors = "v3sandbox did not finish";
        return result;
    }
    result.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    result.output = QString::fromLocal8Bit(p.readAllStandardOutput());
    result.errors = QString::fromLocal8Bit(p.readAllStandardError());
    return result;
}

// "KEY value" lines printed by a script, as a map.
inline QMap<QString, QString> markers(const QString& output) {
    QMap<QString, QString> found;
    for (const QString& line : output.split('\n')) {
        if (!line.startsWith("@"))
            continue;
        found[line.section(' ', 0, 0).mid(1)] = line.section(' ', 1);
    }
    return found;
}
