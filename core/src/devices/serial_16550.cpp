#include "devices/serial_16550.h"

#include "config/text_arg.h"
#include "vm/vm.h"

namespace v3::devices {

extern const DeviceClass kSerialClass;
const DeviceClass kSerialClass = {"SERIAL", Serial16550::validate, Serial16550::create};

namespace {

// The bus keeps the owner's name: static storage.
constexpr const char* kOwnerNames[kSerialPortCount] = {"SERIAL COM1", "SERIAL COM2", "SERIAL COM3",
                                                       "SERIAL COM4"};

Result<unsigned> read_com_port(const xml::Element& frontend, config::Diagnostic& diag) {
    u64 com_port =
        TRY(config::read_unsigned(frontend, "com_port", 1, kSerialPortCount, 0, true, diag));
    return unsigned(com_port);
}

} // namespace

// Every <frontend> in the configuration that names this device must pick a
// distinct COM port 1-4, so a bad attachment is refused before any VM exists.
Result<void> Serial16550::validate(const config::DeviceEntry& entry, const config::VmConfig& config,
                                   config::Diagnostic& diag) {
    const config::DeviceEntry* users[kSerialPortCount] = {};
    for (const config::DeviceEntry& other : config.devices) {
        for (const xml::Element* child = other.element->first_child(); child;
             child = child->next_sibling()) {
            if (!(child->name() == "frontend"))
                continue;
            StringView tag = TRY(config::read_string(*child, "tag", false, diag));
            if (!(tag == entry.id))
                continue;
            unsigned com_port = TRY(read_com_port(*child, diag));
            if (users[com_port - 1])
                return diag.fail(
                    *child, "COM%u of serial device '%s' is already attached to device '%s'",
                    com_port, TextArg(entry.id).c_str(), TextArg(users[com_port - 1]->id).c_str());
            users[com_port - 1] = &other;
        }
    }
    return {};
}

Result<OwnPtr<Device>> Serial16550::create(Vm& vm, const config::DeviceEntry& entry,
                                           config::Diagnostic& diag) {
    OwnPtr<Serial16550> serial(new (alloc) Serial16550(vm));
    if (!serial)
        return make_error(Errno::NoMem, "out of memory for the SERIAL device");
    for (unsigned i = 0; i < kSerialPortCount; ++i) {
        const SerialPortLayout& layout = kSerialPorts[i];
        auto claimed =
            vm.io_ports().claim(layout.base, uart::kRegisterCount, *serial, kOwnerNames[i]);
        if (claimed.is_error()) {
            StringView owner;
            for (u16 p = 0; p < uart::kRegisterCount && owner.is_empty(); ++p)
                owner = vm.io_ports().owner_of(u16(layout.base + p));
            return diag.fail(*entry.element, "cannot claim COM%u ports 0x%x-0x%x: %s%s%s", i + 1,
                             layout.base, layout.base + uart::kRegisterCount - 1,
                             claimed.error().message, owner.is_empty() ? "" : ", owned by ",
                             TextArg(owner).c_str());
        }
    }
    if (auto subscribed = vm.clock().subscribe(*serial); subscribed.is_error())
        return subscribed.error();
    return OwnPtr<Device>(serial.leak());
}

Serial16550::Serial16550(Vm& vm)
    : vm_(vm), uarts_{{vm.clock(), *this},
                      {vm.clock(), *this},
                      {vm.clock(), *this},
                      {vm.clock(), *this}} {}

Serial16550::~Serial16550() {
    vm_.io_ports().release(*this);
    vm_.clock().unsubscribe(*this);
}

unsigned Serial16550::port_index(const IoAccess& access) const {
    u16 base = u16(access.port - access.offset);
    for (unsigned i = 0; i < kSerialPortCount; ++i)
        if (kSerialPorts[i].base == base)
            return i;
    return 0; // unreachable: only our own ranges reach us
}

// A wider access is split into byte cycles at consecutive registers, as the
// ISA bus does for an 8-bit device; bytes past the eighth register float.
Result<u32> Serial16550::io_read(const IoAccess& access) {
    Uart16550& uart = uarts_[port_index(access)];
    u32 value = 0;
    for (unsigned i = 0; i < access.size; ++i) {
        unsigned offset = access.offset + i;
        u8 byte = offset < uart::kRegisterCount ? uart.read(u8(offset)) : 0xff;
        value |= u32(byte) << (8 * i);
    }
    return value;
}

Result<void> Serial16550::io_write(const IoAccess& access, u32 value) {
    Uart16550& uart = uarts_[port_index(access)];
    for (unsigned i = 0; i < access.size; ++i) {
        unsigned offset = access.offset + i;
        if (offset < uart::kRegisterCount)
            uart.write(u8(offset), u8(value >> (8 * i)));
    }
    return {};
}

Result<void> Serial16550::advance_time(u64, u64 now_ns) {
    for (Uart16550& uart : uarts_)
        uart.advance_time(now_ns);
    return {};
}

u64 Serial16550::next_event_ns(u64 now_ns) const {
    u64 earliest = kNoTimeEvent;
    for (const Uart16550& uart : uarts_) {
        u64 event = uart.next_event_ns();
        if (event < earliest)
            earliest = event;
    }
    return earliest > now_ns ? earliest : now_ns + 1;
}

void Serial16550::uart_interrupt_changed() {
    if (restoring_)
        return;
    bool level[16] = {};
    for (unsigned i = 0; i < kSerialPortCount; ++i)
        level[kSerialPorts[i].irq] |= uarts_[i].irq_output();
    for (unsigned i = 0; i < kSerialPortCount; ++i) {
        u8 irq = kSerialPorts[i].irq;
        if (level[irq] == line_raised_[irq])
            continue;
        line_raised_[irq] = level[irq];
        if (level[irq])
            vm_.irqs().raise(irq);
        else
            vm_.irqs().lower(irq);
    }
}

Result<CharFrontend*> Serial16550::attach_char_backend(const xml::Element& frontend,
                                                       CharBackend& backend,
                                                       config::Diagnostic& diag) {
    unsigned com_port = TRY(read_com_port(frontend, diag));
    Uart16550& uart = uarts_[com_port - 1];
    if (uart.backend())
        return diag.fail(frontend, "COM%u of serial device '%s' already has a backend attached",
                         com_port, TextArg(id()).c_str());
    uart.set_backend(&backend);
    return static_cast<CharFrontend*>(&uart);
}

namespace {
constexpr u8 kSnapshotVersion = 1;
}

Result<void> Serial16550::save(chkpt::Writer& writer) const {
    TRY(writer.u8_(kSnapshotVersion));
    for (const Uart16550& uart : uarts_)
        TRY(uart.save(writer));
    return {};
}

Result<void> Serial16550::load(chkpt::Reader& reader) {
    u8 version = TRY(reader.u8_());
    if (version != kSnapshotVersion)
        return make_error(Errno::Inval, "serial snapshot has an unknown version");
    Uart16550::Snapshot snapshots[kSerialPortCount];
    for (Uart16550::Snapshot& snapshot : snapshots)
        snapshot = TRY(Uart16550::read_snapshot(reader));
    // The lines follow the restored state once, not each UART in turn (a
    // shared line must not glitch between two UARTs' restores).
    restoring_ = true;
    for (unsigned i = 0; i < kSerialPortCount; ++i)
        uarts_[i].restore(snapshots[i]);
    restoring_ = false;
    uart_interrupt_changed();
    return {};
}

} // namespace v3::devices
