// The Virtual Machine Control Block (AMD APM vol. 2, appendix B): a 4 KB page
// with the control area (intercepts, exit information, event injection,
// nested paging) at 0x000 and the guest state save area at 0x400. Field
// offsets are checked against the manual at compile time.
#pragma once

#include "lib/types.h"

namespace v3::svm {

struct [[gnu::packed]] VmcbSegment {
    u16 selector;
    u16 attributes; // type[3:0] S[4] DPL[6:5] P[7] AVL[8] L[9] D/B[10] G[11]
    u32 limit;
    u64 base;
};
static_assert(sizeof(VmcbSegment) == 16);

struct [[gnu::packed]] VmcbControl {
    u16 intercept_cr_read;    // 0x000
    u16 intercept_cr_write;   // 0x002
    u16 intercept_dr_read;    // 0x004
    u16 intercept_dr_write;   // 0x006
    u32 intercept_exceptions; // 0x008
    u32 intercept_misc1;      // 0x00c
    u32 intercept_misc2;      // 0x010
    u32 intercept_misc3;      // 0x014
    u8 reserved1[0x03c - 0x018];
    u16 pause_filter_threshold; // 0x03c
    u16 pause_filter_count;     // 0x03e
    u64 iopm_base_pa;           // 0x040
    u64 msrpm_base_pa;          // 0x048
    u64 tsc_offset;             // 0x050
    u32 guest_asid;             // 0x058
    u8 tlb_control;             // 0x05c
    u8 reserved2[3];
    u64 virtual_interrupt;  // 0x060: V_TPR, V_IRQ, V_INTR_PRIO, V_IGN_TPR, V_INTR_MASKING,
                            // V_INTR_VECTOR
    u64 interrupt_shadow;   // 0x068
    u64 exit_code;          // 0x070
    u64 exit_info1;         // 0x078
    u64 exit_info2;         // 0x080
    u64 exit_int_info;      // 0x088
    u64 nested_control;     // 0x090: NP_ENABLE bit 0
    u64 avic_apic_bar;      // 0x098
    u64 ghcb_pa;            // 0x0a0
    u64 event_inject;       // 0x0a8
    u64 nested_cr3;         // 0x0b0
    u64 virtualization_ext; // 0x0b8
    u32 clean_bits;         // 0x0c0
    u32 reserved3;
    u64 next_rip;             // 0x0c8
    u8 bytes_fetched;         // 0x0d0
    u8 guest_instruction[15]; // 0x0d1
    u8 reserved4[0x400 - 0x0e0];
};
static_assert(sizeof(VmcbControl) == 0x400);
static_assert(__builtin_offsetof(VmcbControl, iopm_base_pa) == 0x040);
static_assert(__builtin_offsetof(VmcbControl, guest_asid) == 0x058);
static_assert(__builtin_offsetof(VmcbControl, virtual_interrupt) == 0x060);
static_assert(__builtin_offsetof(VmcbControl, exit_code) == 0x070);
static_assert(__builtin_offsetof(VmcbControl, event_inject) == 0x0a8);
static_assert(__builtin_offsetof(VmcbControl, nested_cr3) == 0x0b0);
static_assert(__builtin_offsetof(VmcbControl, next_rip) == 0x0c8);

struct [[gnu::packed]] VmcbSave {
    VmcbSegment es, cs, ss, ds, fs, gs; // 0x400..0x45f
    VmcbSegment gdtr, ldtr, idtr, tr;   // 0x460..0x49f
    u8 reserved1[0x4cb - 0x4a0];
    u8 cpl; // 0x4cb
    u32 reserved2;
    u64 efer; // 0x4d0
    u8 reserved3[0x548 - 0x4d8];
    u64 cr4;    // 0x548
    u64 cr3;    // 0x550
    u64 cr0;    // 0x558
    u64 dr7;    // 0x560
    u64 dr6;    // 0x568
    u64 rflags; // 0x570
    u64 rip;    // 0x578
    u8 reserved4[0x5d8 - 0x580];
    u64 rsp; // 0x5d8
    u8 reserved5[0x5f8 - 0x5e0];
    u64 rax;            // 0x5f8
    u64 star;           // 0x600
    u64 lstar;          // 0x608
    u64 cstar;          // 0x610
    u64 sfmask;         // 0x618
    u64 kernel_gs_base; // 0x620
    u64 sysenter_cs;    // 0x628
    u64 sysenter_esp;   // 0x630
    u64 sysenter_eip;   // 0x638
    u64 cr2;            // 0x640
    u8 reserved6[0x668 - 0x648];
    u64 g_pat;          // 0x668
    u64 dbgctl;         // 0x670
    u64 br_from;        // 0x678
    u64 br_to;          // 0x680
    u64 last_excp_from; // 0x688
    u64 last_excp_to;   // 0x690
    u8 reserved7[0x1000 - 0x698];
};

struct [[gnu::packed]] Vmcb {
    VmcbControl control;
    VmcbSave save;
};
static_assert(__builtin_offsetof(Vmcb, save.cs) == 0x410);
static_assert(__builtin_offsetof(Vmcb, save.cpl) == 0x4cb);
static_assert(__builtin_offsetof(Vmcb, save.efer) == 0x4d0);
static_assert(__builtin_offsetof(Vmcb, save.cr4) == 0x548);
static_assert(__builtin_offsetof(Vmcb, save.rip) == 0x578);
static_assert(__builtin_offsetof(Vmcb, save.rsp) == 0x5d8);
static_assert(__builtin_offsetof(Vmcb, save.rax) == 0x5f8);
static_assert(__builtin_offsetof(Vmcb, save.cr2) == 0x640);
static_assert(__builtin_offsetof(Vmcb, save.g_pat) == 0x668);
static_assert(sizeof(Vmcb) == 4096);

// Intercept bits (misc1 at 0x00c, misc2 at 0x010).
inline constexpr u32 kInterceptIntr = 1u << 0;
inline constexpr u32 kInterceptNmi = 1u << 1;
inline constexpr u32 kInterceptSmi = 1u << 2;
inline constexpr u32 kInterceptInit = 1u << 3;
inline constexpr u32 kInterceptVintr = 1u << 4;
inline constexpr u32 kInterceptCpuid = 1u << 18;
inline constexpr u32 kInterceptIret = 1u << 20;
inline constexpr u32 kInterceptInvd = 1u << 22;
inline constexpr u32 kInterceptHlt = 1u << 24;
inline constexpr u32 kInterceptInvlpga = 1u << 26;
inline constexpr u32 kInterceptIoio = 1u << 27;
inline constexpr u32 kInterceptMsr = 1u << 28;
inline constexpr u32 kInterceptShutdown = 1u << 31;

inline constexpr u32 kInterceptVmrun = 1u << 0;
inline constexpr u32 kInterceptVmmcall = 1u << 1;
inline constexpr u32 kInterceptVmload = 1u << 2;
inline constexpr u32 kInterceptVmsave = 1u << 3;
inline constexpr u32 kInterceptStgi = 1u << 4;
inline constexpr u32 kInterceptClgi = 1u << 5;
inline constexpr u32 kInterceptSkinit = 1u << 6;
inline constexpr u32 kInterceptRdtscp = 1u << 7;
inline constexpr u32 kInterceptIcebp = 1u << 8;
inline constexpr u32 kInterceptWbinvd = 1u << 9;
inline constexpr u32 kInterceptMonitor = 1u << 10;
inline constexpr u32 kInterceptMwait = 1u << 11;
inline constexpr u32 kInterceptXsetbv = 1u << 13;

// virtual_interrupt fields.
inline constexpr u64 kVirqPending = u64(1) << 8;
inline constexpr u64 kVintrMasking = u64(1) << 24;
inline constexpr unsigned kVintrPrioShift = 16;
inline constexpr unsigned kVintrVectorShift = 32;
inline constexpr u64 kVintrIgnoreTpr = u64(1) << 20;

// event_inject (and exit_int_info) fields.
inline constexpr u64 kEventValid = u64(1) << 31;
inline constexpr u64 kEventErrorValid = u64(1) << 11;
inline constexpr u64 kEventTypeIntr = u64(0) << 8;
inline constexpr u64 kEventTypeNmi = u64(2) << 8;
inline constexpr u64 kEventTypeException = u64(3) << 8;
inline constexpr u64 kEventTypeSoftInt = u64(4) << 8;

// Exit codes (APM vol. 2, appendix C).
enum ExitCode : u64 {
    kExitCr0Read = 0x000,
    kExitCr0Write = 0x010,
    kExitException0 = 0x040, // + vector
    kExitIntr = 0x060,
    kExitNmi = 0x061,
    kExitSmi = 0x062,
    kExitInit = 0x063,
    kExitVintr = 0x064,
    kExitCpuid = 0x072,
    kExitIret = 0x074,
    kExitInvd = 0x076,
    kExitHlt = 0x078,
    kExitInvlpga = 0x07a,
    kExitIoio = 0x07b,
    kExitMsr = 0x07c,
    kExitShutdown = 0x07f,
    kExitVmrun = 0x080,
    kExitVmmcall = 0x081,
    kExitVmload = 0x082,
    kExitVmsave = 0x083,
    kExitStgi = 0x084,
    kExitClgi = 0x085,
    kExitSkinit = 0x086,
    kExitRdtscp = 0x087,
    kExitIcebp = 0x088,
    kExitWbinvd = 0x089,
    kExitMonitor = 0x08a,
    kExitMwait = 0x08b,
    kExitXsetbv = 0x08d,
    kExitNestedPageFault = 0x400,
    kExitInvalid = ~u64(0),
};

const char* exit_name(u64 exit_code);

// IOIO exit_info1 layout.
inline constexpr u64 kIoioIn = 1u << 0;
inline constexpr u64 kIoioString = 1u << 2;
inline constexpr u64 kIoioRep = 1u << 3;
inline constexpr unsigned kIoioSizeShift = 4; // bits 4..6: 1, 2, 4 bytes
inline constexpr unsigned kIoioAddrShift = 7; // bits 7..9: 16, 32, 64-bit address
inline constexpr unsigned kIoioSegShift = 10; // bits 10..12
inline constexpr unsigned kIoioPortShift = 16;

} // namespace v3::svm
