// Whole-file reads and atomic writes for build_vm. Failures come back as one
// sentence naming the path and the system's reason.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace build_vm {

// Reads all of `path`; on failure returns false and sets `error` to
// "cannot read 'PATH': REASON".
bool read_file(const std::string& path, std::vector<std::uint8_t>& contents, std::string& error);

// Writes `contents` to a temporary file beside `path`, flushes it to disk and
// renames it over `path`, so readers see the old image or the new one, never
// a partial one.
bool write_file_atomically(const std::string& path, const std::vector<std::uint8_t>& contents,
                           std::string& error);

// `relative` resolved against the directory of `base_file`, unless absolute.
std::string resolve_beside(const std::string& base_file, const std::string& relative);

} // namespace build_vm
