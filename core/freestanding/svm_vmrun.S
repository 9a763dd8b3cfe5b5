/* v3_svm_vmrun(vmcb_pa %rdi, host_vmcb_pa %rsi, gprs %rdx)
 * The SVM world switch for the kernel build (see arch/svm/vmrun.h). The host
 * save area (VM_HSAVE_PA) keeps RIP/RSP/RAX/CRs/segment selectors across
 * VMRUN; VMSAVE/VMLOAD move what it does not: FS, GS, TR and LDTR hidden
 * state, KernelGsBase and the SYSCALL/SYSENTER MSRs. The host's GS base must
 * be back before any C code runs, so the host VMLOAD happens here. Returns
 * through the kernel's return thunk, as the kernel's own code does. */
	.text
	.globl v3_svm_vmrun
	.type v3_svm_vmrun, @function
v3_svm_vmrun:
	push %rbp
	push %rbx
	push %r12
	push %r13
	push %r14
	push %r15
	push %rdx		/* 16(%rsp): gprs */
	push %rdi		/*  8(%rsp): guest VMCB */
	push %rsi		/*  0(%rsp): host save VMCB */

	mov %rsi, %rax
	vmsave %rax

	mov %rdx, %rax
	mov 0x00(%rax), %rbx
	mov 0x08(%rax), %rcx
	mov 0x10(%rax), %rdx
	mov 0x18(%rax), %rsi
	mov 0x20(%rax), %rdi
	mov 0x28(%rax), %rbp
	mov 0x30(%rax), %r8
	mov 0x38(%rax), %r9
	mov 0x40(%rax), %r10
	mov 0x48(%rax), %r11
	mov 0x50(%rax), %r12
	mov 0x58(%rax), %r13
	mov 0x60(%rax), %r14
	mov 0x68(%rax), %r15

	mov 8(%rsp), %rax
	vmload %rax
	vmrun %rax
	/* Where #VMEXIT returns: the RIP the CPU keeps in the host save area.
	 * Exported so a guest state carrying it is recognised (see
	 * SvmVcore::handle_exit). */
	.globl v3_svm_vmrun_return
v3_svm_vmrun_return:
	vmsave %rax

	mov 16(%rsp), %rax
	mov %rbx, 0x00(%rax)
	mov %rcx, 0x08(%rax)
	mov %rdx, 0x10(%rax)
	mov %rsi, 0x18(%rax)
	mov %rdi, 0x20(%rax)
	mov %rbp, 0x28(%rax)
	mov %r8, 0x30(%rax)
	mov %r9, 0x38(%rax)
	mov %r10, 0x40(%rax)
	mov %r11, 0x48(%rax)
	mov %r12, 0x50(%rax)
	mov %r13, 0x58(%rax)
	mov %r14, 0x60(%rax)
	mov %r15, 0x68(%rax)

	mov 0(%rsp), %rax
	vmload %rax

	add $24, %rsp
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %rbx
	pop %rbp
	jmp __x86_return_thunk
	int3
	.size v3_svm_vmrun, .-v3_svm_vmrun
	.section .note.GNU-stack, "", @progbits
