#include "fake_cpu.h"
#include "hosted_host.h"

#include <arch/x86/msr.h>
#include <v3/vmm.h>

#include <cerrno>

namespace {

FakeMachine* g_machine = nullptr;
unsigned g_current_cpu = 0; // the CPU call_on_cpu is "running" on

FakeCpu& current() {
    return g_machine->cpus.at(g_current_cpu);
}

unsigned fake_current_cpu() {
    return g_current_cpu;
}

int fake_call_on_cpu(unsigned cpu, void (*fn)(void*), void* arg) {
    if (cpu >= g_machine->cpus.size() || !g_machine->cpus[cpu].online)
        return -ENXIO;
    unsigned saved = g_current_cpu;
    g_current_cpu = cpu;
    fn(arg);
    g_current_cpu = saved;
    return 0;
}

void fake_cpuid(unsigned leaf, unsigned, unsigned regs[4]) {
    regs[0] = regs[1] = regs[2] = regs[3] = 0;
    FakeCpu& cpu = current();
    switch (leaf) {
    case v3::x86::kCpuidExtendedMax:
        regs[0] = v3::x86::kCpuidSvmFeatures;
        break;
    case v3::x86::kCpuidExtendedFeatures:
        regs[2] = cpu.svm ? v3::x86::kCpuidExtendedFeaturesEcxSvm : 0;
        break;
    case v3::x86::kCpuidSvmFeatures:
        regs[0] = g_machine->svmLeafEax;
        regs[1] = g_machine->svmLeafEbx;
        regs[3] = g_machine->svmLeafEdx;
        break;
    }
}

int fake_read_msr(unsigned index, v3_u64* value) {
    FakeCpu& cpu = current();
    auto it = cpu.msrs.find(index);
    if (it == cpu.msrs.end())
        return -EIO;
    *value = it->second;
    return 0;
}

int fake_write_msr(unsigned index, v3_u64 value) {
    FakeCpu& cpu = current();
    ++g_machine->msrWrites;
    if (cpu.faultingWrites.count(index) || !cpu.msrs.count(index))
        return -EIO;
    cpu.msrs[index] = value;
    return 0;
}

unsigned fake_cpu_count() {
    return unsigned(g_machine->cpus.size());
}
int fake_cpu_online(unsigned cpu) {
    return cpu < g_machine->cpus.size() && g_machine->cpus[cpu].online;
}

} // namespace

FakeMachine::FakeMachine(unsigned count) : cpus(count) {
    for (FakeCpu& cpu : cpus) {
        cpu.msrs[v3::x86::kMsrEfer] = 0xd01; // LME|LMA|NXE|SCE, as a 64-bit host
        cpu.msrs[v3::x86::kMsrVmCr] = 0;
        cpu.msrs[v3::x86::kMsrVmHsavePa] = 0;
    }
}

v3_host_services FakeMachine::install() {
    g_machine = this;
    v3_host_services h = v3::hosted::make_host_services();
    h.cpuid = fake_cpuid;
    h.read_msr = fake_read_msr;
    h.write_msr = fake_write_msr;
    h.cpu_count = fake_cpu_count;
    h.cpu_online = fake_cpu_online;
    h.current_cpu = fake_current_cpu;
    h.call_on_cpu = fake_call_on_cpu;
    return h;
}

FakeMachine::~FakeMachine() {
    // The core may still hold this machine's CPUs; release them while the
    // hooks still point here.
    if (g_machine == this) {
        v3_shutdown();
        g_machine = nullptr;
    }
}

uint64_t FakeMachine::msr(unsigned cpu, uint32_t index) const {
    return cpus.at(cpu).msrs.at(index);
}
