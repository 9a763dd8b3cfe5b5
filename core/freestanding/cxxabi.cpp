// The few C++ runtime pieces the compiler expects, for the kernel build only
// (the hosted build gets them from libstdc++). There is deliberately no plain
// operator new: core code allocates with new (v3::alloc), which may return
// nullptr, and a stray plain `new` fails to link instead of oopsing.
#include "lib/alloc.h"
#include "lib/log.h"

void operator delete(void* ptr) noexcept {
    v3::deallocate(ptr);
}
void operator delete(void* ptr, v3::usize) noexcept {
    v3::deallocate(ptr);
}
void operator delete[](void* ptr) noexcept {
    v3::deallocate(ptr);
}
void operator delete[](void* ptr, v3::usize) noexcept {
    v3::deallocate(ptr);
}

extern "C" void __cxa_pure_virtual() {
    // Only reachable through a corrupted object; report it and keep going
    // rather than halting the host.
    V3_ERROR("v3vee: pure virtual function called\n");
}
