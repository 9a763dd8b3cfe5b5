#include "result.h"

#include <cstring>

namespace v3ctl {

Error errnoError(int errnum, const std::string& what, const std::string& hint) {
    std::string message = what + ": " + std::strerror(errnum);
    if (!hint.empty())
        message += " (" + hint + ")";
    return Error{errnum, message};
}

} // namespace v3ctl
