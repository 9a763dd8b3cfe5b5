#include "devices/pit_8254_channel.h"

namespace v3::devices {

namespace {

constexpr u8 kSnapshotVersion = 1;

Result<void> invalid(const char* message) {
    return make_error(Errno::Inval, message);
}

} // namespace

PitChannel::PitChannel(bool gate) : gate_(gate) {}

unsigned PitChannel::mode() const {
    unsigned m = (control_ >> 1) & 7;
    return m >= 6 ? m - 4 : m;
}

u32 PitChannel::count_value() const {
    u32 n = count_register_;
    if (bcd()) {
        // Four decimal digits; a nibble above 9 still weighs its place, as
        // the chip's decade counters would make of it.
        n = (n >> 12) * 1000 + ((n >> 8) & 15) * 100 + ((n >> 4) & 15) * 10 + (n & 15);
        n %= 10000;
    }
    return n ? n : modulus();
}

u16 PitChannel::register_value(u32 count) const {
    count %= modulus();
    if (!bcd())
        return u16(count);
    return u16((count / 1000) << 12 | (count / 100 % 10) << 8 | (count / 10 % 10) << 4 |
               (count % 10));
}

u32 PitChannel::element_at(u64 now) const {
    if (!counting_ || now < epoch_)
        return held_element_;
    u64 d = now - epoch_;
    u32 m = modulus();
    u32 n = epoch_value_;
    switch (mode()) {
    case 2: // N, N-1, ..., 1, then N again
        return u32((n - d % n) % m);
    case 3: {
        // Even N: down by two each clock, N/2 clocks high then N/2 low.
        // Odd N: the first clock after a load takes 1 (high half) or 3 (low
        // half), then two per clock; (N+1)/2 clocks high, (N-1)/2 low.
        u64 p = (d + phase_offset_) % n;
        if (n % 2 == 0) {
            u64 q = p < n / 2 ? p : p - n / 2;
            return u32((n - 2 * q) % m);
        }
        u32 high = (n + 1) / 2;
        if (p < high)
            return p == 0 ? n % m : u32(n + 1 - 2 * p);
        u64 q = p - high;
        return q == 0 ? n % m : u32(n - 1 - 2 * q);
    }
    default: // down by one each clock, wrapping past zero
        return u32((epoch_value_ + m - d % m) % m);
    }
}

bool PitChannel::out(u64 now) const {
    if (!counting_ || now < epoch_)
        return held_out_;
    u64 d = now - epoch_;
    u32 n = epoch_value_;
    switch (mode()) {
    case 0: // low until the terminal count, then high until reprogrammed
        return epoch_out_ || (remaining_ && d >= remaining_);
    case 1: // low from the trigger's load until the terminal count
        return !(remaining_ && d < remaining_);
    case 2: // low for the one clock the element holds 1 (N = 1 is illegal)
        return n < 2 || d % n != n - 1;
    case 3:
        return (d + phase_offset_) % n < (n + 1) / 2;
    default: // 4, 5: low for the one clock at the terminal count
        return !(remaining_ && d == remaining_);
    }
}

u64 PitChannel::rising_edges(u64 from, u64 to) const {
    if (!counting_ || to <= from || to < epoch_)
        return 0;
    u64 edges = 0;
    u64 d0 = 0;
    if (from < epoch_) {
        if (!held_out_ && out(epoch_))
            ++edges;
    } else {
        d0 = from - epoch_;
    }
    u64 d1 = to - epoch_;
    u32 n = epoch_value_;
    switch (mode()) {
    case 0:
        if (!epoch_out_ && remaining_ && d0 < remaining_ && remaining_ <= d1)
            ++edges;
        break;
    case 1:
        if (remaining_ && d0 < remaining_ && remaining_ <= d1)
            ++edges;
        break;
    case 2:
    case 3:
        // One rising edge at the end of every period.
        if (n >= 2) {
            u64 offset = mode() == 3 ? phase_offset_ : 0;
            edges += (d1 + offset) / n - (d0 + offset) / n;
        }
        break;
    default: {
        u64 rise = u64(remaining_) + 1;
        if (remaining_ && d0 < rise && rise <= d1)
            ++edges;
        break;
    }
    }
    return edges;
}

u64 PitChannel::run(u64 from, u64 to) {
    if (to <= from)
        return 0;
    u64 edges = 0;
    if (boundary_pending_ && boundary_ <= to) {
        if (boundary_ > from) {
            edges += rising_edges(from, boundary_);
            from = boundary_;
        }
        apply_boundary();
    }
    return edges + rising_edges(from, to);
}

u64 PitChannel::next_rising_edge(u64 from) const {
    // Every mode makes its next edge within a pending boundary's period, a
    // next-clock load and one full period of the largest count; a counter
    // without an edge by then (mode 0 after its terminal count, a counter
    // not counting) makes none until the guest reprograms it.
    constexpr u64 kHorizon = 3 * 65536 + 2;
    auto edges_until = [&](u64 to) {
        PitChannel probe = *this; // run() applies boundaries: use a copy
        return probe.run(from, to);
    };
    u64 none = from, some = from + kHorizon;
    if (edges_until(some) == 0)
        return kNoEdge;
    // The edge count up to t never decreases with t: bisect for its first
    // step.
    while (some - none > 1) {
        u64 mid = none + (some - none) / 2;
        if (edges_until(mid))
            some = mid;
        else
            none = mid;
    }
    return some;
}

// The counting element is 16 bits; the model keeps it as a number in the
// current counting mode. A control word that switches between binary and
// BCD leaves the bits alone, so the number is what those bits mean in the
// new mode (a nibble above 9 counts as its value, as the counter's decade
// logic then does).
static u32 reinterpret_element(u32 element, bool from_bcd, bool to_bcd) {
    if (from_bcd == to_bcd)
        return element;
    if (to_bcd) {
        u32 bits = element & 0xffff;
        return ((bits >> 12) * 1000 + (bits >> 8 & 0xf) * 100 + (bits >> 4 & 0xf) * 10 +
                (bits & 0xf)) %
               10000;
    }
    return (element / 1000 % 10) << 12 | (element / 100 % 10) << 8 | (element / 10 % 10) << 4 |
           (element % 10);
}

void PitChannel::write_control(u8 control, u64 now) {
    const bool was_bcd = bcd();
    held_element_ = element_at(now);
    control_ = control & 0x3f;
    held_element_ = reinterpret_element(held_element_, was_bcd, bcd());
    // A control word resets the counter's logic: counting stops until a
    // count is written, and OUT takes the mode's initial level.
    counting_ = false;
    held_out_ = mode() != 0;
    boundary_pending_ = false;
    have_count_ = false;
    cr_pending_ = true;
    null_until_ = 0;
    write_msb_next_ = false;
    read_msb_next_ = false;
    count_latched_ = false;
    status_latched_ = false;
    remaining_ = 0;
    epoch_out_ = false;
    phase_offset_ = 0;
}

void PitChannel::latch_count(u64 now) {
    // A second latch before the first was read is ignored.
    if (count_latched_)
        return;
    latched_count_ = register_value(element_at(now));
    count_latched_ = true;
}

void PitChannel::latch_status(u64 now) {
    if (status_latched_)
        return;
    latched_status_ = u8((out(now) ? 0x80 : 0) | (null_count(now) ? 0x40 : 0) | control_);
    status_latched_ = true;
}

u8 PitChannel::read(u64 now) {
    // A latched status is read first, then a latched count, else the live
    // counting element.
    if (status_latched_) {
        status_latched_ = false;
        return latched_status_;
    }
    u16 value = count_latched_ ? latched_count_ : register_value(element_at(now));
    switch (access()) {
    case 1:
        count_latched_ = false;
        return u8(value);
    case 2:
        count_latched_ = false;
        return u8(value >> 8);
    default:
        // LSB then MSB; a latch is released once both were read.
        if (!read_msb_next_) {
            read_msb_next_ = true;
            return u8(value);
        }
        read_msb_next_ = false;
        count_latched_ = false;
        return u8(value >> 8);
    }
}

void PitChannel::write_count(u8 value, u64 now) {
    switch (access()) {
    case 1:
        count_register_ = value;
        break;
    case 2:
        count_register_ = u16(value << 8);
        break;
    default:
        if (!write_msb_next_) {
            written_lsb_ = value;
            write_msb_next_ = true;
            // Mode 0: the first byte stops counting and sets OUT low.
            if (mode() == 0) {
                freeze(now);
                held_out_ = false;
                epoch_out_ = false;
            }
            return;
        }
        write_msb_next_ = false;
        count_register_ = u16(written_lsb_ | value << 8);
        break;
    }
    count_written(now);
}

void PitChannel::count_written(u64 now) {
    bool first = !have_count_;
    have_count_ = true;
    cr_pending_ = true;
    switch (mode()) {
    case 0:
        load_next_clock(now, false);
        break;
    case 4:
        load_next_clock(now, out(now));
        break;
    case 1:
    case 5:
        break; // the next trigger on GATE loads it
    default:
        if (first || !counting_) {
            if (gate_)
                load_next_clock(now, true);
            // With GATE low the count is loaded on GATE's rising edge.
        } else if (now < epoch_) {
            // The load clock has not come yet: it takes the newest count.
            epoch_value_ = count_value();
            cr_pending_ = false;
        } else if (!boundary_pending_) {
            schedule_boundary(now);
        }
        break;
    }
}

void PitChannel::load_next_clock(u64 now, bool out_until_then) {
    u32 n = count_value();
    held_element_ = element_at(now);
    held_out_ = out_until_then;
    cr_pending_ = false;
    null_until_ = now + 1;
    boundary_pending_ = false;
    if (mode() == 2 || mode() == 3) {
        epoch_value_ = n;
        phase_offset_ = 0;
    } else {
        epoch_value_ = n % modulus();
        remaining_ = n;
        epoch_out_ = false;
    }
    if (gate_) {
        counting_ = true;
        epoch_ = now + 1;
    } else {
        // Modes 0 and 4 with GATE low: loaded, but not counting until GATE
        // rises (the load itself is taken as immediate).
        counting_ = false;
        held_element_ = epoch_value_;
    }
}

void PitChannel::freeze(u64 now) {
    if (!counting_)
        return;
    u32 element = element_at(now);
    bool level = out(now);
    if (now >= epoch_) {
        u64 d = now - epoch_;
        if (remaining_)
            remaining_ = d < remaining_ ? u32(remaining_ - d) : 0;
    } else {
        // Stopped before the load clock: take the load as done.
        element = epoch_value_ % modulus();
    }
    held_element_ = element;
    held_out_ = level;
    epoch_out_ = level;
    counting_ = false;
}

void PitChannel::resume(u64 now) {
    // Mode 0 between the two bytes of a count does not count.
    if (counting_ || !have_count_ || (mode() == 0 && write_msb_next_))
        return;
    counting_ = true;
    epoch_ = now;
    epoch_value_ = held_element_;
    epoch_out_ = held_out_;
}

void PitChannel::set_gate(bool level, u64 now) {
    if (level == gate_)
        return;
    gate_ = level;
    switch (mode()) {
    case 0:
    case 4: // GATE enables counting
        if (level)
            resume(now);
        else
            freeze(now);
        break;
    case 2:
    case 3:
        // GATE low stops counting and forces OUT high; its rising edge
        // reloads the count on the next clock.
        if (!level) {
            if (counting_) {
                freeze(now);
                held_out_ = true;
                boundary_pending_ = false;
            }
        } else if (have_count_) {
            load_next_clock(now, true);
        }
        break;
    default: // 1, 5: GATE's rising edge triggers (and retriggers)
        if (level && have_count_)
            load_next_clock(now, out(now));
        break;
    }
}

void PitChannel::schedule_boundary(u64 now) {
    u64 d = now - epoch_;
    u32 n = epoch_value_;
    if (mode() == 2) {
        boundary_ = epoch_ + (d / n + 1) * n;
        boundary_starts_low_ = false;
    } else {
        u64 position = d + phase_offset_;
        u64 cycle_start = position - position % n;
        u32 high = (n + 1) / 2;
        u64 end;
        if (position % n < high) {
            end = cycle_start + high;
            boundary_starts_low_ = true;
        } else {
            end = cycle_start + n;
            boundary_starts_low_ = false;
        }
        boundary_ = epoch_ + (end - phase_offset_);
    }
    boundary_pending_ = true;
}

void PitChannel::apply_boundary() {
    boundary_pending_ = false;
    cr_pending_ = false;
    epoch_ = boundary_;
    epoch_value_ = count_value();
    // Mode 3 reloads at a half-period end: the new period starts its low
    // half, (N+1)/2 clocks in. A count of 1 has no low half, so its period
    // starts over (the offset is kept below N, as load() requires).
    phase_offset_ =
        (mode() == 3 && boundary_starts_low_) ? ((epoch_value_ + 1) / 2) % epoch_value_ : 0;
}

Result<void> PitChannel::save(chkpt::Writer& w) const {
    TRY(w.u8_(kSnapshotVersion));
    TRY(w.u8_(control_));
    TRY(w.u16_(count_register_));
    TRY(w.u8_(written_lsb_));
    TRY(w.bool_(write_msb_next_));
    TRY(w.bool_(read_msb_next_));
    TRY(w.bool_(have_count_));
    TRY(w.bool_(cr_pending_));
    TRY(w.u64_(null_until_));
    TRY(w.bool_(count_latched_));
    TRY(w.u16_(latched_count_));
    TRY(w.bool_(status_latched_));
    TRY(w.u8_(latched_status_));
    TRY(w.bool_(gate_));
    TRY(w.bool_(counting_));
    TRY(w.u64_(epoch_));
    TRY(w.u32_(epoch_value_));
    TRY(w.u32_(remaining_));
    TRY(w.bool_(epoch_out_));
    TRY(w.u32_(phase_offset_));
    TRY(w.u32_(held_element_));
    TRY(w.bool_(held_out_));
    TRY(w.bool_(boundary_pending_));
    TRY(w.bool_(boundary_starts_low_));
    TRY(w.u64_(boundary_));
    return {};
}

Result<void> PitChannel::load(chkpt::Reader& r, u64 now) {
    if (TRY(r.u8_()) != kSnapshotVersion)
        return invalid("8254 counter snapshot has an unknown version");
    PitChannel c;
    c.control_ = TRY(r.u8_());
    c.count_register_ = TRY(r.u16_());
    c.written_lsb_ = TRY(r.u8_());
    c.write_msb_next_ = TRY(r.bool_());
    c.read_msb_next_ = TRY(r.bool_());
    c.have_count_ = TRY(r.bool_());
    c.cr_pending_ = TRY(r.bool_());
    c.null_until_ = TRY(r.u64_());
    c.count_latched_ = TRY(r.bool_());
    c.latched_count_ = TRY(r.u16_());
    c.status_latched_ = TRY(r.bool_());
    c.latched_status_ = TRY(r.u8_());
    c.gate_ = TRY(r.bool_());
    c.counting_ = TRY(r.bool_());
    c.epoch_ = TRY(r.u64_());
    c.epoch_value_ = TRY(r.u32_());
    c.remaining_ = TRY(r.u32_());
    c.epoch_out_ = TRY(r.bool_());
    c.phase_offset_ = TRY(r.u32_());
    c.held_element_ = TRY(r.u32_());
    c.held_out_ = TRY(r.bool_());
    c.boundary_pending_ = TRY(r.bool_());
    c.boundary_starts_low_ = TRY(r.bool_());
    c.boundary_ = TRY(r.u64_());

    if (c.control_ & 0xc0)
        return invalid("8254 counter snapshot: control bits past the mode/access field");
    if (c.access() == 0)
        return invalid("8254 counter snapshot: access mode 00 is the latch command, not a mode");
    u32 m = c.modulus();
    bool periodic = c.mode() == 2 || c.mode() == 3;
    if (c.held_element_ >= m || c.remaining_ > m || c.null_until_ > now + 1)
        return invalid("8254 counter snapshot: counting element out of range");
    if (c.counting_) {
        if (c.epoch_ > now + 1)
            return invalid("8254 counter snapshot: counting starts in the future");
        if (periodic
                ? (c.epoch_value_ < 1 || c.epoch_value_ > m || c.phase_offset_ >= c.epoch_value_)
                : c.epoch_value_ >= m)
            return invalid("8254 counter snapshot: period or count out of range");
    }
    if (c.boundary_pending_ && (!c.counting_ || !periodic || c.boundary_ <= now))
        return invalid("8254 counter snapshot: a pending reload that cannot happen");
    *this = c;
    return {};
}

} // namespace v3::devices
