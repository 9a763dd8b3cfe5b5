// A bump allocator for the parsed XML tree: elements, attribute arrays and
// joined text live until the Document dies, so they are carved out of a few
// large chunks and released together instead of one host allocation each.
#pragma once

#include "lib/types.h"

namespace v3::xml {

class Arena {
public:
    Arena() = default;
    Arena(const Arena&) = delete;
    Arena& operator=(const Arena&) = delete;
    ~Arena();

    // Returns zero-initialized storage aligned to `alignment` (a power of
    // two), or nullptr when the host is out of memory.
    void* allocate(usize size, usize alignment);

private:
    struct Chunk {
        Chunk* next;
        usize capacity; // bytes after the header
        usize used;
    };
    static constexpr usize kChunkCapacity = 32 * 1024 - sizeof(Chunk);

    void* take(Chunk* chunk, usize size, usize alignment);

    Chunk* head_ = nullptr; // the chunk small requests are bumped from
};

} // namespace v3::xml
