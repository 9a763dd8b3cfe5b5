#include "devices/pic_8259a_chip.h"

namespace v3::devices {

namespace {

constexpr u8 kIcw1 = 0x10;    // command-port write with D4 set
constexpr u8 kIcw1Ic4 = 0x01; // ICW4 follows
constexpr u8 kIcw1Single = 0x02;
constexpr u8 kIcw1Ltim = 0x08; // every line level triggered
constexpr u8 kOcw3 = 0x08;     // command-port write with D4 clear, D3 set
constexpr u8 kIcw4Aeoi = 0x02;
constexpr u8 kIcw4Sfnm = 0x10;

constexpr u8 kSnapshotVersion = 1;

constexpr u8 line_bit(unsigned line) {
    return u8(1u << line);
}

} // namespace

// The 8259A has no defined power-on state; the guest's BIOS or kernel runs
// ICW1-ICW4 before it unmasks anything. Until then the chip looks like a PC
// BIOS left it (8086 mode, cascade on IR2, vectors 0x08/0x70) with every line
// masked, so nothing is delivered to a guest that never programmed it.
Pic8259Chip::Pic8259Chip(bool master)
    : master_(master), elcr_mask_(master ? kMasterElcrMask : kSlaveElcrMask), imr_(0xff),
      icw1_(kIcw1 | kIcw1Ic4), vector_base_(master ? 0x08 : 0x70), icw3_(master ? 0x04 : 0x02),
      icw4_(0x01) {}

bool Pic8259Chip::level_triggered(unsigned line) const {
    return (level_triggered_lines() >> line) & 1;
}

u8 Pic8259Chip::level_triggered_lines() const {
    return (icw1_ & kIcw1Ltim) ? 0xff : elcr_;
}

bool Pic8259Chip::has_slave_on(unsigned line) const {
    return master_ && !(icw1_ & kIcw1Single) && ((icw3_ >> line) & 1);
}

void Pic8259Chip::set_input(unsigned line, bool level) {
    u8 bit = line_bit(line);
    bool was_high = input_levels_ & bit;
    if (level)
        input_levels_ |= bit;
    else
        input_levels_ &= u8(~bit);
    if (level_triggered(line))
        irr_ = level ? u8(irr_ | bit) : u8(irr_ & ~bit);
    else if (level && !was_high)
        irr_ |= bit;
}

unsigned Pic8259Chip::highest_rank(u8 bits) const {
    for (unsigned rank = 0; rank < 8; ++rank)
        if (bits & line_bit(line_of_rank(rank)))
            return rank;
    return 8;
}

int Pic8259Chip::pending_request() const {
    unsigned request = highest_rank(u8(irr_ & ~imr_));
    if (request == 8)
        return -1;
    u8 blocking = isr_;
    // Special mask mode: a masked level no longer inhibits lower ones.
    if (special_mask_)
        blocking &= u8(~imr_);
    // Special fully nested mode: a slave may interrupt again while its
    // cascade line is in service (for a higher-priority slave request).
    if (master_ && (icw4_ & kIcw4Sfnm) && !(icw1_ & kIcw1Single))
        blocking &= u8(~icw3_);
    return request < highest_rank(blocking) ? int(line_of_rank(request)) : -1;
}

void Pic8259Chip::acknowledge(unsigned line) {
    u8 bit = line_bit(line);
    if (icw4_ & kIcw4Aeoi) {
        if (rotate_on_aeoi_)
            highest_priority_ = u8((line + 1) & 7);
    } else {
        isr_ |= bit;
    }
    // A level-triggered request stays while its line is high.
    if (!level_triggered(line))
        irr_ &= u8(~bit);
}

int Pic8259Chip::non_specific_eoi() {
    unsigned rank = highest_rank(isr_);
    if (rank == 8)
        return -1;
    unsigned line = line_of_rank(rank);
    isr_ &= u8(~line_bit(line));
    return int(line);
}

void Pic8259Chip::write(bool a0, u8 value) {
    if (!a0) {
        if (value & kIcw1)
            write_icw1(value);
        else if (value & kOcw3)
            write_ocw3(value);
        else
            write_ocw2(value);
        return;
    }
    if (init_step_ != 0)
        write_init_word(value);
    else
        imr_ = value; // OCW1
}

void Pic8259Chip::write_icw1(u8 value) {
    icw1_ = value;
    init_step_ = 2;
    // What ICW1 resets (8259A datasheet, "Initialization Command Words"):
    // the edge sense (a line that is high must go low and high again), the
    // IMR, the priority order (IR0 highest), special mask mode and the read
    // register (IRR). The in-service register is cleared too, as every PC
    // emulator does, so a re-initialising guest starts clean.
    irr_ = input_levels_ & level_triggered_lines();
    isr_ = 0;
    imr_ = 0;
    highest_priority_ = 0;
    special_mask_ = false;
    read_isr_ = false;
    poll_pending_ = false;
    rotate_on_aeoi_ = false;
    if (!(value & kIcw1Ic4))
        icw4_ = 0;
}

void Pic8259Chip::write_init_word(u8 value) {
    bool icw4_follows = icw1_ & kIcw1Ic4;
    switch (init_step_) {
    case 2:
        // In 8086 mode T7-T3 give the vector; the low three bits are the IR.
        vector_base_ = value & 0xf8;
        init_step_ = (icw1_ & kIcw1Single) ? (icw4_follows ? 4 : 0) : 3;
        break;
    case 3:
        icw3_ = value;
        init_step_ = icw4_follows ? 4 : 0;
        break;
    default:
        icw4_ = value;
        init_step_ = 0;
        break;
    }
}

void Pic8259Chip::write_ocw2(u8 value) {
    unsigned level = value & 7;
    switch (value >> 5) {
    case 0: // clear rotate in automatic EOI mode
        rotate_on_aeoi_ = false;
        break;
    case 1: // non-specific EOI
        non_specific_eoi();
        break;
    case 2: // no operation
        break;
    case 3: // specific EOI
        if (!(isr_ & line_bit(level)) && !(icw4_ & kIcw4Aeoi))
            ++unmatched_eois_;
        isr_ &= u8(~line_bit(level));
        break;
    case 4: // set rotate in automatic EOI mode
        rotate_on_aeoi_ = true;
        break;
    case 5: { // rotate on non-specific EOI: the level served becomes lowest
        int line = non_specific_eoi();
        if (line >= 0)
            highest_priority_ = u8((line + 1) & 7);
        break;
    }
    case 6: // set priority: `level` becomes the lowest
        highest_priority_ = u8((level + 1) & 7);
        break;
    default: // rotate on specific EOI
        isr_ &= u8(~line_bit(level));
        highest_priority_ = u8((level + 1) & 7);
        break;
    }
}

void Pic8259Chip::write_ocw3(u8 value) {
    if (value & 0x40) // ESMM: SMM is valid
        special_mask_ = value & 0x20;
    if (value & 0x04)
        poll_pending_ = true;
    if (value & 0x02) // RR: RIS is valid
        read_isr_ = value & 0x01;
}

u8 Pic8259Chip::poll() {
    int line = pending_request();
    if (line < 0)
        return 0x00;
    acknowledge(unsigned(line));
    return u8(0x80 | line);
}

u8 Pic8259Chip::read(bool a0) {
    // After a poll command the next read, on either port, is the poll word
    // and counts as an interrupt acknowledge.
    if (poll_pending_) {
        poll_pending_ = false;
        return poll();
    }
    if (a0)
        return imr_;
    return read_isr_ ? isr_ : irr_;
}

void Pic8259Chip::write_elcr(u8 value) {
    elcr_ = value & elcr_mask_;
    // A line that became level triggered now requests exactly while high.
    u8 level = level_triggered_lines();
    irr_ = u8((irr_ & ~level) | (input_levels_ & level));
}

Result<void> Pic8259Chip::save(chkpt::Writer& w) const {
    TRY(w.u8_(kSnapshotVersion));
    TRY(w.u8_(irr_));
    TRY(w.u8_(isr_));
    TRY(w.u8_(imr_));
    TRY(w.u8_(input_levels_));
    TRY(w.u8_(elcr_));
    TRY(w.u8_(icw1_));
    TRY(w.u8_(vector_base_));
    TRY(w.u8_(icw3_));
    TRY(w.u8_(icw4_));
    TRY(w.u8_(init_step_));
    TRY(w.u8_(highest_priority_));
    TRY(w.bool_(read_isr_));
    TRY(w.bool_(poll_pending_));
    TRY(w.bool_(special_mask_));
    TRY(w.bool_(rotate_on_aeoi_));
    return {};
}

Result<void> Pic8259Chip::load(chkpt::Reader& r) {
    if (TRY(r.u8_()) != kSnapshotVersion)
        return make_error(Errno::Inval, "8259A snapshot has an unknown version");
    u8 irr = TRY(r.u8_());
    u8 isr = TRY(r.u8_());
    u8 imr = TRY(r.u8_());
    u8 levels = TRY(r.u8_());
    u8 elcr = TRY(r.u8_());
    u8 icw1 = TRY(r.u8_());
    u8 vector_base = TRY(r.u8_());
    u8 icw3 = TRY(r.u8_());
    u8 icw4 = TRY(r.u8_());
    u8 init_step = TRY(r.u8_());
    u8 highest = TRY(r.u8_());
    bool read_isr = TRY(r.bool_());
    bool poll_pending = TRY(r.bool_());
    bool special_mask = TRY(r.bool_());
    bool rotate_on_aeoi = TRY(r.bool_());

    if (!(icw1 & kIcw1))
        return make_error(Errno::Inval, "8259A snapshot: ICW1 lacks its D4 marker bit");
    if (vector_base & 7)
        return make_error(Errno::Inval, "8259A snapshot: vector base is not a multiple of 8");
    if (init_step != 0 && init_step != 2 && init_step != 3 && init_step != 4)
        return make_error(Errno::Inval, "8259A snapshot: initialisation step is not 0, 2, 3 or 4");
    if (highest > 7)
        return make_error(Errno::Inval, "8259A snapshot: priority rotation is past IR7");
    if (elcr & ~elcr_mask_)
        return make_error(Errno::Inval, "8259A snapshot: ELCR sets a line reserved as edge");
    u8 level = (icw1 & kIcw1Ltim) ? 0xff : elcr;
    if ((irr & level) != (levels & level))
        return make_error(Errno::Inval,
                          "8259A snapshot: a level-triggered request disagrees with its line");

    irr_ = irr;
    isr_ = isr;
    imr_ = imr;
    input_levels_ = levels;
    elcr_ = elcr;
    icw1_ = icw1;
    vector_base_ = vector_base;
    icw3_ = icw3;
    icw4_ = icw4;
    init_step_ = init_step;
    highest_priority_ = highest;
    read_isr_ = read_isr;
    poll_pending_ = poll_pending;
    special_mask_ = special_mask;
    rotate_on_aeoi_ = rotate_on_aeoi;
    return {};
}

} // namespace v3::devices
