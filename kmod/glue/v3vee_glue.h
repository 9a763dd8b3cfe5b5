/* Internal interface between the glue files of v3vee.ko. */
#ifndef V3VEE_GLUE_H
#define V3VEE_GLUE_H

#include <v3/host.h>

#define V3VEE_MODULE_VERSION "0.1.0"

extern const struct v3_host_services v3_linux_host_services;

int v3_control_device_create(void);
void v3_control_device_destroy(void);

void v3_core_memory_stats(unsigned long long *allocations, unsigned long long *pages);

/* Reserves up to `bytes` in 2 MB blocks; refuses (-ENOMEM, nothing
 * reserved) when that would leave the host below v3_host_floor_bytes(), and
 * stops early (-ENOMEM, *added short) when the host runs out meanwhile.
 * *available and *floor say what the decision was based on. */
int v3_pool_add(unsigned long long bytes, unsigned long long *added,
		unsigned long long *available, unsigned long long *floor);
/* Gives up to `bytes` (0: all) of the free blocks back to the host. */
unsigned long long v3_pool_release(unsigned long long bytes);
/* Host memory that neither the pool nor guest images may take. */
unsigned long long v3_host_floor_bytes(void);
void v3_pool_stats(unsigned long long *total, unsigned long long *free);
v3_paddr_t v3_pool_take(unsigned long num_pages);
void v3_pool_give_back(v3_paddr_t paddr, unsigned long num_pages);
void v3_pool_release_all(void);

/* passthrough_grants.c: the passthrough_allowed host service. */
int v3_passthrough_allowed(v3_paddr_t start, v3_u64 size);

/* timers.c: waiters, timers and kicks (host services, version 3). */
void *v3_host_waiter_alloc(void);
void v3_host_waiter_free(void *waiter);
int v3_host_waiter_wait(void *waiter, const volatile unsigned int *flag, v3_u64 deadline_ns);
void v3_host_waiter_wake(void *waiter);
void *v3_host_timer_alloc(void (*fn)(void *arg), void *arg);
void v3_host_timer_free(void *timer);
void v3_host_timer_arm(void *timer, v3_u64 deadline_ns);
void v3_host_timer_cancel(void *timer);
void *v3_host_kick_alloc(void);
void v3_host_kick_free(void *kick);
void v3_host_kick_cpu(void *kick, unsigned int cpu);

int v3_procfs_create(void);
void v3_procfs_destroy(void);

#endif
