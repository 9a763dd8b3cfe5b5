#include "devices/pic_8259a.h"
#include "devices/registry.h"
#include "lib/log.h"
#include "vm/vm.h"

namespace v3::devices {

namespace {

constexpr u16 kMasterPorts = 0x20;
constexpr u16 kSlavePorts = 0xa0;
constexpr u16 kElcrPorts = 0x4d0;
constexpr u8 kSnapshotVersion = 1;

Result<void> claim_ports(Vm& vm, u16 first, u32 count, IoPortHandler& handler, const char* what,
                         const config::DeviceEntry& entry, config::Diagnostic& diag) {
    for (u32 port = first; port < first + count; ++port) {
        StringView owner = vm.io_ports().owner_of(u16(port));
        if (!owner.is_empty())
            return diag.fail(*entry.element,
                             "the 8259A needs I/O port 0x%x for its %s, but %.*s already has it",
                             port, what, int(owner.length()), owner.data());
    }
    return vm.io_ports().claim(first, count, handler, "8259A");
}

Result<bool> read_elcr_setting(const config::DeviceEntry& entry, config::Diagnostic& diag) {
    return config::read_bool(*entry.element, "elcr", true, diag);
}

Result<void> validate(const config::DeviceEntry& entry, const config::VmConfig&,
                      config::Diagnostic& diag) {
    TRY(read_elcr_setting(entry, diag));
    return {};
}

Result<OwnPtr<Device>> create(Vm& vm, const config::DeviceEntry& entry, config::Diagnostic& diag) {
    return Pic8259A::try_create(vm, entry, diag);
}

} // namespace

extern const DeviceClass k8259AClass;
const DeviceClass k8259AClass = {"8259A", validate, create};

Result<OwnPtr<Device>> Pic8259A::try_create(Vm& vm, const config::DeviceEntry& entry,
                                            config::Diagnostic& diag) {
    bool elcr = TRY(read_elcr_setting(entry, diag));
    OwnPtr<Pic8259A> pic(new (alloc) Pic8259A(vm, elcr));
    if (!pic)
        return make_error(Errno::NoMem, "out of memory for the 8259A");
    TRY(claim_ports(vm, kMasterPorts, 2, *pic, "master", entry, diag));
    TRY(claim_ports(vm, kSlavePorts, 2, *pic, "slave", entry, diag));
    if (elcr)
        TRY(claim_ports(vm, kElcrPorts, 2, *pic, "ELCR", entry, diag));
    TRY(vm.irqs().add_controller(*pic));
    return OwnPtr<Device>(move(pic));
}

Pic8259A::~Pic8259A() {
    vm_.io_ports().release(*this);
    vm_.irqs().remove_controller(*this);
}

void Pic8259A::set_line(u8 line, bool level) {
    if (line >= 16)
        return; // another controller's line (IOAPIC inputs 16-23)
    if (line == kCascadeLine) {
        // On the PC, IR2 of the master is the slave's INT output: no device
        // can drive it (the ISA bus's IRQ2 pin is wired to IRQ 9).
        if (!warned_irq2_)
            V3_WARN("v3vee: 8259A: a device drove IRQ 2, the cascade input; ignored "
                    "(ISA devices use IRQ 9)\n");
        warned_irq2_ = true;
        return;
    }
    if (line < 8) {
        master_.set_input(line, level);
    } else {
        slave_.set_input(line - 8u, level);
        update_cascade();
    }
}

Result<u8> Pic8259A::acknowledge() {
    int line = master_.pending_request();
    if (line < 0) {
        // The request went away before INTA: the 8259A answers with IR7's
        // vector and sets no ISR bit (a spurious IRQ 7).
        ++spurious_;
        return u8(master_.vector_base() | 7);
    }
    if (!master_.x86_mode())
        return make_error(Errno::NotSup,
                          "8259A master is in 8080/8085 mode (ICW1 without ICW4): an x86 CPU "
                          "cannot take its CALL-instruction interrupt acknowledge");
    if (!(unsigned(line) == kCascadeLine && master_.has_slave_on(kCascadeLine))) {
        master_.acknowledge(unsigned(line));
        vm_.irqs().note_acknowledged(u8(line));
        return u8(master_.vector_base() | line);
    }

    if (!slave_.x86_mode())
        return make_error(Errno::NotSup,
                          "8259A slave is in 8080/8085 mode (ICW1 without ICW4): an x86 CPU "
                          "cannot take its CALL-instruction interrupt acknowledge");
    // The master puts IR2 in service and lets the slave drive the vector.
    // A slave whose request vanished answers IR7 without setting its ISR,
    // while the master's IR2 stays in service (spurious IRQ 15: Linux sends
    // the master a specific EOI for IR2 after it).
    u8 vector;
    int slave_line = slave_.pending_request();
    if (slave_line < 0) {
        ++spurious_;
        vector = u8(slave_.vector_base() | 7);
    } else {
        slave_.acknowledge(unsigned(slave_line));
        vm_.irqs().note_acknowledged(u8(8 + slave_line));
        vector = u8(slave_.vector_base() | slave_line);
    }
    master_.acknowledge(kCascadeLine);
    // The slave's INT drops during the INTA cycle; a request it still has
    // (automatic EOI, special fully nested mode) is a fresh edge on IR2.
    master_.set_input(kCascadeLine, false);
    update_cascade();
    return vector;
}

bool Pic8259A::accepts(u8 line) const {
    if (line < 8)
        return !(master_.imr() & (1u << line));
    if (line >= 16)
        return false;
    return !(slave_.imr() & (1u << (line - 8))) && !(master_.imr() & (1u << kCascadeLine));
}

u8 Pic8259A::read_port(u16 port) {
    switch (port) {
    case kMasterPorts:
    case kMasterPorts + 1:
        return master_.read(port & 1);
    case kSlavePorts:
    case kSlavePorts + 1: {
        u8 value = slave_.read(port & 1);
        update_cascade(); // a poll read acknowledges on the slave
        return value;
    }
    case kElcrPorts:
        return has_elcr_ ? master_.elcr() : 0xff;
    case kElcrPorts + 1:
        return has_elcr_ ? slave_.elcr() : 0xff;
    default:
        return 0xff; // past the end of a range in a multi-byte access
    }
}

void Pic8259A::write_port(u16 port, u8 value) {
    switch (port) {
    case kMasterPorts:
    case kMasterPorts + 1: {
        u32 unmatched = master_.unmatched_eois();
        master_.write(port & 1, value);
        if (master_.unmatched_eois() != unmatched && unmatched < kUnmatchedEoisLogged)
            V3_INFO("v3vee: VM %s: 8259A master: specific EOI 0x%02x for a level not in "
                    "service (ISR 0x%02x): the guest ended one interrupt twice\n",
                    vm_.name_cstr(), value, master_.isr());
        // ICW1 resets the master's edge sense; the cascade input is re-driven.
        update_cascade();
        break;
    }
    case kSlavePorts:
    case kSlavePorts + 1:
        slave_.write(port & 1, value);
        update_cascade();
        break;
    case kElcrPorts:
        if (has_elcr_)
            master_.write_elcr(value);
        break;
    case kElcrPorts + 1:
        if (has_elcr_) {
            slave_.write_elcr(value);
            update_cascade();
        }
        break;
    default:
        break;
    }
}

Result<void> Pic8259A::save(chkpt::Writer& w) const {
    TRY(w.u8_(kSnapshotVersion));
    TRY(master_.save(w));
    TRY(slave_.save(w));
    return {};
}

Result<void> Pic8259A::load(chkpt::Reader& r) {
    if (TRY(r.u8_()) != kSnapshotVersion)
        return make_error(Errno::Inval, "8259A pair snapshot has an unknown version");
    // Load into copies so a bad snapshot leaves the running state intact.
    Pic8259Chip master(true), slave(false);
    TRY(master.load(r));
    TRY(slave.load(r));
    if (!has_elcr_ && (master.elcr() || slave.elcr()))
        return make_error(Errno::Inval,
                          "8259A snapshot sets ELCR bits but this VM's 8259A has no ELCR");
    master_ = master;
    slave_ = slave;
    return {};
}

} // namespace v3::devices
