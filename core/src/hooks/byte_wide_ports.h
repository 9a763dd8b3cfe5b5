// For devices on the 8-bit ISA bus (8259A, 8254, ...): a 16- or 32-bit
// access is split into byte accesses to consecutive ports, lowest first, as
// the chipset does. The device implements only the byte-wide port.
#pragma once

#include "hooks/io_port_bus.h"

namespace v3 {

class ByteWidePorts : public IoPortHandler {
public:
    Result<u32> io_read(const IoAccess& access) final {
        u32 value = 0;
        for (unsigned i = 0; i < access.size; ++i)
            value |= u32(read_port(u16(access.port + i))) << (8 * i);
        return value;
    }
    Result<void> io_write(const IoAccess& access, u32 value) final {
        for (unsigned i = 0; i < access.size; ++i)
            write_port(u16(access.port + i), u8(value >> (8 * i)));
        return {};
    }

protected:
    virtual u8 read_port(u16 port) = 0;
    virtual void write_port(u16 port, u8 value) = 0;
};

} // namespace v3
