# For projects that link libv3ctl.
INCLUDEPATH += $$PALACIOS_ROOT/v3tools/libv3ctl
LIBS += -L$$PALACIOS_BUILD/lib -lv3ctl
PRE_TARGETDEPS += $$PALACIOS_BUILD/lib/libv3ctl.a
