// SPDX-License-Identifier: GPL-2.0
/* The memory reserved for guests (V3_ADD_MEMORY, v3_mem): 2 MB blocks taken
 * from the buddy allocator up front, so guest RAM never competes with the host
 * at VM creation time and freeing a VM visibly returns every block. A guest
 * allocation takes one whole block (the last, partial chunk of a VM's RAM
 * too: simpler than splitting, and at most 2 MB per VM).
 *
 * The pool never takes the host below a floor of free memory (module
 * parameter min_host_free_mb; default the larger of 10% of RAM and 256 MB),
 * and free blocks go back to the host on V3_RELEASE_MEMORY (v3_mem
 * --release) or, with shrink_on_free=1, as soon as a freed VM returns them. */
#include <linux/gfp.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <asm/io.h>

#include "v3vee_glue.h"

#define V3_BLOCK_ORDER 9 /* 2 MB */
#define V3_BLOCK_PAGES (1UL << V3_BLOCK_ORDER)

struct v3_block {
	struct list_head link;
	struct page *page;
	bool in_use;
};

static LIST_HEAD(v3_blocks);
static DEFINE_MUTEX(v3_pool_lock);
static unsigned long v3_blocks_total;
static unsigned long v3_blocks_free;

static unsigned int min_host_free_mb;
module_param(min_host_free_mb, uint, 0644);
MODULE_PARM_DESC(min_host_free_mb,
		 "host memory (MB) that guest reservations and images never take (0: the larger of 10% of RAM and 256 MB)");

static bool shrink_on_free;
module_param(shrink_on_free, bool, 0644);
MODULE_PARM_DESC(shrink_on_free,
		 "give a freed VM's guest memory back to the host instead of keeping it reserved");

#define V3_BLOCK_BYTES ((unsigned long long)V3_BLOCK_PAGES << PAGE_SHIFT)

unsigned long long v3_host_floor_bytes(void)
{
	unsigned long long tenth = ((unsigned long long)totalram_pages() << PAGE_SHIFT) / 10;

	if (min_host_free_mb)
		return (unsigned long long)min_host_free_mb << 20;
	return max(tenth, 256ULL << 20);
}

static unsigned long long v3_host_available_bytes(void)
{
	return (unsigned long long)si_mem_available() << PAGE_SHIFT;
}

int v3_pool_add(unsigned long long bytes, unsigned long long *added,
		unsigned long long *available, unsigned long long *floor)
{
	unsigned long count = DIV_ROUND_UP(bytes, V3_BLOCK_BYTES);
	unsigned long i;
	int rc = 0;

	*added = 0;
	*floor = v3_host_floor_bytes();
	mutex_lock(&v3_pool_lock);
	*available = v3_host_available_bytes();
	if (count * V3_BLOCK_BYTES > *available || *available - count * V3_BLOCK_BYTES < *floor) {
		mutex_unlock(&v3_pool_lock);
		pr_warn("v3vee: refused to reserve %llu MB for guests: the host has %llu MB available and keeps %llu MB free (min_host_free_mb)\n",
			(count * V3_BLOCK_BYTES) >> 20, *available >> 20, *floor >> 20);
		return -ENOMEM;
	}
	for (i = 0; i < count; i++) {
		struct v3_block *block;

		/* Others allocate meanwhile: keep the floor block by block. */
		if (v3_host_available_bytes() < *floor + V3_BLOCK_BYTES) {
			rc = -ENOMEM;
			break;
		}
		block = kzalloc(sizeof(*block), GFP_KERNEL);

		if (block)
			/* Charged to the reserving process's memory cgroup;
			 * fails rather than invoking the OOM killer. */
			block->page = alloc_pages(GFP_KERNEL_ACCOUNT | __GFP_NOWARN |
							  __GFP_RETRY_MAYFAIL,
						  V3_BLOCK_ORDER);
		if (!block || !block->page) {
			kfree(block);
			rc = -ENOMEM;
			break;
		}
		list_add_tail(&block->link, &v3_blocks);
		v3_blocks_total++;
		v3_blocks_free++;
		*added += V3_BLOCK_PAGES << PAGE_SHIFT;
	}
	mutex_unlock(&v3_pool_lock);
	if (rc)
		pr_warn("v3vee: reserved %llu of %llu MB for guests: the host ran out of 2 MB blocks above its %llu MB floor\n",
			*added >> 20, (count * V3_BLOCK_BYTES) >> 20, *floor >> 20);
	return rc;
}

/* Called with v3_pool_lock held; the block must be free. */
static void v3_pool_drop_block(struct v3_block *block)
{
	list_del(&block->link);
	__free_pages(block->page, V3_BLOCK_ORDER);
	kfree(block);
	v3_blocks_total--;
	v3_blocks_free--;
}

unsigned long long v3_pool_release(unsigned long long bytes)
{
	struct v3_block *block, *next;
	unsigned long long released = 0;

	mutex_lock(&v3_pool_lock);
	list_for_each_entry_safe(block, next, &v3_blocks, link) {
		if (bytes && released >= bytes)
			break;
		if (block->in_use)
			continue;
		v3_pool_drop_block(block);
		released += V3_BLOCK_BYTES;
	}
	mutex_unlock(&v3_pool_lock);
	if (released)
		pr_info_ratelimited("v3vee: gave %llu MB of guest memory back to the host\n",
				    released >> 20);
	return released;
}

void v3_pool_stats(unsigned long long *total, unsigned long long *free)
{
	mutex_lock(&v3_pool_lock);
	*total = (unsigned long long)v3_blocks_total * (V3_BLOCK_PAGES << PAGE_SHIFT);
	*free = (unsigned long long)v3_blocks_free * (V3_BLOCK_PAGES << PAGE_SHIFT);
	mutex_unlock(&v3_pool_lock);
}

v3_paddr_t v3_pool_take(unsigned long num_pages)
{
	struct v3_block *block;
	v3_paddr_t paddr = 0;

	if (num_pages == 0 || num_pages > V3_BLOCK_PAGES)
		return 0;
	mutex_lock(&v3_pool_lock);
	list_for_each_entry(block, &v3_blocks, link) {
		if (block->in_use)
			continue;
		block->in_use = true;
		v3_blocks_free--;
		paddr = page_to_phys(block->page);
		break;
	}
	mutex_unlock(&v3_pool_lock);
	if (paddr)
		memset(__va(paddr), 0, num_pages << PAGE_SHIFT);
	return paddr;
}

void v3_pool_give_back(v3_paddr_t paddr, unsigned long num_pages)
{
	struct v3_block *block;

	mutex_lock(&v3_pool_lock);
	list_for_each_entry(block, &v3_blocks, link) {
		if (block->in_use && page_to_phys(block->page) == paddr) {
			block->in_use = false;
			v3_blocks_free++;
			if (shrink_on_free)
				v3_pool_drop_block(block);
			break;
		}
	}
	mutex_unlock(&v3_pool_lock);
}

/* Called at unload, when no VM exists any more. */
void v3_pool_release_all(void)
{
	struct v3_block *block, *next;

	mutex_lock(&v3_pool_lock);
	list_for_each_entry_safe(block, next, &v3_blocks, link) {
		if (block->in_use)
			pr_warn("v3vee: a guest memory block was still in use at unload\n");
		__free_pages(block->page, V3_BLOCK_ORDER);
		list_del(&block->link);
		kfree(block);
	}
	v3_blocks_total = v3_blocks_free = 0;
	mutex_unlock(&v3_pool_lock);
}
