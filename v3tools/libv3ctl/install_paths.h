// Where an installed (or built) Palacios finds its data: by paths relative
// to the running program, never by the source tree it was built from, so
// that `make install DESTDIR=... PREFIX=...` and the Debian package work
// anywhere, and the build tree (build/bin, build/share) works the same way.
#pragma once

#include <string>

namespace v3ctl {

// The folder holding the running program (/proc/self/exe), or "" if the
// kernel will not say.
std::string executableDir();

// PREFIX/share/palacios for a program in PREFIX/bin: $PALACIOS_DATADIR when
// set, else the first of <exe>/../share/palacios and <exe>/../../share/palacios
// (the build tree's tests/bin and bench/bin) that exists; "" if none does.
std::string dataDir();

// The release of Palacios these programs belong to (the VERSION file).
const char* palaciosVersion();

// The `--version` text every program prints: "NAME (Palacios) VERSION" and
// the licence line, as GNU programs and help2man expect.
std::string versionText(const std::string& program);

} // namespace v3ctl
