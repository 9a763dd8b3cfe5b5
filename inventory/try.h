// Private to inventory/: propagate the Error of a failed Result from a
// function that itself returns a Result (a GNU statement expression, which
// g++ and clang both accept under -std=gnu++20).
#pragma once

#include <utility>

#define INVENTORY_TRY(expr)                                                                        \
    ({                                                                                             \
        auto&& try_result_ = (expr);                                                               \
        if (!try_result_.ok())                                                                     \
            return try_result_.error();                                                            \
        std::move(try_result_.value());                                                            \
    })
