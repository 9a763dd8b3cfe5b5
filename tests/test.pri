# Shared by every test program: Qt Test, output in build/tests/bin, and the
# source and build roots for tests that look at files.
include(../common.pri)
QT += testlib
QT -= gui
CONFIG += testcase no_testcase_installs console
CONFIG -= app_bundle
TEMPLATE = app
DESTDIR = $$PALACIOS_BUILD/tests/bin
INCLUDEPATH += $$PALACIOS_ROOT/tests/support
DEFINES += PALACIOS_SOURCE_ROOT=\\\"$$PALACIOS_ROOT\\\" PALACIOS_BUILD_ROOT=\\\"$$PALACIOS_BUILD\\\"
