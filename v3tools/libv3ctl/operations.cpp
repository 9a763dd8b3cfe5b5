#include "operations.h"

namespace v3ctl::ops {

const char* nameOfCode(uint32_t code) {
    const char* name = nullptr;
    findOperation([&]<typename Op>() {
        if (Op::code != code)
            return false;
        name = Op::name;
        return true;
    });
    return name;
}

} // namespace v3ctl::ops
