# Settings every Palacios userspace subproject shares.
CONFIG += c++2a warn_on
CONFIG -= debug_and_release
QMAKE_CXXFLAGS += -std=gnu++20 -Wall -Wextra
INCLUDEPATH += $$PALACIOS_ROOT/kmod $$PALACIOS_ROOT/v3tools/libv3ctl
# Programs land in build/bin (the sandbox copies the static ones from there).
PALACIOS_BIN = $$PALACIOS_BUILD/bin
