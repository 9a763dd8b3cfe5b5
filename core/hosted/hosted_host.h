// A v3_host_services table for running the core in an ordinary process (unit
// tests, build_vm). Pages come from the C heap with physical == virtual;
// threads are pthreads; call_on_cpu runs the function on the calling thread
// with current_cpu() reporting the target. The MSR accessors fail (-EIO):
// userspace cannot touch MSRs, so tests install a fake CPU instead.
#pragma once

#include <v3/host.h>

#include <string>

namespace v3::hosted {

v3_host_services make_host_services();

// Everything the core logged through this table, oldest first.
std::string captured_log();
void clear_captured_log();

// Pages handed out by allocate_pages and not yet freed.
long outstanding_pages();

} // namespace v3::hosted
