// Fixed-width types and a few utilities without any system header: the same
// code compiles freestanding (kernel, -nostdinc) and hosted (tests, tools).
#pragma once

namespace v3 {

using u8 = __UINT8_TYPE__;
using u16 = __UINT16_TYPE__;
using u32 = __UINT32_TYPE__;
using u64 = __UINT64_TYPE__;
using i8 = __INT8_TYPE__;
using i16 = __INT16_TYPE__;
using i32 = __INT32_TYPE__;
using i64 = __INT64_TYPE__;
using usize = __SIZE_TYPE__;
using uptr = __UINTPTR_TYPE__;

template <typename T> struct RemoveReference { using Type = T; };
template <typename T> struct RemoveReference<T&> { using Type = T; };
template <typename T> struct RemoveReference<T&&> { using Type = T; };

template <typename T> constexpr typename RemoveReference<T>::Type&& move(T&& value) {
    return static_cast<typename RemoveReference<T>::Type&&>(value);
}

template <typename T> constexpr T&& forward(typename RemoveReference<T>::Type& value) {
    return static_cast<T&&>(value);
}

constexpr u64 bit(unsigned n) {
    return u64(1) << n;
}

} // namespace v3

// Placement new: from <new> when hosted (tests include it anyway), defined
// here when freestanding, where there is no C++ library at all.
#if __STDC_HOSTED__
#include <new>
#else
inline void* operator new(v3::usize, void* where) noexcept {
    return where;
}
inline void operator delete(void*, void*) noexcept {}
#endif
