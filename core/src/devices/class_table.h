// Lookups over one registry's table (a nullptr-terminated array of device
// classes), shared by the product registry (registry.cpp) and the test
// registry (test_registry.cpp). Internal to devices/.
#pragma once

#include "devices/registry.h"

namespace v3::devices::detail {

// Fills `names` (room for every entry and the nullptr) from `table` on every
// call: the same values each time, so concurrent callers cannot disagree and
// no initialisation order matters.
inline const char* const* fill_class_names(const DeviceClass* const* table, const char** names) {
    usize i = 0;
    for (; table[i]; ++i)
        names[i] = table[i]->name;
    names[i] = nullptr;
    return names;
}

inline const DeviceClass* find_class_in(const DeviceClass* const* table, StringView name) {
    for (usize i = 0; table[i]; ++i)
        if (name == table[i]->name)
            return table[i];
    return nullptr;
}

// The test registry's class called `name`, or nullptr.
const DeviceClass* find_test_class(StringView name);

} // namespace v3::devices::detail
