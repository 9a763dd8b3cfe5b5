// SPDX-License-Identifier: GPL-2.0
/* The Linux implementation of the VMM core's host services table. */
#include <linux/delay.h>
#include <linux/gfp.h>
#include <linux/ktime.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/printk.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <asm/io.h>
#include <asm/fpu/api.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/tsc.h>

#include "guests.h"
#include "v3vee_glue.h"

static void host_vprint(enum v3_log_level level, const char *fmt, v3_va_list args)
{
	struct va_format vaf;
	va_list copy;

	va_copy(copy, args);
	vaf.fmt = fmt;
	vaf.va = &copy;
	switch (level) {
	case V3_LOG_ERROR:
		printk(KERN_ERR "%pV", &vaf);
		break;
	case V3_LOG_WARNING:
		printk(KERN_WARNING "%pV", &vaf);
		break;
	case V3_LOG_INFO:
		printk(KERN_INFO "%pV", &vaf);
		break;
	default:
		printk(KERN_DEBUG "%pV", &vaf);
		break;
	}
	va_end(copy);
}

/* alloc_pages blocks are naturally aligned to their size, so the order is
 * chosen from the page count alone and free_pages can recompute it; an
 * alignment larger than the block is refused rather than silently ignored. */
/* What the core holds right now, for V3_HOST_INFO: a VM that is freed must
 * bring both back to where they were (the leak tests compare them). */
static atomic64_t v3_live_allocations = ATOMIC64_INIT(0);
static atomic64_t v3_live_pages = ATOMIC64_INIT(0);

void v3_core_memory_stats(unsigned long long *allocations, unsigned long long *pages)
{
	*allocations = atomic64_read(&v3_live_allocations);
	*pages = atomic64_read(&v3_live_pages);
}

static unsigned int order_for(unsigned long num_pages)
{
	return get_order(num_pages << PAGE_SHIFT);
}

static v3_paddr_t host_allocate_pages(unsigned long num_pages, unsigned long alignment)
{
	unsigned int order;
	struct page *page;

	if (num_pages == 0 || alignment < PAGE_SIZE || (alignment & (alignment - 1)))
		return 0;
	order = order_for(num_pages);
	if (order > MAX_ORDER - 1 || alignment > (PAGE_SIZE << order)) {
		pr_warn("v3vee: cannot allocate %lu pages aligned to %lu bytes\n", num_pages,
			alignment);
		return 0;
	}
	page = alloc_pages(GFP_KERNEL | __GFP_ZERO, order);
	if (!page)
		return 0;
	atomic64_add(num_pages, &v3_live_pages);
	return page_to_phys(page);
}

static void host_free_pages(v3_paddr_t paddr, unsigned long num_pages)
{
	if (paddr && num_pages) {
		__free_pages(pfn_to_page(paddr >> PAGE_SHIFT), order_for(num_pages));
		atomic64_sub(num_pages, &v3_live_pages);
	}
}

static v3_paddr_t host_allocate_guest_memory(unsigned long num_pages)
{
	return v3_pool_take(num_pages);
}

static void host_free_guest_memory(v3_paddr_t paddr, unsigned long num_pages)
{
	v3_pool_give_back(paddr, num_pages);
}

static void *host_malloc(unsigned long size)
{
	void *ptr = kvmalloc(size, GFP_KERNEL);

	if (ptr)
		atomic64_inc(&v3_live_allocations);
	return ptr;
}

static void host_free(void *ptr)
{
	if (ptr)
		atomic64_dec(&v3_live_allocations);
	kvfree(ptr);
}

static void *host_paddr_to_vaddr(v3_paddr_t paddr)
{
	return __va(paddr);
}

/* Only valid for addresses in the kernel's direct map (pages and small
 * kmallocs), which is all the core asks it for. */
static v3_paddr_t host_vaddr_to_paddr(const void *vaddr)
{
	return __pa(vaddr);
}

static void *host_mutex_alloc(void)
{
	struct mutex *m = kmalloc(sizeof(*m), GFP_KERNEL);

	if (m)
		mutex_init(m);
	return m;
}

static void host_mutex_free(void *m)
{
	if (m)
		mutex_destroy(m);
	kfree(m);
}

static void host_mutex_lock(void *m)
{
	mutex_lock(m);
}

static void host_mutex_unlock(void *m)
{
	mutex_unlock(m);
}

/* A reference is held on the task from creation to thread_stop, so stopping a
 * thread whose function already returned is safe. */
static void *host_thread_start(int (*fn)(void *), void *arg, const char *name, int cpu)
{
	struct task_struct *task;

	task = kthread_create(fn, arg, "%s", name ? name : "v3vee");
	if (IS_ERR(task))
		return NULL;
	if (cpu >= 0 && cpu < nr_cpu_ids && cpu_online(cpu))
		kthread_bind(task, cpu);
	get_task_struct(task);
	wake_up_process(task);
	return task;
}

