// SPDX-License-Identifier: GPL-2.0
/* Time, waiting and kicks for the VMM core (host services, version 3): a
 * waiter is a wait queue a vcore thread (or a pause request) blocks on until
 * a flag the core owns is raised; a timer is a pinned hard-irq hrtimer, so
 * it fires on the CPU whose guest it must interrupt and its interrupt alone
 * makes VMRUN exit; a kick is an asynchronous call on another CPU, whose IPI
 * makes a guest running there exit (the VMCB intercepts physical INTR). The
 * timer and kick callbacks run in interrupt context and only wake. */
#include <linux/hrtimer.h>
#include <linux/smp.h>
#include <linux/kthread.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/wait.h>

#include "v3vee_glue.h"

struct v3_waiter {
	wait_queue_head_t wait;
};

void *v3_host_waiter_alloc(void)
{
	struct v3_waiter *waiter = kzalloc(sizeof(*waiter), GFP_KERNEL);

	if (waiter)
		init_waitqueue_head(&waiter->wait);
	return waiter;
}

void v3_host_waiter_free(void *waiter)
{
	kfree(waiter);
}

/* A kernel thread (a vcore) waits interruptibly: kthread_stop wakes it, and
 * a long halt must not look like a hung task. Any other caller (a pause
 * request from an ioctl) waits killably with its bounded deadline. */
static bool v3_waiter_done(const volatile unsigned int *flag)
{
	if (READ_ONCE(*flag))
		return true;
	return (current->flags & PF_KTHREAD) && kthread_should_stop();
}

int v3_host_waiter_wait(void *handle, const volatile unsigned int *flag, v3_u64 deadline_ns)
{
	struct v3_waiter *waiter = handle;
	bool kthread = current->flags & PF_KTHREAD;

	if (!deadline_ns) {
		if (kthread)
			(void)wait_event_interruptible(waiter->wait, v3_waiter_done(flag));
		else
			(void)wait_event_killable(waiter->wait, v3_waiter_done(flag));
	} else {
		u64 now = ktime_get_ns();

		if (deadline_ns > now) {
			ktime_t timeout = ns_to_ktime(deadline_ns - now);

			if (kthread)
				(void)wait_event_interruptible_hrtimeout(
					waiter->wait, v3_waiter_done(flag), timeout);
			else
				(void)wait_event_hrtimeout(waiter->wait, v3_waiter_done(flag),
							   timeout);
		}
	}
	return READ_ONCE(*flag) != 0;
}

void v3_host_waiter_wake(void *handle)
{
	struct v3_waiter *waiter = handle;

	wake_up(&waiter->wait);
}

struct v3_timer {
	struct hrtimer timer;
	void (*fn)(void *arg);
	void *arg;
};

static enum hrtimer_restart v3_timer_fired(struct hrtimer *timer)
{
	struct v3_timer *t = container_of(timer, struct v3_timer, timer);

	t->fn(t->arg);
	return HRTIMER_NORESTART;
}

void *v3_host_timer_alloc(void (*fn)(void *arg), void *arg)
{
	struct v3_timer *t;

	if (!fn)
		return NULL;
	t = kzalloc(sizeof(*t), GFP_KERNEL);
	if (!t)
		return NULL;
	hrtimer_init(&t->timer, CLOCK_MONOTONIC, HRTIMER_MODE_ABS_PINNED_HARD);
	t->timer.function = v3_timer_fired;
	t->fn = fn;
	t->arg = arg;
	return t;
}

void v3_host_timer_free(void *handle)
{
	struct v3_timer *t = handle;

	if (!t)
		return;
	hrtimer_cancel(&t->timer);
	kfree(t);
}

void v3_host_timer_arm(void *handle, v3_u64 deadline_ns)
{
	struct v3_timer *t = handle;

	hrtimer_start(&t->timer, ns_to_ktime(deadline_ns), HRTIMER_MODE_ABS_PINNED_HARD);
}

void v3_host_timer_cancel(void *handle)
{
	struct v3_timer *t = handle;

	hrtimer_cancel(&t->timer);
}

/* An asynchronous function call on the target CPU: its IPI is the point.
 * `busy` keeps the call_single_data from being queued twice (the kernel
 * releases an asynchronous csd before running its function, so the function
 * clearing `busy` makes it reusable). */
struct v3_kick {
	call_single_data_t csd;
	atomic_t busy;
};

static void v3_kick_arrived(void *info)
{
	struct v3_kick *kick = info;

	atomic_set_release(&kick->busy, 0);
}

void *v3_host_kick_alloc(void)
{
	struct v3_kick *kick = kzalloc(sizeof(*kick), GFP_KERNEL);

	if (kick)
		INIT_CSD(&kick->csd, v3_kick_arrived, kick);
	return kick;
}

void v3_host_kick_free(void *handle)
{
	struct v3_kick *kick = handle;

	if (!kick)
		return;
	while (atomic_read_acquire(&kick->busy))
		cpu_relax(); /* an IPI in flight lands within microseconds */
	kfree(kick);
}

void v3_host_kick_cpu(void *handle, unsigned int cpu)
{
	struct v3_kick *kick = handle;

	if (cpu >= nr_cpu_ids || !cpu_online(cpu))
		return;
	if (atomic_cmpxchg(&kick->busy, 0, 1) != 0)
		return; /* one kick in flight is enough */
	if (smp_call_function_single_async(cpu, &kick->csd))
		atomic_set_release(&kick->busy, 0);
}
