# For projects that link the window's library (which needs the inventory
# library after it, then libv3ctl: include libv3ctl.pri after this file).
INCLUDEPATH += $$PALACIOS_ROOT/gui/lib
LIBS += -L$$PALACIOS_BUILD/lib -lpalacios_gui
PRE_TARGETDEPS += $$PALACIOS_BUILD/lib/libpalacios_gui.a
include(../../inventory/inventory.pri)
CONFIG += link_pkgconfig
PKGCONFIG += vterm
QT += widgets concurrent xml dbus
