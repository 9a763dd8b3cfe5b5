#include "config/arena.h"

#include "lib/alloc.h"

namespace v3::xml {

Arena::~Arena() {
    while (head_) {
        Chunk* next = head_->next;
        deallocate(head_);
        head_ = next;
    }
}

void* Arena::take(Chunk* chunk, usize size, usize alignment) {
    uptr data = uptr(chunk + 1);
    uptr start = (data + chunk->used + alignment - 1) & ~uptr(alignment - 1);
    usize offset = usize(start - data);
    if (offset > chunk->capacity || size > chunk->capacity - offset)
        return nullptr;
    chunk->used = offset + size;
    auto* bytes = reinterpret_cast<u8*>(start);
    for (usize i = 0; i < size; ++i)
        bytes[i] = 0;
    return bytes;
}

void* Arena::allocate(usize size, usize alignment) {
    if (head_) {
        if (void* p = take(head_, size, alignment))
            return p;
    }
    // Big requests get a chunk of their own, kept behind the current one so
    // small requests keep filling it.
    bool dedicated = size + alignment > kChunkCapacity / 4;
    usize capacity = dedicated ? size + alignment : kChunkCapacity;
    if (capacity < size)
        return nullptr; // overflow
    auto* chunk = static_cast<Chunk*>(v3::allocate(sizeof(Chunk) + capacity));
    if (!chunk)
        return nullptr;
    chunk->capacity = capacity;
    chunk->used = 0;
    if (dedicated && head_) {
        chunk->next = head_->next;
        head_->next = chunk;
    } else {
        chunk->next = head_;
        head_ = chunk;
    }
    return take(chunk, size, alignment);
}

} // namespace v3::xml
