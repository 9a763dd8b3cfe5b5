/* Internal interface between the glue files of v3vee.ko. */
#ifndef V3VEE_GLUE_H
#define V3VEE_GLUE_H

#include <v3/host.h>

#define V3VEE_MODULE_VERSION "0.1.0"

extern const struct v3_host_services v3_linux_host_services;

int v3_control_device_create(void);
void v3_control_device_destroy(void);

void v3_core_memory_stats(unsigned long long *allocations, unsigned long long *pages);

int v3_pool_add(unsigned long long bytes, unsigned long long *added);
void v3_pool_stats(unsigned long long *total, unsigned long long *free);
v3_paddr_t v3_pool_take(unsigned long num_pages);
void v3_pool_give_back(v3_paddr_t paddr, unsigned long num_pages);
void v3_pool_release_all(void);

/* passthrough_grants.c: the passthrough_allowed host service. */
int v3_passthrough_allowed(v3_paddr_t start, v3_u64 size);

int v3_procfs_create(void);
void v3_procfs_destroy(void);

#endif
