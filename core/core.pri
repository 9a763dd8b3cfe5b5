# For projects that link the hosted core.
INCLUDEPATH += $$PALACIOS_ROOT/core/include $$PALACIOS_ROOT/core/src $$PALACIOS_ROOT/core/hosted
LIBS += -L$$PALACIOS_BUILD/lib -lv3core
PRE_TARGETDEPS += $$PALACIOS_BUILD/lib/libv3core.a
