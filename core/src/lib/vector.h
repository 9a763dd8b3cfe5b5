// A growable array over the host allocator. Growth can fail (the kernel has
// no exceptions), so appending returns false on allocation failure and leaves
// the vector unchanged.
#pragma once

#include "lib/alloc.h"
#include "lib/types.h"

namespace v3 {

template <typename T> class Vector {
public:
    Vector() = default;
    Vector(Vector&& other) : items_(other.items_), size_(other.size_), capacity_(other.capacity_) {
        other.items_ = nullptr;
        other.size_ = other.capacity_ = 0;
    }
    Vector& operator=(Vector&& other) {
        if (this != &other) {
            clear_and_release();
            items_ = other.items_;
            size_ = other.size_;
            capacity_ = other.capacity_;
            other.items_ = nullptr;
            other.size_ = other.capacity_ = 0;
        }
        return *this;
    }
    Vector(const Vector&) = delete;
    Vector& operator=(const Vector&) = delete;
    ~Vector() { clear_and_release(); }

    usize size() const { return size_; }
    bool is_empty() const { return size_ == 0; }
    T& operator[](usize i) { return items_[i]; }
    const T& operator[](usize i) const { return items_[i]; }
    T* begin() { return items_; }
    T* end() { return items_ + size_; }
    const T* begin() const { return items_; }
    const T* end() const { return items_ + size_; }
    T& last() { return items_[size_ - 1]; }
    const T& last() const { return items_[size_ - 1]; }

    [[nodiscard]] bool try_reserve(usize wanted) {
        if (wanted <= capacity_)
            return true;
        usize capacity = capacity_ ? capacity_ : 4;
        while (capacity < wanted)
            capacity *= 2;
        T* fresh = static_cast<T*>(allocate(sizeof(T) * capacity));
        if (!fresh)
            return false;
        for (usize i = 0; i < size_; ++i) {
            new (&fresh[i]) T(move(items_[i]));
            items_[i].~T();
        }
        deallocate(items_);
        items_ = fresh;
        capacity_ = capacity;
        return true;
    }

    [[nodiscard]] bool try_append(T&& value) {
        if (!try_reserve(size_ + 1))
            return false;
        new (&items_[size_]) T(move(value));
        ++size_;
        return true;
    }
    [[nodiscard]] bool try_append(const T& value) {
        T copy(value);
        return try_append(move(copy));
    }

    // Inserts at `index` (0..size()), shifting later items up.
    [[nodiscard]] bool try_insert(usize index, T&& value) {
        if (index > size_ || !try_reserve(size_ + 1))
            return false;
        if (index == size_)
            return try_append(move(value));
        new (&items_[size_]) T(move(items_[size_ - 1]));
        for (usize i = size_ - 1; i > index; --i)
            items_[i] = move(items_[i - 1]);
        items_[index] = move(value);
        ++size_;
        return true;
    }

    void remove(usize index) {
        for (usize i = index; i + 1 < size_; ++i)
            items_[i] = move(items_[i + 1]);
        items_[size_ - 1].~T();
        --size_;
    }

    void clear() {
        for (usize i = 0; i < size_; ++i)
            items_[i].~T();
        size_ = 0;
    }

private:
    void clear_and_release() {
        clear();
        deallocate(items_);
        items_ = nullptr;
        capacity_ = 0;
    }

    T* items_ = nullptr;
    usize size_ = 0;
    usize capacity_ = 0;
};

} // namespace v3