static int host_thread_should_stop(void)
{
	return kthread_should_stop();
}

static int host_thread_stop(void *thread)
{
	struct task_struct *task = thread;
	int rc = kthread_stop(task);

	put_task_struct(task);
	return rc;
}

static unsigned int host_cpu_count(void)
{
	return nr_cpu_ids;
}

static int host_cpu_online(unsigned int cpu)
{
	return cpu < nr_cpu_ids && cpu_online(cpu);
}

static unsigned int host_current_cpu(void)
{
	return raw_smp_processor_id();
}

static int host_call_on_cpu(unsigned int cpu, void (*fn)(void *), void *arg)
{
	if (cpu >= nr_cpu_ids)
		return -ENXIO;
	return smp_call_function_single(cpu, fn, arg, 1);
}

static unsigned int host_cpu_khz(void)
{
	return tsc_khz;
}

static void host_cpuid(unsigned int leaf, unsigned int subleaf, unsigned int regs[4])
{
	cpuid_count(leaf, subleaf, &regs[0], &regs[1], &regs[2], &regs[3]);
}

static int host_read_msr(unsigned int msr, v3_u64 *value)
{
	u64 v;

	if (rdmsrl_safe(msr, &v))
		return -EIO;
	*value = v;
	return 0;
}

static int host_write_msr(unsigned int msr, v3_u64 value)
{
	return wrmsrl_safe(msr, value) ? -EIO : 0;
}

static void host_fpu_begin(void)
{
	kernel_fpu_begin();
}

static void host_fpu_end(void)
{
	kernel_fpu_end();
}

static v3_u64 host_monotonic_ns(void)
{
	return ktime_get_ns();
}

static void host_yield_cpu(void)
{
	cond_resched();
}

static void host_sleep_us(unsigned long usec)
{
	if (usec >= 20000)
		msleep(usec / 1000);
	else
		usleep_range(usec, usec + usec / 8 + 1);
}

const struct v3_host_services v3_linux_host_services = {
	.version = V3_HOST_SERVICES_VERSION,
	.vprint = host_vprint,
	.allocate_pages = host_allocate_pages,
	.free_pages = host_free_pages,
	.allocate_guest_memory = host_allocate_guest_memory,
	.free_guest_memory = host_free_guest_memory,
	.stream_open = v3_host_stream_open,
	.stream_write = v3_host_stream_write,
	.stream_read = v3_host_stream_read,
	.stream_close = v3_host_stream_close,
	.malloc = host_malloc,
	.free = host_free,
	.paddr_to_vaddr = host_paddr_to_vaddr,
	.vaddr_to_paddr = host_vaddr_to_paddr,
	.mutex_alloc = host_mutex_alloc,
	.mutex_free = host_mutex_free,
	.mutex_lock = host_mutex_lock,
	.mutex_unlock = host_mutex_unlock,
	.thread_start = host_thread_start,
	.thread_should_stop = host_thread_should_stop,
	.thread_stop = host_thread_stop,
	.cpu_count = host_cpu_count,
	.cpu_online = host_cpu_online,
	.current_cpu = host_current_cpu,
	.call_on_cpu = host_call_on_cpu,
	.cpu_khz = host_cpu_khz,
	.cpuid = host_cpuid,
	.read_msr = host_read_msr,
	.write_msr = host_write_msr,
	.fpu_begin = host_fpu_begin,
	.fpu_end = host_fpu_end,
	.monotonic_ns = host_monotonic_ns,
	.yield_cpu = host_yield_cpu,
	.sleep_us = host_sleep_us,

	/* Passthrough grants (issue 20): passthrough_grants.c. */
	.passthrough_allowed = v3_passthrough_allowed,

	/* Time, waiting and kicks (issue 10 item 3): timers.c, streams.c. */
	.waiter_alloc = v3_host_waiter_alloc,
	.waiter_free = v3_host_waiter_free,
	.waiter_wait = v3_host_waiter_wait,
	.waiter_wake = v3_host_waiter_wake,
	.timer_alloc = v3_host_timer_alloc,
	.timer_free = v3_host_timer_free,
	.timer_arm = v3_host_timer_arm,
	.timer_cancel = v3_host_timer_cancel,
	.kick_alloc = v3_host_kick_alloc,
	.kick_free = v3_host_kick_free,
	.kick_cpu = v3_host_kick_cpu,
	.stream_set_input_notify = v3_host_stream_set_input_notify,

	.console_open = v3_host_console_open,
	.console_update = v3_host_console_update,
	.console_read_keys = v3_host_console_read_keys,
	.console_close = v3_host_console_close,
};
