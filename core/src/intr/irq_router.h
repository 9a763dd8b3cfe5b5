// IRQ lines from devices to the interrupt controllers (Palacios' intr
// routers). A device raises or lowers a line; every registered controller
// (the 8259A pair now, the IOAPIC later) sees it. The CPU backend asks the
// router whether an interrupt is pending and acknowledges it (INTA), which
// yields the vector to inject.
#pragma once

#include "lib/result.h"
#include "lib/vector.h"

namespace v3 {

inline constexpr unsigned kMaxIrqLines = 256;

class InterruptController {
public:
    virtual ~InterruptController() = default;
    virtual void raise_irq(u8 line) = 0;
    virtual void lower_irq(u8 line) = 0;
    // Whether the controller has an interrupt for the CPU.
    virtual bool interrupt_pending() const = 0;
    // INTA: the vector to inject, moving the request into service. A
    // controller names the line it put in service with
    // IrqRouter::note_acknowledged (acknowledge listeners run after it).
    virtual Result<u8> acknowledge() = 0;
    // Whether a request on `line` can reach the CPU through this
    // controller (not masked); a source that owes interrupts stops owing
    // them while nothing would deliver them.
    virtual bool accepts(u8 line) const {
        (void)line;
        return true;
    }
};

// Told when the CPU takes (INTA) an interrupt that came from a line: what
// a timer that reinjects ticks the guest could not take waits for.
class IrqAckListener {
public:
    virtual ~IrqAckListener() = default;
    virtual void irq_acknowledged(u8 line) = 0;
};

class IrqRouter {
public:
    Result<void> add_controller(InterruptController& controller);
    void remove_controller(InterruptController& controller);

    // Level changes: raising a raised line or lowering a low one is a no-op
    // for the record, but still reaches the controllers (edge logic is theirs).
    void raise(u8 line);
    void lower(u8 line);
    // A pulse (raise then lower), for edge-triggered sources.
    void pulse(u8 line);

    bool is_raised(u8 line) const { return (levels_[line / 64] >> (line % 64)) & 1; }
    // Every line's level, to put a VM back as it was created (relaunch).
    struct Levels {
        u64 bits[kMaxIrqLines / 64] = {};
    };
    Levels levels() const;
    void restore_levels(const Levels& levels);
    bool interrupt_pending() const;
    // INTA through the controller that has the interrupt; then tells the
    // listeners of the line it put in service.
    Result<u8> acknowledge();
    // From a controller's acknowledge(): `line` went into service.
    void note_acknowledged(u8 line) { acknowledged_line_ = int(line); }
    // Whether any controller would deliver a request on `line`.
    bool line_accepted(u8 line) const;

    Result<void> add_ack_listener(u8 line, IrqAckListener& listener);
    void remove_ack_listener(IrqAckListener& listener);

    // Called after every raise (pulses included), from whichever thread
    // raised the line: the VM wakes its cores with it, so an interrupt
    // reaches a halted or running guest at once.
    void set_raise_notify(void (*fn)(void* arg), void* arg) {
        notify_ = fn;
        notify_arg_ = arg;
    }

private:
    Vector<InterruptController*> controllers_;
    struct AckListener {
        u8 line;
        IrqAckListener* listener;
    };
    Vector<AckListener> ack_listeners_;
    int acknowledged_line_ = -1;
    void (*notify_)(void* arg) = nullptr;
    void* notify_arg_ = nullptr;
    u64 levels_[kMaxIrqLines / 64] = {};
};

} // namespace v3
