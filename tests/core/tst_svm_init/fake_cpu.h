// A fake multi-CPU machine behind the host services' cpuid and MSR hooks, so
// v3_init's detection and per-CPU enabling can be tested in a process.
#pragma once

#include <v3/host.h>

#include <cstdint>
#include <map>
#include <set>
#include <vector>

struct FakeCpu {
    std::map<uint32_t, uint64_t> msrs;
    std::set<uint32_t> faultingWrites; // MSR writes that #GP on this CPU
    bool online = true;
    bool svm = true;
};

struct FakeMachine {
    std::vector<FakeCpu> cpus;
    uint32_t svmLeafEax = 1;         // revision
    uint32_t svmLeafEbx = 64;        // ASIDs
    uint32_t svmLeafEdx = 0x1 | 0x8; // nested paging, nrip-save
    int msrWrites = 0;

    explicit FakeMachine(unsigned count);
    // A host services table whose CPU hooks act on this machine (the rest is
    // the hosted table). Only one FakeMachine may be installed at a time.
    v3_host_services install();
    ~FakeMachine();

    uint64_t msr(unsigned cpu, uint32_t index) const;
};
