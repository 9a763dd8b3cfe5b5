// libFuzzer target: a hostile guest driving every ISA device of a PC through
// the interfaces a guest really has — IN/OUT of 1, 2 and 4 bytes, string
// I/O, MMIO on the MMIO_TEST window — interleaved with what the host does to
// the same devices: guest time passing (PIT, UART timeouts, RTC, the text
// console's screen polls), keyboard and mouse events, bytes arriving on the
// COM1 stream, scan codes typed at the text console, and the CPU taking
// the interrupts the 8259A offers.
//
// Beyond the sanitizers, one invariant is checked after every input: the
// devices' checkpoint state survives a save, a load into a fresh VM and a
// second save byte for byte (what v3_save/v3_load will rely on).
//
// A device that refuses an access fail-stops the VM in the kernel; here the
// sequence ends there, as the guest would.
#include "chkpt/snapshot.h"
#include "config/vm_config.h"
#include "devices/registry.h"
#include "hosted_host.h"
#include "lib/host.h"
#include "vm/host_console.h"
#include "vm/host_streams.h"
#include "vm/vm.h"

#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

constexpr char kConfig[] = R"(<vm class="PC">
  <memory>1</memory>
  <cores count="1"/>
  <devices test_devices="yes">
    <device class="8259A" id="PIC"/>
    <device class="KEYBOARD" id="keyboard"/>
    <device class="8254_PIT" id="PIT"/>
    <device class="BOCHS_DEBUG" id="bochs_debug"/>
    <device class="OS_DEBUG" id="os_debug"/>
    <device class="NVRAM" id="nvram"/>
    <device class="SERIAL" id="serial"/>
    <device class="CHAR_STREAM" id="com1_stream" name="com1">
      <frontend tag="serial" com_port="1"/>
    </device>
    <device class="CHAR_STREAM" id="com2_stream" name="com2">
      <frontend tag="serial" com_port="2"/>
    </device>
    <device class="TEST_EXIT" id="test_exit"/>
    <device class="MMIO_TEST" id="mmio" base="0xd0000"/>
    <device class="CGA_VIDEO" id="cga"/>
    <device class="CURSES_CONSOLE" id="curses">
      <frontend tag="cga"/>
    </device>
  </devices>
</vm>)";

constexpr std::uint64_t kMmioBase = 0xd0000;
constexpr std::uint64_t kMmioSpan = 0x2000; // the window and a page beyond it

// First ports of the ranges the devices above claim (and a few neighbours
// nobody claims), so most accesses land on a device register.
constexpr std::uint16_t kPortBases[] = {
    0x20,  0x21,  0xa0,  0xa1,  0x40,  0x43,  0x60,  0x64,  0x61,  0x70,  0x71,
    0x80,  0x92,  0x3f8, 0x2f8, 0x3e8, 0x2e8, 0x400, 0x402, 0x403, 0xe9,  0xf4,
    0x4d0, 0x4d1, 0x500, 0x501, 0x510, 0xcf8, 0xcfc, 0x3c0, 0x3c8, 0x3d4, 0xffff,
};

class DiscardingStreams : public v3::StreamProvider {
public:
    class Stream : public v3::HostStream {
    public:
        explicit Stream(bool full) : full_(full) {}
        v3::usize write(const v3::u8*, v3::usize size) override { return full_ ? 0 : size; }

    private:
        bool full_;
    };

    v3::Result<v3::OwnPtr<v3::HostStream>> open_stream(v3::StringView name,
                                                       v3::StreamSink& sink) override {
        // COM2's host side never has room: the UART's "host is full" path.
        bool com2 = name.length() == 4 && std::memcmp(name.data(), "com2", 4) == 0;
        (com2 ? com2_ : com1_) = &sink;
        return v3::OwnPtr<v3::HostStream>(new (v3::alloc) Stream(com2));
    }

    v3::StreamSink* com1_ = nullptr;
    v3::StreamSink* com2_ = nullptr;
};

// The text console's host side: screens are looked at (every cell read,
// so a bad snapshot shows up under the sanitizers) and dropped; scan codes
// the fuzzer queued go to the guest's keyboard.
class FuzzConsoles : public v3::ConsoleProvider {
public:
    class Console : public v3::HostConsole {
    public:
        explicit Console(FuzzConsoles& owner) : owner_(owner) {}
        void update(const v3_console_state& state) override {
            unsigned sum = 0;
            for (unsigned i = 0; i < unsigned(state.cols) * state.rows * 2; ++i)
                sum += state.cells[i];
            owner_.checksum += sum;
        }
        v3::usize read_keys(v3::u8* codes, v3::usize size) override {
            v3::usize n = 0;
            while (n < size && owner_.keys_taken < owner_.keys_count)
                codes[n++] = owner_.keys[owner_.keys_taken++];
            return n;
        }

