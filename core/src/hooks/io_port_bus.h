// The guest's I/O port space. Devices claim port ranges (overlaps are
// refused, naming both owners) and see each access as an offset into their
// range, as on cloud-hypervisor's bus. IN/OUT of 1, 2 or 4 bytes go to the
// range that holds the first port. String forms (INS/OUTS, with REP) are
// expanded the way hardware does: `count` single accesses at the same port,
// in order. Unclaimed ports behave like an open ISA bus: reads return all
// ones, writes vanish; both are counted.
#pragma once

#include "lib/result.h"
#include "lib/string_view.h"
#include "lib/vector.h"

namespace v3 {

struct IoAccess {
    u16 port;   // the port the guest addressed
    u16 offset; // port - first port of the claimed range
    u8 size;    // 1, 2 or 4
};

class IoPortHandler {
public:
    virtual ~IoPortHandler() = default;
    // A returned error stops the VM (fail-stop) with its message.
    virtual Result<u32> io_read(const IoAccess& access) = 0;
    virtual Result<void> io_write(const IoAccess& access, u32 value) = 0;
};

class IoPortBus {
public:
    Result<void> claim(u16 first_port, u32 count, IoPortHandler& handler, StringView owner);
    void release(IoPortHandler& handler);

    Result<u32> read(u16 port, u8 size);
    Result<void> write(u16 port, u8 size, u32 value);
    // buffer holds count * size bytes, little-endian per element.
    Result<void> read_string(u16 port, u8 size, u32 count, u8* buffer);
    Result<void> write_string(u16 port, u8 size, u32 count, const u8* buffer);

    bool is_claimed(u16 port) const { return find(port) != nullptr; }
    u64 unclaimed_reads() const { return unclaimed_reads_; }
    u64 unclaimed_writes() const { return unclaimed_writes_; }

    // Names the owner of `port`, for messages; empty when unclaimed.
    StringView owner_of(u16 port) const;

private:
    struct Range {
        u16 first;
        u16 last;
        IoPortHandler* handler;
        StringView owner;
    };
    const Range* find(u16 port) const;

    Vector<Range> ranges_; // sorted by first, disjoint
    u64 unclaimed_reads_ = 0;
    u64 unclaimed_writes_ = 0;
};

} // namespace v3
