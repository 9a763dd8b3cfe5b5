// Allocation through the host. `new (v3::alloc) T(...)` returns nullptr on
// failure (the form is noexcept, so the compiler keeps the null check); the
// plain global operator new is deliberately not provided in the kernel build,
// so any use of it fails to link. Objects made this way are released with
// v3::destroy.
#pragma once

#include "lib/result.h"
#include "lib/types.h"

namespace v3 {
struct AllocTag {};
inline constexpr AllocTag alloc{};
} // namespace v3

void* operator new(v3::usize size, v3::AllocTag) noexcept;
void* operator new[](v3::usize size, v3::AllocTag) noexcept;

namespace v3 {

void* allocate(usize size);
void deallocate(void* ptr);

template <typename T> void destroy(T* object) {
    if (!object)
        return;
    object->~T();
    deallocate(object);
}

// Owns one object made with new (v3::alloc); the freestanding unique_ptr.
template <typename T> class OwnPtr {
public:
    OwnPtr() = default;
    explicit OwnPtr(T* object) : object_(object) {}
    OwnPtr(OwnPtr&& other) : object_(other.leak()) {}
    // From an OwnPtr of a derived class (devices are owned as OwnPtr<Device>).
    template <typename U> OwnPtr(OwnPtr<U>&& other) : object_(other.leak()) {}
    OwnPtr& operator=(OwnPtr&& other) {
        if (this != &other)
            reset(other.leak());
        return *this;
    }
    OwnPtr(const OwnPtr&) = delete;
    OwnPtr& operator=(const OwnPtr&) = delete;
    ~OwnPtr() { reset(); }

    T* get() const { return object_; }
    T* operator->() const { return object_; }
    T& operator*() const { return *object_; }
    explicit operator bool() const { return object_ != nullptr; }

    T* leak() {
        T* object = object_;
        object_ = nullptr;
        return object;
    }
    void reset(T* object = nullptr) {
        T* old = object_;
        object_ = object;
        destroy(old);
    }

private:
    T* object_ = nullptr;
};

// Creates a T with new (v3::alloc); an error when memory runs out.
template <typename T, typename... Args> Result<OwnPtr<T>> try_make(Args&&... args) {
    T* object = new (alloc) T(forward<Args>(args)...);
    if (!object)
        return make_error(Errno::NoMem, "out of memory");
    return OwnPtr<T>(object);
}

} // namespace v3