    private:
        FuzzConsoles& owner_;
    };
    v3::Result<v3::OwnPtr<v3::HostConsole>> open_console() override {
        return v3::OwnPtr<v3::HostConsole>(new (v3::alloc) Console(*this));
    }
    v3::u8 keys[64] = {};
    v3::usize keys_count = 0, keys_taken = 0;
    unsigned checksum = 0;
};

struct FuzzVm {
    v3::OwnPtr<v3::Vm> vm;
    DiscardingStreams streams;
    FuzzConsoles consoles;
};

// Guest RAM as the hosted services give it costs a fresh mapping (and its
// page faults) per VM, which would dominate every input; this host keeps the
// blocks it hands out and zeroes them again instead, as a kernel's page
// allocator would hand out zeroed pages.
struct RecycledBlock {
    unsigned long pages;
    void* memory;
};
RecycledBlock g_free_blocks[4];
int g_free_count = 0;

v3_paddr_t recycled_allocate_guest_memory(unsigned long num_pages) {
    for (int i = 0; i < g_free_count; ++i) {
        if (g_free_blocks[i].pages != num_pages)
            continue;
        void* memory = g_free_blocks[i].memory;
        g_free_blocks[i] = g_free_blocks[--g_free_count];
        std::memset(memory, 0, num_pages * 4096);
        return reinterpret_cast<v3_paddr_t>(memory);
    }
    void* memory = std::aligned_alloc(4096, num_pages * 4096);
    if (memory)
        std::memset(memory, 0, num_pages * 4096);
    return reinterpret_cast<v3_paddr_t>(memory);
}

void recycled_free_guest_memory(v3_paddr_t paddr, unsigned long num_pages) {
    if (g_free_count < int(sizeof g_free_blocks / sizeof g_free_blocks[0]))
        g_free_blocks[g_free_count++] = {num_pages, reinterpret_cast<void*>(paddr)};
    else
        std::free(reinterpret_cast<void*>(paddr));
}

const v3::config::VmConfig& config() {
    static v3::config::VmConfig* parsed = [] {
        static v3_host_services host = v3::hosted::make_host_services();
        host.allocate_guest_memory = recycled_allocate_guest_memory;
        host.free_guest_memory = recycled_free_guest_memory;
        v3::set_host(&host);
        v3::config::Diagnostic diag{};
        auto result = v3::config::parse_vm_config(
            v3::StringView(kConfig, sizeof kConfig - 1), v3::devices::known_class_names(),
            v3::devices::validate_device_config, diag, v3::devices::test_class_names());
        if (result.is_error())
            __builtin_trap(); // the fixed config above must parse
        return new v3::config::VmConfig(result.release_value());
    }();
    return *parsed;
}

bool make(FuzzVm& out) {
    v3::config::Diagnostic diag{};
    v3::VmEnvironment env;
    env.streams = &out.streams;
    env.consoles = &out.consoles;
    auto vm = v3::Vm::try_create("fuzz", config(), env, diag);
    if (vm.is_error())
        return false;
    out.vm = vm.release_value();
    return true;
}

std::uint16_t pick_port(FuzzedDataProvider& in) {
    if (in.ConsumeIntegralInRange(0, 15) == 0)
        return in.ConsumeIntegral<std::uint16_t>();
    std::uint16_t base = kPortBases[in.ConsumeIntegralInRange<std::size_t>(
        0, sizeof kPortBases / sizeof kPortBases[0] - 1)];
    return std::uint16_t(base + in.ConsumeIntegralInRange(0, 7));
}

std::uint8_t pick_size(FuzzedDataProvider& in) {
    static constexpr std::uint8_t kSizes[] = {1, 2, 4};
    return kSizes[in.ConsumeIntegralInRange(0, 2)];
}

