// The I/O permission map (12 KB, one bit per port, plus a byte for accesses
// that wrap) and the MSR permission map (8 KB, two bits per MSR in three
// ranges), shared by a VM's cores. Every port is intercepted: devices live
// in the VMM. MSRs are intercepted except those whose guest copies VMRUN
// and VMLOAD/VMSAVE already switch (SYSCALL/SYSENTER, FS/GS bases).
#include "arch/svm/svm_vcore.h"
#include "lib/host.h"

namespace v3::svm {

namespace {

constexpr u64 kIopmPages = 3;
constexpr u64 kMsrpmPages = 2;

// Clears the read and write intercept bits of one MSR.
void pass_through(u8* map, u32 msr) {
    u32 base;
    if (msr <= 0x1fff)
        base = 0;
    else if (msr >= 0xc0000000 && msr <= 0xc0001fff)
        base = 0x800, msr -= 0xc0000000;
    else if (msr >= 0xc0010000 && msr <= 0xc0011fff)
        base = 0x1000, msr -= 0xc0010000;
    else
        return;
    u32 bit_index = msr * 2;
    map[base + bit_index / 8] &= u8(~(3u << (bit_index % 8)));
}

} // namespace

Result<SharedControl> create_shared_control(u64 nested_cr3) {
    SharedControl shared;
    shared.nested_cr3 = nested_cr3;
    shared.iopm_pa = host().allocate_pages(kIopmPages, 4096);
    shared.msrpm_pa = host().allocate_pages(kMsrpmPages, 4096);
    if (!shared.iopm_pa || !shared.msrpm_pa) {
        free_shared_control(shared);
        return make_error(Errno::NoMem, "out of memory for the SVM permission maps");
    }
    u8* iopm = static_cast<u8*>(host().paddr_to_vaddr(shared.iopm_pa));
    for (u64 i = 0; i < kIopmPages * 4096; ++i)
        iopm[i] = 0xff;
    u8* msrpm = static_cast<u8*>(host().paddr_to_vaddr(shared.msrpm_pa));
    for (u64 i = 0; i < kMsrpmPages * 4096; ++i)
        msrpm[i] = 0xff;
    const u32 switched_by_hardware[] = {
        0x174,      0x175,      0x176, // SYSENTER_CS/ESP/EIP
        0xc0000081, 0xc0000082,        // STAR, LSTAR
        0xc0000083, 0xc0000084,        // CSTAR, SFMASK
        0xc0000100, 0xc0000101,        // FS.base, GS.base
        0xc0000102,                    // KernelGsBase
    };
    for (u32 msr : switched_by_hardware)
        pass_through(msrpm, msr);
    return shared;
}

void free_shared_control(const SharedControl& shared) {
    if (shared.iopm_pa)
        host().free_pages(shared.iopm_pa, kIopmPages);
    if (shared.msrpm_pa)
        host().free_pages(shared.msrpm_pa, kMsrpmPages);
}

} // namespace v3::svm
