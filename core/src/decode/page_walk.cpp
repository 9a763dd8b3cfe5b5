#include "decode/page_walk.h"

namespace v3::decode {
namespace {

constexpr u64 kPresent = bit(0);
constexpr u64 kWritable = bit(1);
constexpr u64 kUser = bit(2);
constexpr u64 kLargePage = bit(7);
constexpr u64 kNoExecute = bit(63);

// Bits [high:low] set.
constexpr u64 bits(unsigned high, unsigned low) {
    return (high >= 63 ? ~u64(0) : (u64(1) << (high + 1)) - 1) & ~((u64(1) << low) - 1);
}

// What the walk accumulated over the levels: an access is allowed only if
// every level allows it.
struct Rights {
    bool writable = true;
    bool user = true;
    bool executable = true;
};

class Walker {
public:
    Walker(const x86::Registers& regs, const GuestMemory& memory, u64 linear, AccessKind kind,
           PageFault& fault, u8 physical_address_bits)
        : regs_(regs), memory_(memory), linear_(linear), kind_(kind), fault_(fault),
          user_access_(regs.cpl == 3), nxe_(regs.efer & x86::kEferNxe) {
        u8 maxphy =
            physical_address_bits < 32 || physical_address_bits > 52 ? 52 : physical_address_bits;
        above_maxphy_ = maxphy >= 52 ? 0 : bits(51, maxphy);
        address_mask_ = bits(maxphy - 1, 12);
    }

    Result<u64> run() {
        if (!(regs_.cr0 & x86::kCr0Pg))
            return linear_ & 0xffffffffu;
        if (regs_.efer & x86::kEferLma)
            return long_mode();
        if (regs_.cr4 & x86::kCr4Pae)
            return pae();
        return legacy_32bit();
    }

private:
    // Reserved in every 8-byte entry: address bits above MAXPHYADDR, and NX
    // unless EFER.NXE enabled it.
    u64 common_reserved() const { return above_maxphy_ | (nxe_ ? 0 : kNoExecute); }

    Result<u64> read_entry(u64 table, u64 index, u32 entry_size) {
        u64 entry = 0;
        auto r = memory_.read(table + index * entry_size, &entry, entry_size);
        if (r.is_error())
            return make_error(Errno::Io, "a guest page-table entry lies outside guest RAM");
        return entry;
    }

    // Checks presence and reserved bits of one entry and folds its rights in.
    // `rights_apply` is false for PAE PDPTEs, whose R/W, U/S and NX bits are
    // reserved rather than rights.
    Result<void> visit(u64 entry, u64 reserved, bool rights_apply) {
        if (!(entry & kPresent))
            return raise(0);
        if (entry & reserved)
            return raise(kPfPresent | kPfReserved);
        if (rights_apply) {
            rights_.writable &= bool(entry & kWritable);
            rights_.user &= bool(entry & kUser);
            rights_.executable &= !(nxe_ && (entry & kNoExecute));
        }
        return {};
    }

    Result<u64> finish(u64 page_base, u64 page_size) {
        TRY(check_rights());
        return page_base + (linear_ & (page_size - 1));
    }

    Result<void> check_rights() {
        bool denied = false;
        if (user_access_ && !rights_.user)
            denied = true;
        if (kind_ == AccessKind::Write && !rights_.writable &&
            (user_access_ || (regs_.cr0 & x86::kCr0Wp)))
            denied = true;
        if (kind_ == AccessKind::Execute) {
            if (!rights_.executable)
                denied = true;
            if (!user_access_ && rights_.user && (regs_.cr4 & kCr4Smep))
                denied = true;
        } else if (!user_access_ && rights_.user && (regs_.cr4 & kCr4Smap) &&
                   !(regs_.rflags & kRflagsAc)) {
            denied = true;
        }
        if (denied)
            return raise(kPfPresent);
        return {};
    }

    Error raise(u32 cause) {
        u32 code = cause;
        if (kind_ == AccessKind::Write)
            code |= kPfWrite;
        if (user_access_)
            code |= kPfUser;
        // The I/D bit is defined only where fetches can be refused: NX under
        // PAE/long-mode paging, or SMEP.
        bool fetch_reported = (nxe_ && (regs_.cr4 & x86::kCr4Pae)) || (regs_.cr4 & kCr4Smep);
        if (kind_ == AccessKind::Execute && fetch_reported)
            code |= kPfInstruction;
        fault_.error_code = code;
        fault_.address = linear_;
        return make_error(Errno::Fault, "the guest access takes a page fault");
    }

