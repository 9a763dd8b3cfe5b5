// What a guest memory access does, as the segment and paging checks see it.
#pragma once

#include "lib/types.h"

namespace v3::decode {

enum class AccessKind : u8 { Read, Write, Execute };

} // namespace v3::decode
