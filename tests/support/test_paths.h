// Where a test finds the source tree, the build tree and its output folder.
#pragma once

#include <QDir>
#include <QString>

namespace testpaths {

inline QString sourceRoot() {
    return QStringLiteral(PALACIOS_SOURCE_ROOT);
}

inline QString buildRoot() {
    QString env = qEnvironmentVariable("PALACIOS_BUILD");
    return env.isEmpty() ? QStringLiteral(PALACIOS_BUILD_ROOT) : env;
}

inline QString sandboxScript() {
    return sourceRoot() + "/v3tools/sandbox/v3sandbox";
}

// Screenshots and other artefacts a test leaves for people to look at.
inline QString outputDir() {
    QString dir = qEnvironmentVariable("PALACIOS_TEST_OUTPUT");
    if (dir.isEmpty())
        dir = buildRoot() + "/tests/output";
    QDir().mkpath(dir);
    return dir;
}

} // namespace testpaths