// One guest or host action; false when the VM would have fail-stopped.
bool step(FuzzVm& f, FuzzedDataProvider& in) {
    v3::Vm& vm = *f.vm;
    switch (in.ConsumeIntegralInRange(0, 9)) {
    case 0: {
        std::uint16_t port = pick_port(in);
        std::uint8_t size = pick_size(in);
        return !vm.io_ports().read(port, size).is_error();
    }
    case 1: {
        std::uint16_t port = pick_port(in);
        std::uint8_t size = pick_size(in);
        return !vm.io_ports().write(port, size, in.ConsumeIntegral<std::uint32_t>()).is_error();
    }
    case 2: {
        std::uint16_t port = pick_port(in);
        std::uint8_t size = pick_size(in);
        std::uint32_t count = in.ConsumeIntegralInRange<std::uint32_t>(1, 64);
        std::uint8_t buffer[64 * 4];
        if (in.ConsumeBool())
            return !vm.io_ports().read_string(port, size, count, buffer).is_error();
        for (std::uint32_t i = 0; i < count * size; ++i)
            buffer[i] = in.ConsumeIntegral<std::uint8_t>();
        return !vm.io_ports().write_string(port, size, count, buffer).is_error();
    }
    case 3: {
        static constexpr std::uint32_t kMmioSizes[] = {1, 2, 4, 8};
        std::uint64_t address = kMmioBase + in.ConsumeIntegralInRange<std::uint64_t>(0, kMmioSpan);
        std::uint32_t size = kMmioSizes[in.ConsumeIntegralInRange(0, 3)];
        std::uint8_t data[8];
        if (in.ConsumeBool())
            return !vm.memory_hooks().read(address, data, size).is_error();
        for (std::uint32_t i = 0; i < size; ++i)
            data[i] = in.ConsumeIntegral<std::uint8_t>();
        return !vm.memory_hooks().write(address, data, size).is_error();
    }
    case 4: {
        // Up to about 67 ms at once: many PIT periods, UART timeouts, an RTC
        // update now and then.
        std::uint64_t ns = in.ConsumeIntegralInRange<std::uint64_t>(0, 1ull << 26);
        return !vm.clock().advance(ns).is_error();
    }
    case 5: {
        v3::KeyboardEvent event{0, in.ConsumeIntegral<std::uint8_t>()};
        return !vm.host_events().deliver(event).is_error();
    }
    case 6: {
        v3::MouseEvent event{};
        for (std::uint8_t& b : event.data)
            b = in.ConsumeIntegral<std::uint8_t>();
        return !vm.host_events().deliver(event).is_error();
    }
    case 7: {
        std::uint8_t bytes[32];
        std::size_t n = in.ConsumeIntegralInRange<std::size_t>(1, sizeof bytes);
        for (std::size_t i = 0; i < n; ++i)
            bytes[i] = in.ConsumeIntegral<std::uint8_t>();
        switch (in.ConsumeIntegralInRange(0, 2)) {
        case 0:
        case 1: {
            v3::StreamSink* sink = in.ConsumeBool() ? f.streams.com1_ : f.streams.com2_;
            if (sink)
                sink->deliver(bytes, n);
            return true;
        }
        default: // scan codes typed at the text console
            f.consoles.keys_taken = 0;
            f.consoles.keys_count = n;
            std::memcpy(f.consoles.keys, bytes, n);
            return true;
        }
    }
    case 8:
        // The CPU takes what the interrupt controller offers (INTA).
        if (vm.irqs().interrupt_pending())
            return !vm.irqs().acknowledge().is_error();
        return true;
    default: {
        v3::TimerEvent event{in.ConsumeIntegralInRange<std::uint64_t>(0, 100000)};
        return !vm.host_events().deliver(event).is_error();
    }
    }
}

bool save(v3::Vm& vm, v3::Vector<v3::u8>& out) {
    v3::chkpt::Writer writer(out);
    return !vm.devices().save(writer).is_error();
}

void check_checkpoint_round_trip(v3::Vm& vm) {
    v3::Vector<v3::u8> first;
    if (!save(vm, first))
        __builtin_trap(); // saving a live VM's devices never fails
    FuzzVm copy;
    if (!make(copy))
        __builtin_trap();
    // A restore puts guest time back before the devices (their state is
    // relative to it), as v3_load will.
    if (vm.clock().now_ns() && copy.vm->clock().advance(vm.clock().now_ns()).is_error())
        __builtin_trap();
    v3::chkpt::Reader reader(first.begin(), first.size());
    auto loaded = copy.vm->devices().load(reader);
    if (loaded.is_error()) {
        // A checkpoint the devices just wrote must load.
        std::fprintf(stderr, "fuzz_devices: loading the devices' own checkpoint failed: %s\n",
                     loaded.error().message);
        __builtin_trap();
    }
    v3::Vector<v3::u8> second;
    if (!save(*copy.vm, second))
        __builtin_trap();
    if (first.size() != second.size() || std::memcmp(first.begin(), second.begin(), first.size())) {
        v3::usize at = 0;
        while (at < first.size() && at < second.size() && first[at] == second[at])
            ++at;
        std::fprintf(stderr,
                     "fuzz_devices: device state changed across save + load: %zu vs %zu bytes, "
                     "first difference at byte %zu\n",
                     first.size(), second.size(), at);
        __builtin_trap();
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzVm f;
    if (!make(f))
        __builtin_trap(); // the fixed config above must build
    FuzzedDataProvider in(data, size);
    bool alive = true;
    for (int steps = 0; alive && in.remaining_bytes() > 0 && steps < 4096; ++steps)
        alive = step(f, in);
    if (alive)
        check_checkpoint_round_trip(*f.vm);
    return 0;
}
