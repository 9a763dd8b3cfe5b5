#include "intr/irq_router.h"

namespace v3 {

Result<void> IrqRouter::add_controller(InterruptController& controller) {
    if (!controllers_.try_append(&controller))
        return make_error(Errno::NoMem, "out of memory for an interrupt controller");
    return {};
}

void IrqRouter::remove_controller(InterruptController& controller) {
    for (usize i = controllers_.size(); i > 0; --i)
        if (controllers_[i - 1] == &controller)
            controllers_.remove(i - 1);
}

IrqRouter::Levels IrqRouter::levels() const {
    Levels out;
    for (unsigned i = 0; i < kMaxIrqLines / 64; ++i)
        out.bits[i] = levels_[i];
    return out;
}

void IrqRouter::restore_levels(const Levels& levels) {
    for (unsigned i = 0; i < kMaxIrqLines / 64; ++i)
        levels_[i] = levels.bits[i];
}

void IrqRouter::raise(u8 line) {
    levels_[line / 64] |= u64(1) << (line % 64);
    for (InterruptController* c : controllers_)
        c->raise_irq(line);
    if (notify_)
        notify_(notify_arg_);
}

void IrqRouter::lower(u8 line) {
    levels_[line / 64] &= ~(u64(1) << (line % 64));
    for (InterruptController* c : controllers_)
        c->lower_irq(line);
}

void IrqRouter::pulse(u8 line) {
    raise(line);
    lower(line);
}

bool IrqRouter::interrupt_pending() const {
    for (InterruptController* c : controllers_)
        if (c->interrupt_pending())
            return true;
    return false;
}

Result<u8> IrqRouter::acknowledge() {
    for (InterruptController* c : controllers_) {
        if (!c->interrupt_pending())
            continue;
        acknowledged_line_ = -1;
        auto vector = c->acknowledge();
        int line = acknowledged_line_;
        acknowledged_line_ = -1;
        // After the controller finished its INTA cycle: a listener may raise
        // the line again (the request then waits behind the one in service).
        if (line >= 0)
            for (const AckListener& l : ack_listeners_)
                if (l.line == u8(line))
                    l.listener->irq_acknowledged(u8(line));
        return vector;
    }
    return make_error(Errno::NoEnt, "no interrupt is pending");
}

bool IrqRouter::line_accepted(u8 line) const {
    for (InterruptController* c : controllers_)
        if (c->accepts(line))
            return true;
    return false;
}

Result<void> IrqRouter::add_ack_listener(u8 line, IrqAckListener& listener) {
    if (!ack_listeners_.try_append(AckListener{line, &listener}))
        return make_error(Errno::NoMem, "out of memory for an interrupt acknowledge listener");
    return {};
}

void IrqRouter::remove_ack_listener(IrqAckListener& listener) {
    for (usize i = ack_listeners_.size(); i > 0; --i)
        if (ack_listeners_[i - 1].listener == &listener)
            ack_listeners_.remove(i - 1);
}

} // namespace v3
