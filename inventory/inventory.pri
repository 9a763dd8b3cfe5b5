# For projects that link the inventory (GUI, tools, tests, benchmarks).
# Errors use libv3ctl's header-only Result/Error and TRY (v3tools/libv3ctl/result.h);
# the /proc path comes from the module's uapi header.
INCLUDEPATH += $$PALACIOS_ROOT/inventory $$PALACIOS_ROOT/v3tools/libv3ctl $$PALACIOS_ROOT/kmod
LIBS += -L$$PALACIOS_BUILD/lib -lpalacios_inventory -lsqlite3
PRE_TARGETDEPS += $$PALACIOS_BUILD/lib/libpalacios_inventory.a
