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

// Passthrough grants of this process's host, the hosted counterpart of
// v3vee.ko's passthrough= parameter: none at start, so a <memmap> region is
// refused until a test grants its host range.
void grant_passthrough(v3_paddr_t start, v3_u64 size);
void revoke_passthrough_grants();

} // namespace v3::hosted
