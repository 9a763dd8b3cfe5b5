// Private to inventory/: splitting a text file into numbered lines, as the
// legacy-list parser reads them.
#pragma once

#include <functional>
#include <string_view>

namespace inventory {

// Calls visit(line_number, line) for each line of text, numbered from 1,
// without its '\n' or a '\r' before it. A final '\n' does not start another
// line.
void for_each_line(std::string_view text, const std::function<void(int, std::string_view)>& visit);

// text without leading and trailing blanks (spaces and tabs).
std::string_view trim_blanks(std::string_view text);

} // namespace inventory
