// The world switch. Implemented in assembly (freestanding/svm_vmrun.S) for
// the kernel; the hosted build links a stub that must never be called.
#pragma once

#include "lib/types.h"

namespace v3::svm {

// Guest general-purpose registers not kept in the VMCB (RAX and RSP are).
// The assembly depends on this exact layout.
struct GuestGprs {
    u64 rbx, rcx, rdx, rsi, rdi, rbp, r8, r9, r10, r11, r12, r13, r14, r15;
};
static_assert(__builtin_offsetof(GuestGprs, rbx) == 0x00);
static_assert(__builtin_offsetof(GuestGprs, rbp) == 0x28);
static_assert(__builtin_offsetof(GuestGprs, r15) == 0x68);

} // namespace v3::svm

// VMSAVE the host's hidden state to host_vmcb_pa, load the guest's GPRs,
// VMLOAD + VMRUN + VMSAVE the guest at vmcb_pa, store its GPRs, VMLOAD the
// host state back. Called with GIF clear.
extern "C" void v3_svm_vmrun(v3::u64 vmcb_pa, v3::u64 host_vmcb_pa, v3::svm::GuestGprs* gprs);

// The instruction after VMRUN in v3_svm_vmrun: the host RIP #VMEXIT resumes
// at, which a guest's own state can never legitimately hold.
extern "C" const char v3_svm_vmrun_return[];
