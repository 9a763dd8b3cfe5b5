// Error numbers the core reports. They are the Linux errno values, so the
// kernel glue can return -code unchanged and userspace can strerror() them.
#pragma once

namespace v3 {

enum class Errno : int {
    Perm = 1,
    NoEnt = 2,
    Io = 5,
    NoMem = 12,
    Fault = 14,
    Busy = 16,
    Exist = 17,
    NoDev = 19,
    Inval = 22,
    NoSpc = 28,
    Range = 34,
    NoSys = 38,
    NotSup = 95,
    TimedOut = 110,
    Already = 114,
};

} // namespace v3
