// libFuzzer target: the x86 decoder and the MMIO emulator, which run on
// every nested page fault a guest causes on device memory. The guest
// controls everything here: the instruction bytes (handed in as the CPU
// reported them, or fetched from guest memory through the guest's own page
// tables), every register, the segment state, the page tables themselves,
// and which address faulted.
//
// Beyond the sanitizers: decode and emulation never report an instruction
// longer than 15 bytes, an error always says why, and a guest-visible
// exception leaves RIP where it was.
#include "decode/decoder.h"
#include "decode/emulator.h"
#include "hosted_host.h"
#include "lib/host.h"

#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <cstring>

using namespace v3;

namespace {

// Small, so a fresh machine per input is cheap; page tables, code and data
// all fit, and addresses beyond it exercise the outside-RAM paths.
constexpr u64 kRamBytes = 64 << 10;
constexpr u64 kMmio = 0xfeb00000;
constexpr u64 kMmioSize = 0x4000;

class EchoDevice : public MmioHandler {
public:
    Result<void> mmio_read(u64 offset, u8* data, u32 size) override {
        if (offset + size > sizeof backing)
            __builtin_trap(); // the hooks must never hand out an offset past the range
        std::memcpy(data, backing + offset, size);
        return {};
    }
    Result<void> mmio_write(u64 offset, const u8* data, u32 size) override {
        if (offset + size > sizeof backing)
            __builtin_trap();
        std::memcpy(backing + offset, data, size);
        return {};
    }
    u8 backing[kMmioSize] = {};
};

void install_host() {
    static v3_host_services host = v3::hosted::make_host_services();
    v3::set_host(&host);
}

void random_segment(FuzzedDataProvider& in, x86::Segment& s) {
    s.selector = in.ConsumeIntegral<u16>();
    s.base = in.ConsumeBool() ? 0 : in.ConsumeIntegral<u64>();
    s.limit = in.ConsumeBool() ? 0xffffffff : in.ConsumeIntegral<u32>();
    s.attributes = in.ConsumeIntegral<u16>();
}

// Mostly the modes guests use, with the fuzzer free to change any field.
void random_registers(FuzzedDataProvider& in, x86::Registers& regs) {
    regs = {};
    switch (in.ConsumeIntegralInRange(0, 3)) {
    case 0: // real mode
        for (auto& s : regs.segments)
            s = {0x1000, 0x10000, 0xffff, 0x93};
        regs.segments[x86::CS] = {0x0, 0x0, 0xffff, 0x9b};
        break;
    case 1: // flat 32-bit protected mode
        regs.cr0 = x86::kCr0Pe;
        for (auto& s : regs.segments)
            s = {0x10, 0, 0xffffffff, 0xc93};
        regs.segments[x86::CS] = {0x08, 0, 0xffffffff, 0xc9b};
        break;
    case 2: // long mode: page tables at 0x1000 come from the input below
        regs.cr0 = x86::kCr0Pe | x86::kCr0Pg | x86::kCr0Wp;
        regs.cr4 = x86::kCr4Pae;
        regs.efer = x86::kEferLme | x86::kEferLma | x86::kEferNxe;
        regs.cr3 = 0x1000;
        for (auto& s : regs.segments)
            s = {0x18, 0, 0xffffffff, 0xc93};
        regs.segments[x86::CS] = {0x10, 0, 0xffffffff, 0x29b};
        break;
    default: // anything at all
        regs.cr0 = in.ConsumeIntegral<u32>();
        regs.cr3 = in.ConsumeIntegral<u64>();
        regs.cr4 = in.ConsumeIntegral<u32>();
        regs.efer = in.ConsumeIntegral<u32>();
        for (auto& s : regs.segments)
            random_segment(in, s);
        break;
    }
    for (u64& r : regs.gpr)
        r = in.ConsumeBool() ? in.ConsumeIntegralInRange<u64>(0, kRamBytes)
                             : in.ConsumeIntegral<u64>();
    regs.rflags = (in.ConsumeIntegral<u64>() & 0x3f7fd5) | 0x2;
    regs.rip = in.ConsumeIntegralInRange<u64>(0, kRamBytes + 0x100);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    install_host();
    FuzzedDataProvider in(data, size);

    // The decoder alone, on raw bytes in each code size.
    static constexpr decode::CpuMode kModes[] = {decode::CpuMode::Bits16, decode::CpuMode::Bits32,
                                                 decode::CpuMode::Bits64};
    u8 bytes[decode::kMaxInstructionLength + 4] = {};
    usize available = in.ConsumeIntegralInRange<usize>(0, sizeof bytes);
    for (usize i = 0; i < available; ++i)
        bytes[i] = in.ConsumeIntegral<u8>();
    decode::FailureDetail detail{};
    auto decoded = decode::decode_instruction(bytes, available,
                                              kModes[in.ConsumeIntegralInRange(0, 2)], &detail);
    if (decoded.is_error() ? detail.text[0] == 0
                           : decoded.value().length == 0 ||
                                 decoded.value().length > decode::kMaxInstructionLength ||
                                 decoded.value().length > available)
        __builtin_trap();

    // The emulator, with a machine the guest controls (fresh each input).
    auto memory = GuestMemory::try_create(kRamBytes);
    if (memory.is_error())
        __builtin_trap();
    OwnPtr<GuestMemory> ram = memory.release_value();
    MemoryHooks hooks;
    EchoDevice device;
    if (hooks.add(kMmio, kMmioSize, MmioHookKind::Full, device, "echo").is_error())
        __builtin_trap();
    x86::Registers regs;
    random_registers(in, regs);
    // Page tables (and whatever else the guest keeps low) from the input.
    u8 low[0x4000] = {};
    usize low_bytes = in.ConsumeIntegralInRange<usize>(0, sizeof low);
    for (usize i = 0; i < low_bytes; ++i)
        low[i] = in.ConsumeIntegral<u8>();
    (void)ram->write(0x1000, low, sizeof low);
    // The instruction as the CPU reported it, or only in guest memory at RIP.
    bool fetched = in.ConsumeBool();
    if (fetched)
        (void)ram->write(regs.rip & (kRamBytes - 1), bytes, available);
    u64 faulting = in.ConsumeBool() ? kMmio + in.ConsumeIntegralInRange<u64>(0, kMmioSize + 8)
                                    : in.ConsumeIntegral<u64>();

    decode::EmulationOutcome outcome;
    const u64 rip_before = regs.rip;
    auto done = decode::emulate_mmio(regs, *ram, hooks, faulting, fetched ? nullptr : bytes,
                                     fetched ? 0 : available, &outcome);
    if (done.is_error() && outcome.detail.text[0] == 0)
        __builtin_trap(); // every refusal says why
    if (!done.is_error() && outcome.decoded &&
        (outcome.instruction.length == 0 ||
         outcome.instruction.length > decode::kMaxInstructionLength))
        __builtin_trap();
    if (!done.is_error() && outcome.exception_pending && regs.rip != rip_before)
        __builtin_trap(); // a faulting instruction is re-executed from its start
    return 0;
}