    // 32-bit paging: 1024-entry directory and tables of 4-byte entries.
    Result<u64> legacy_32bit() {
        u32 linear = u32(linear_);
        linear_ = linear;
        u64 directory = regs_.cr3 & 0xfffff000u;
        u64 pde = TRY(read_entry(directory, linear >> 22, 4));
        bool large = (regs_.cr4 & x86::kCr4Pse) && (pde & kLargePage);
        if (large) {
            // PSE-36/40: PDE bits 20:13 hold physical address bits 39:32;
            // bit 21 is reserved, as are address bits beyond MAXPHYADDR.
            u64 high = ((pde >> 13) & 0xff) << 32;
            u64 reserved = bit(21) | ((above_maxphy_ >> 32 << 13) & bits(20, 13));
            TRY(visit(pde, reserved, true));
            return finish((pde & 0xffc00000u) | high, u64(4) << 20);
        }
        TRY(visit(pde, 0, true));
        u64 pte = TRY(read_entry(pde & 0xfffff000u, (linear >> 12) & 0x3ff, 4));
        TRY(visit(pte, 0, true));
        return finish(pte & 0xfffff000u, 4096);
    }

    // PAE paging: a 4-entry PDPT, then 512-entry directories and tables.
    Result<u64> pae() {
        u32 linear = u32(linear_);
        linear_ = linear;
        u64 pdpt = regs_.cr3 & 0xffffffe0u;
        u64 pdpte = TRY(read_entry(pdpt, linear >> 30, 8));
        TRY(visit(pdpte, bits(2, 1) | bits(8, 5) | kNoExecute | above_maxphy_, false));
        return directory_levels(pdpte & address_mask_);
    }

    // Long mode: PML4 → PDPT (1 GB pages) → directory → table.
    Result<u64> long_mode() {
        u64 top = linear_ >> 47;
        if (top != 0 && top != 0x1ffff)
            return make_error(Errno::Inval, "the linear address is not canonical");
        u64 pml4 = regs_.cr3 & address_mask_;
        u64 pml4e = TRY(read_entry(pml4, (linear_ >> 39) & 0x1ff, 8));
        TRY(visit(pml4e, kLargePage | common_reserved(), true));
        u64 pdpte = TRY(read_entry(pml4e & address_mask_, (linear_ >> 30) & 0x1ff, 8));
        if (pdpte & kLargePage) {
            TRY(visit(pdpte, bits(29, 13) | common_reserved(), true));
            return finish(pdpte & address_mask_ & ~bits(29, 0), u64(1) << 30);
        }
        TRY(visit(pdpte, common_reserved(), true));
        return directory_levels(pdpte & address_mask_);
    }

    // The page directory (2 MB pages) and page table shared by PAE and long mode.
    Result<u64> directory_levels(u64 directory) {
        u64 pde = TRY(read_entry(directory, (linear_ >> 21) & 0x1ff, 8));
        if (pde & kLargePage) {
            TRY(visit(pde, bits(20, 13) | common_reserved(), true));
            return finish(pde & address_mask_ & ~bits(20, 0), u64(2) << 20);
        }
        TRY(visit(pde, common_reserved(), true));
        u64 pte = TRY(read_entry(pde & address_mask_, (linear_ >> 12) & 0x1ff, 8));
        TRY(visit(pte, common_reserved(), true));
        return finish(pte & address_mask_, 4096);
    }

    const x86::Registers& regs_;
    const GuestMemory& memory_;
    u64 linear_;
    AccessKind kind_;
    PageFault& fault_;
    bool user_access_;
    bool nxe_;
    u64 above_maxphy_ = 0;
    u64 address_mask_ = 0;
    Rights rights_;
};

} // namespace

Result<u64> translate(const x86::Registers& regs, const GuestMemory& memory, u64 linear,
                      AccessKind kind, PageFault& fault_out, u8 physical_address_bits) {
    fault_out = PageFault{};
    Walker walker(regs, memory, linear, kind, fault_out, physical_address_bits);
    return walker.run();
}

} // namespace v3::decode
