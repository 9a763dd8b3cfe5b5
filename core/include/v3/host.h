/* The table of services a host (the Linux glue in kmod/, or the hosted test
 * harness) hands to the VMM core, in the spirit of Palacios' v3_os_hooks.
 *
 * This header is C and is included both by the kernel glue (C, kernel
 * headers) and by the freestanding C++ core, so it uses no system header:
 * only compiler-provided types. */
#ifndef V3_HOST_H
#define V3_HOST_H

#ifdef __cplusplus
extern "C" {
#endif

/* Bump when a member is added, removed or changes meaning; v3_init refuses a
 * table whose version differs from the core's. */
#define V3_HOST_SERVICES_VERSION 3

typedef __builtin_va_list v3_va_list;
typedef __UINT64_TYPE__ v3_u64;
typedef v3_u64 v3_paddr_t;

/* A text screen as the core hands it to the host's console (version 3):
 * `cells` holds cols * rows (character, attribute) byte pairs, row by row,
 * valid only during the call. The cursor fields mean what struct
 * v3_console_cursor's do in uapi/v3vee_console.h; flags are its MODE flags. */
struct v3_console_state {
    unsigned short cols;
    unsigned short rows;
    unsigned short flags;
    unsigned short cursor_row;
    unsigned short cursor_col;
    unsigned char cursor_visible;
    unsigned char cursor_start;
    unsigned char cursor_end;
    unsigned char cell_height;
    const unsigned char *cells;
};

enum v3_log_level {
    V3_LOG_ERROR = 0,
    V3_LOG_WARNING = 1,
    V3_LOG_INFO = 2,
    V3_LOG_DEBUG = 3,
};

struct v3_host_services {
    unsigned int version; /* V3_HOST_SERVICES_VERSION */

    /* Logging. The format is the printk/printf common subset
     * (%s %c %d %i %u %x %lu %lx %llu %llx %p %%). The core adds no newline. */
    void (*vprint)(enum v3_log_level level, const char *fmt, v3_va_list args);

    /* Physically contiguous, zeroed pages. alignment is in bytes (a power of
     * two, at least 4096). Returns the host physical address, or 0. */
    v3_paddr_t (*allocate_pages)(unsigned long num_pages, unsigned long alignment);
    void (*free_pages)(v3_paddr_t paddr, unsigned long num_pages);

    /* Guest RAM, from the memory the user reserved for VMs (V3_ADD_MEMORY /
     * v3_mem). num_pages is at most 512 (2 MB); a 512-page block is 2 MB
     * aligned. Zeroed. Returns 0 when the reservation is exhausted. */
    v3_paddr_t (*allocate_guest_memory)(unsigned long num_pages);
    void (*free_guest_memory)(v3_paddr_t paddr, unsigned long num_pages);

    /* Named byte streams of a VM (CHAR_STREAM devices): stream_open returns
     * the host's handle or NULL; stream_write queues guest output and never
     * blocks (returns the bytes taken); stream_read takes pending host input
     * (returns 0 when none). host_vm is the handle given to v3_create_vm. */
    void *(*stream_open)(void *host_vm, const char *name);
    unsigned long (*stream_write)(void *stream, const unsigned char *data, unsigned long size);
    unsigned long (*stream_read)(void *stream, unsigned char *data, unsigned long size);
    void (*stream_close)(void *stream);

    /* Small allocations, usable from any context that may sleep. NULL on
     * failure. */
    void *(*malloc)(unsigned long size);
    void (*free)(void *ptr);

    /* Translation between host physical addresses the core was given and
     * addresses it can dereference. */
    void *(*paddr_to_vaddr)(v3_paddr_t paddr);
    v3_paddr_t (*vaddr_to_paddr)(const void *vaddr);

    /* Sleeping mutexes. */
    void *(*mutex_alloc)(void);
    void (*mutex_free)(void *mutex);
    void (*mutex_lock)(void *mutex);
    void (*mutex_unlock)(void *mutex);

    /* Threads. thread_start creates and starts a thread running fn(arg),
     * named `name`, bound to `cpu` unless cpu is negative. thread_should_stop
     * is polled by the thread's loop; thread_stop asks the thread to stop,
     * waits for fn to return and returns its result. Every started thread is
     * stopped exactly once. */
    void *(*thread_start)(int (*fn)(void *arg), void *arg, const char *name, int cpu);
    int (*thread_should_stop)(void);
    int (*thread_stop)(void *thread);

    /* CPUs. cpu_count is the number of possible CPU ids (ids are
     * 0..cpu_count-1, some may be offline). call_on_cpu runs fn(arg) on that
     * CPU with interrupts disabled and waits for it; fn must not sleep.
     * Returns 0 or a negative errno. */
    unsigned int (*cpu_count)(void);
    int (*cpu_online)(unsigned int cpu);
    unsigned int (*current_cpu)(void);
    int (*call_on_cpu)(unsigned int cpu, void (*fn)(void *arg), void *arg);
    unsigned int (*cpu_khz)(void);

    /* Privileged CPU access on the calling CPU. The MSR accessors must not
     * fault: an MSR the CPU rejects returns -EIO. cpuid fills eax, ebx, ecx,
     * edx in that order. */
    void (*cpuid)(unsigned int leaf, unsigned int subleaf, unsigned int regs[4]);
    int (*read_msr)(unsigned int msr, v3_u64 *value);
    int (*write_msr)(unsigned int msr, v3_u64 value);

    /* The host's FPU/SSE registers around guest execution: fpu_begin saves
     * whatever host task state lives in them and disables preemption until
     * fpu_end (Linux: kernel_fpu_begin/end). The core saves and restores the
     * guest's own FPU state inside that window. */
    void (*fpu_begin)(void);
    void (*fpu_end)(void);

    /* A monotonic clock in nanoseconds (guest time is derived from it). */
    v3_u64 (*monotonic_ns)(void);

    /* Scheduling. */
    void (*yield_cpu)(void);
    void (*sleep_us)(unsigned long usec);

    /* --- Passthrough grants (issue 20; version 2) ----------------------
     * A guest's <memmap> region maps host physical memory into the guest
     * unmediated, so the host, not the image, decides which ranges may be
     * mapped. passthrough_allowed is asked before any region is mapped:
     * 0 when host physical [start, start + size) lies inside a range the
     * host administrator granted to the VMM; -EPERM when it was not
     * granted; -EBUSY when it is memory the host's kernel uses (System
     * RAM, kernel text or data), which is never granted. */
    int (*passthrough_allowed)(v3_paddr_t start, v3_u64 size);

    /* --- Time, waiting and kicks (issue 10 item 3; version 3) -----------
     * Deadlines are absolute monotonic_ns() values.
     *
     * A waiter blocks one thread until another party raises a flag the
     * core owns. waiter_wait returns once *flag is non-zero, the deadline
     * passes (deadline_ns 0: no deadline), or thread_stop was called for
     * the waiting thread; it returns 1 when *flag is set, 0 otherwise. It
     * never consumes the flag. waiter_wake may be called from any context,
     * hard interrupts included, after the flag was set. */
    void *(*waiter_alloc)(void);
    void (*waiter_free)(void *waiter);
    int (*waiter_wait)(void *waiter, const volatile unsigned int *flag, v3_u64 deadline_ns);
    void (*waiter_wake)(void *waiter);

    /* One-shot high-resolution timers. fn(arg) runs at the deadline in
     * interrupt context (it may only wake and kick; never sleep or lock a
     * mutex), on the CPU that armed the timer. Arming an armed timer moves
     * its deadline. timer_cancel and timer_free wait for a running fn. */
    void *(*timer_alloc)(void (*fn)(void *arg), void *arg);
    void (*timer_free)(void *timer);
    void (*timer_arm)(void *timer, v3_u64 deadline_ns);
    void (*timer_cancel)(void *timer);

    /* Interrupts `cpu` at once (an IPI) so that a guest running there exits
     * (the VMCB intercepts physical INTR). Any context; never waits. A kick
     * handle serves one target at a time; kicking while a kick is still in
     * flight is a no-op (one is enough). kick_free waits for one in flight. */
    void *(*kick_alloc)(void);
    void (*kick_free)(void *kick);
    void (*kick_cpu)(void *kick, unsigned int cpu);

    /* Host input for a stream (see stream_read) arrived: the host calls
     * fn(arg) after queueing it, from whatever thread wrote it (never from
     * an interrupt; fn must not sleep). fn NULL unregisters; stream_close
     * unregisters too, and neither returns while fn runs. */
    void (*stream_set_input_notify)(void *stream, void (*fn)(void *arg), void *arg);

    /* --- Text consoles (issue 11; version 3) ---------------------------
     * A CURSES_CONSOLE device's host side, which userspace reaches with
     * V3_VM_CONSOLE_CONNECT. console_open returns the host's handle or NULL
     * (one console per VM); console_update hands the current screen over
     * (called from a core thread when it changed, at a bounded rate; never
     * blocks); console_read_keys takes pending set-1 scan codes the host
     * queued (0 when none); console_close: the VM no longer uses it. These
     * four are optional: without them a VM has no text console. */
    void *(*console_open)(void *host_vm);
    void (*console_update)(void *console, const struct v3_console_state *state);
    unsigned long (*console_read_keys)(void *console, unsigned char *codes, unsigned long size);
    void (*console_close)(void *console);
};

#ifdef __cplusplus
}
#endif

#endif /* V3_HOST_H */
