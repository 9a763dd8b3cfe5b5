// One counter of an Intel 8254 programmable interval timer: the control
// word, count register, read/write flip-flops, count and status latches,
// the GATE input and the counting element in all six modes, binary or BCD.
//
// Time is in input-clock ticks (the caller converts guest time). Instead of
// stepping tick by tick, a counting element is described from an "epoch":
// the tick at which it held a known value, from which its value and OUT at
// any later tick follow by arithmetic until the guest changes something. So
// an hour of guest time costs the same as a microsecond.
#pragma once

#include "chkpt/snapshot.h"
#include "lib/result.h"

namespace v3::devices {

class PitChannel {
public:
    // Power-on: mode 3, LSB then MSB, binary, no count (not counting, OUT
    // high). `gate` is the GATE input (tied high on channels 0 and 1).
    explicit PitChannel(bool gate = true);

    // A control word addressed to this counter (RW bits not 00).
    void write_control(u8 control, u64 now);
    // Counter latch command (control word with RW = 00) and read-back.
    void latch_count(u64 now);
    void latch_status(u64 now);
    void write_count(u8 value, u64 now);
    u8 read(u64 now);

    bool gate() const { return gate_; }
    void set_gate(bool level, u64 now);

    bool out(u64 now) const;
    // Moves the counter from tick `from` to `to` (applying a new count that
    // takes effect at a period boundary on the way) and returns how many
    // rising edges OUT made in (from, to].
    u64 run(u64 from, u64 to);
    // The first tick t > from at which OUT makes a rising edge (what run()
    // would count in (from, t]) if the guest changes nothing, or kNoEdge.
    static constexpr u64 kNoEdge = ~u64(0);
    u64 next_rising_edge(u64 from) const;

    // The effective mode (0-5; the control word's 6 and 7 are modes 2 and 3).
    unsigned mode() const;
    // Input clocks per OUT period in the periodic modes (2 and 3) once a
    // count was written, else 0.
    u32 period() const { return (mode() == 2 || mode() == 3) && have_count_ ? count_value() : 0; }

    Result<void> save(chkpt::Writer& writer) const;
    Result<void> load(chkpt::Reader& reader, u64 now);

private:
    bool bcd() const { return control_ & 1; }
    unsigned access() const { return (control_ >> 4) & 3; }
    u32 modulus() const { return bcd() ? 10000 : 65536; }
    // The count register as a number of input clocks (0 means the modulus).
    u32 count_value() const;
    u16 register_value(u32 count) const;
    u32 element_at(u64 now) const;
    u64 rising_edges(u64 from, u64 to) const;
    bool null_count(u64 now) const { return cr_pending_ || now < null_until_; }

    void count_written(u64 now);
    // The counting element takes count_value() on the next clock and counts.
    void load_next_clock(u64 now, bool out_until_then);
    void freeze(u64 now);
    void resume(u64 now);
    void schedule_boundary(u64 now);
    void apply_boundary();

    // Programming (the control word's low six bits, as the status byte shows
    // them) and the count register.
    u8 control_ = 0x36;
    u16 count_register_ = 0;
    u8 written_lsb_ = 0;
    bool write_msb_next_ = false;
    bool read_msb_next_ = false;
    bool have_count_ = false; // a complete count was written since the control word
    bool cr_pending_ = false; // the count register has not reached the element yet
    u64 null_until_ = 0;      // a next-clock load: null count until this tick

    bool count_latched_ = false;
    u16 latched_count_ = 0;
    bool status_latched_ = false;
    u8 latched_status_ = 0;

    bool gate_;

    // The counting element. While counting (and from the epoch on) its value
    // and OUT follow from these; before the epoch and while not counting
    // they are held_element_/held_out_.
    bool counting_ = false;
    u64 epoch_ = 0;
    // Modes 0, 1, 4, 5: the element's value at the epoch (0 .. modulus-1).
    // Modes 2, 3: the period N in clocks (1 .. modulus).
    u32 epoch_value_ = 0;
    // Modes 0, 1, 4, 5: clocks from the epoch (or, when not counting, from
    // the resumption) to the terminal count; 0 when it has passed.
    u32 remaining_ = 0;
    bool epoch_out_ = false; // mode 0: OUT already high at the epoch
    u32 phase_offset_ = 0;   // mode 3: the epoch starts this far into a period
    u32 held_element_ = 0;
    bool held_out_ = true;

    // A count written during modes 2/3 waits for the end of the period
    // (mode 2) or half period (mode 3).
    bool boundary_pending_ = false;
    bool boundary_starts_low_ = false;
    u64 boundary_ = 0;
};

} // namespace v3::devices
