// One Intel 8259A programmable interrupt controller: the IRR/ISR/IMR
// registers, the ICW1-ICW4 initialisation sequence, the OCW1-OCW3 operation
// commands and priority resolution (with rotation). The PC's master/slave
// pair (pic_8259a.h) wires two of these together and owns the ports.
#pragma once

#include "chkpt/snapshot.h"
#include "lib/result.h"

namespace v3::devices {

class Pic8259Chip {
public:
    // The PIIX ELCR reserves the lines that must stay edge triggered on a PC
    // (IRQ 0, 1, 2 on the master; IRQ 8 and 13 on the slave).
    static constexpr u8 kMasterElcrMask = 0xf8;
    static constexpr u8 kSlaveElcrMask = 0xde;

    explicit Pic8259Chip(bool master);

    // An IR input changed level. Edge-triggered lines latch a request in IRR
    // on the rising edge and keep it when the line falls again (devices pulse
    // their lines); level-triggered lines make IRR follow the line.
    void set_input(unsigned line, bool level);

    // The IR the chip would deliver now (highest-priority unmasked request
    // not blocked by an in-service level), or -1: this is the INT output.
    int pending_request() const;
    bool output() const { return pending_request() >= 0; }

    // INTA (or a poll read) for `line`: sets its ISR bit (unless automatic
    // EOI) and clears an edge-latched request.
    void acknowledge(unsigned line);

    // Register access as the guest does it; `a0` is address line A0 (0 for
    // the command port 0x20/0xA0, 1 for the data port 0x21/0xA1).
    void write(bool a0, u8 value);
    u8 read(bool a0);

    u8 elcr() const { return elcr_; }
    void write_elcr(u8 value);

    u8 vector_base() const { return vector_base_; }
    u8 irr() const { return irr_; }
    u8 isr() const { return isr_; }
    // Specific EOIs for a level that was not in service: a guest that ends
    // an interrupt twice, i.e. that was delivered one acknowledge twice.
    u32 unmatched_eois() const { return unmatched_eois_; }
    u8 imr() const { return imr_; }
    // Single mode (ICW1 SNGL) or cascade mode with a slave on `line` (ICW3).
    bool has_slave_on(unsigned line) const;
    // ICW4 bit 0: the 8086 INTA protocol (a vector byte). Cleared by an ICW1
    // without ICW4, which selects the 8080/8085 CALL protocol.
    bool x86_mode() const { return icw4_ & 0x01; }

    Result<void> save(chkpt::Writer& writer) const;
    Result<void> load(chkpt::Reader& reader);

private:
    bool level_triggered(unsigned line) const;
    u8 level_triggered_lines() const;
    // Rank 0 is the highest priority; 8 means "none of `bits`".
    unsigned highest_rank(u8 bits) const;
    unsigned line_of_rank(unsigned rank) const { return (rank + highest_priority_) & 7; }
    int non_specific_eoi();
    void write_icw1(u8 value);
    void write_init_word(u8 value);
    void write_ocw2(u8 value);
    void write_ocw3(u8 value);
    u8 poll();

    bool master_;
    u8 elcr_mask_;

    u8 irr_ = 0;
    u8 isr_ = 0;
    u32 unmatched_eois_ = 0;
    u8 imr_;
    u8 input_levels_ = 0;
    u8 elcr_ = 0;

    u8 icw1_;
    u8 vector_base_;
    u8 icw3_;
    u8 icw4_;
    // The next initialisation word expected on the data port: 2, 3 or 4;
    // 0 once initialised (data-port writes are OCW1).
    u8 init_step_ = 0;
    // The IR with the highest priority (0 until a rotation moves it).
    u8 highest_priority_ = 0;

    bool read_isr_ = false;       // OCW3 RR/RIS: which register port A0=0 reads
    bool poll_pending_ = false;   // OCW3 P: the next read is a poll
    bool special_mask_ = false;   // OCW3 ESMM/SMM
    bool rotate_on_aeoi_ = false; // OCW2 R=1 SL=0 EOI=0
};

} // namespace v3::devices
