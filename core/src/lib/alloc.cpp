#include "lib/alloc.h"
#include "lib/host.h"

namespace v3 {

void* allocate(usize size) {
    if (!host_is_set())
        return nullptr;
    return host().malloc(size ? size : 1);
}

void deallocate(void* ptr) {
    if (ptr && host_is_set())
        host().free(ptr);
}

} // namespace v3

void* operator new(v3::usize size, v3::AllocTag) noexcept {
    return v3::allocate(size);
}
void* operator new[](v3::usize size, v3::AllocTag) noexcept {
    return v3::allocate(size);
}
