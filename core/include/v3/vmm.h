/* The VMM core's API as the host sees it (Palacios: vmm.h). C, so the kernel
 * glue can include it; every function returns 0 or a negative errno. */
#ifndef V3_VMM_H
#define V3_VMM_H

#include "host.h"

/* The VM states and which operation each allows: the module's user ABI
 * defines them once (the core's include path has kmod/). */
#include "uapi/v3vee_lifecycle.h"

#ifdef __cplusplus
extern "C" {
#endif

#define V3_CORE_VERSION_STRING "0.1.0"

/* Hardware virtualization features found on the boot CPU (bit flags). */
enum v3_hw_feature {
    V3_HW_SVM = 1u << 0,          /* AMD SVM usable (CPUID + VM_CR.SVMDIS clear) */
    V3_HW_NESTED_PAGING = 1u << 1, /* CPUID 0x8000000A EDX.NP */
    V3_HW_NRIP_SAVE = 1u << 2,    /* CPUID 0x8000000A EDX.NRIPS */
    V3_HW_VMCB_CLEAN = 1u << 3,   /* CPUID 0x8000000A EDX.VmcbClean */
    V3_HW_DECODE_ASSISTS = 1u << 4,
};

struct v3_hw_info {
    unsigned int features;      /* enum v3_hw_feature */
    unsigned int svm_revision;  /* CPUID 0x8000000A EAX[7:0] */
    unsigned int num_asids;     /* CPUID 0x8000000A EBX */
    unsigned int cpus_possible; /* host CPU ids 0..cpus_possible-1 */
    unsigned int cpus_enabled;  /* CPUs on which v3_init enabled SVM */
};

/* Probes the CPU, enables SVM on every online CPU (EFER.SVME, host save area)
 * and logs one line per CPU. On any failure nothing stays enabled, the reason
 * is logged, and the result is -ENODEV (no usable SVM), -EBUSY (SVM already
 * in use, e.g. by kvm_amd), -ENOMEM, -EINVAL (bad host table) or -EALREADY. */
int v3_init(const struct v3_host_services *host);

/* Disables SVM on every CPU v3_init enabled and releases what it holds. */
void v3_shutdown(void);

/* Fills *info; -EINVAL before v3_init or after v3_shutdown. */
int v3_get_hw_info(struct v3_hw_info *info);

/* Whether v3_init enabled SVM on `cpu` (0 or 1). */
int v3_cpu_enabled(unsigned int cpu);

/* ---- Virtual machines ---------------------------------------------------- */

struct v3_vm; /* opaque to the host */

/* Exit reasons counted per VM, in this order (vm/exit_stats.h). */
#define V3_EXIT_REASONS 10

struct v3_vm_status {
    unsigned int state;     /* V3_STATE_* (uapi/v3vee_lifecycle.h) */
    unsigned int exit_code; /* what the guest passed to the test-exit device */
    unsigned int num_cores;
    unsigned int reserved;
    v3_u64 memory_bytes;
    v3_u64 uptime_ns; /* since launch; 0 before */
    v3_u64 exits_total;
    v3_u64 exits[V3_EXIT_REASONS];
    char reason[256]; /* why it stopped or failed; "" otherwise */
};

/* Checking an image before the host has all of it (the kernel copies the
 * header and the directory from userspace first, so a malformed or lying
 * image costs no large allocation). Same rules and messages as
 * v3_create_vm; each returns 0 or -EINVAL with one sentence in `error`.
 * `header` holds V3_IMAGE_HEADER_SIZE bytes (zero-padded when the image is
 * shorter); `image_size` is the whole image's size. */
#define V3_IMAGE_HEADER_SIZE 64
int v3_check_image_header(const void *header, unsigned long long image_size,
                          unsigned long long *directory_offset, unsigned long *directory_size,
                          char *error, unsigned long error_size);
/* `directory` holds the directory_size bytes at directory_offset. */
int v3_check_image_directory(const void *header, const void *directory,
                             unsigned long long image_size, char *error, unsigned long error_size);

/* Validates the image completely (container, XML, devices), builds the VM
 * (memory from the guest reservation, devices, nested page tables) and loads
 * its BIOS. host_vm is the host's handle for stream callbacks. On failure
 * `error` holds one sentence naming what is wrong. The image buffer must
 * stay valid until v3_free_vm. */
int v3_create_vm(const void *image, unsigned long size, const char *name, void *host_vm,
                 struct v3_vm **vm_out, char *error, unsigned long error_size);
/* Lifecycle (uapi/v3vee_lifecycle.h: which state allows which operation);
 * synchronous. Each returns 0 or a negative errno: -EBUSY for launching a
 * running or paused VM, -EINVAL for another operation its state does not
 * allow. Launching a stopped VM resets it (cores, devices, guest memory
 * reloaded from the image) and boots it again as on its first launch. */
int v3_launch_vm(struct v3_vm *vm);
int v3_pause_vm(struct v3_vm *vm);
int v3_continue_vm(struct v3_vm *vm);
int v3_stop_vm(struct v3_vm *vm);
/* Stops the VM if needed and releases everything it holds. */
void v3_free_vm(struct v3_vm *vm);
int v3_get_vm_status(struct v3_vm *vm, struct v3_vm_status *status);

/* Checkpoints (core/src/chkpt/CHECKPOINT-FORMAT.md). The checkpoint is a
 * stream: v3_save_vm hands it to `write` piece by piece (guest RAM straight
 * from the guest's pages, 2 MiB at a time), v3_load_vm pulls it through
 * `read`, so a VM's memory is never held twice. `write` returns 0 once all
 * `size` bytes are written, or a negative errno; `read` returns how many
 * bytes it put in `data` (1..size), 0 at the end of the stream, or a
 * negative errno. `*bytes_done` (may be null) counts the checkpoint's
 * bytes moved so far, for progress and for the caller's report.
 *
 * Save: the VM must be created (never launched) or paused; it is not
 * changed. Load: into a VM created from the same image (same header
 * checksums and size), created or paused. The header, every section's
 * length and CRC-32, the core count and memory size are checked; a
 * refused checkpoint leaves the VM unchanged, except that a checkpoint
 * whose RAM turns out corrupt or truncated after part of it was written:
 * a created VM is then reset to how v3_create_vm left it, a paused VM
 * fails (its memory is no longer its own). Each returns 0 or a negative
 * errno with one sentence in `error`. */
typedef long (*v3_chkpt_write_fn)(void *ctx, const void *data, unsigned long size);
typedef long (*v3_chkpt_read_fn)(void *ctx, void *data, unsigned long size);
int v3_save_vm(struct v3_vm *vm, v3_chkpt_write_fn write, void *ctx,
               unsigned long long *bytes_done, char *error, unsigned long error_size);
int v3_load_vm(struct v3_vm *vm, v3_chkpt_read_fn read, void *ctx,
               unsigned long long *bytes_done, char *error, unsigned long error_size);

#ifdef __cplusplus
}
#endif

#endif /* V3_VMM_H */
