# For projects that link the window's library.
INCLUDEPATH += $$PALACIOS_ROOT/gui/lib
LIBS += -L$$PALACIOS_BUILD/lib -lpalacios_gui
PRE_TARGETDEPS += $$PALACIOS_BUILD/lib/libpalacios_gui.a
QT += widgets concurrent
