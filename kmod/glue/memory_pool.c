// SPDX-License-Identifier: GPL-2.0
/* The memory reserved for guests (V3_ADD_MEMORY, v3_mem): 2 MB blocks taken
 * from the buddy allocator up front, so guest RAM never competes with the host
 * at VM creation time and freeing a VM visibly returns every block. A guest
 * allocation takes one whole block (the last, partial chunk of a VM's RAM
 * too: simpler than splitting, and at most 2 MB per VM). */
#include <linux/gfp.h>
#include <linux/list.h>
#include <linux/mm.h>
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

int v3_pool_add(unsigned long long bytes, unsigned long long *added)
{
	unsigned long count = DIV_ROUND_UP(bytes, V3_BLOCK_PAGES << PAGE_SHIFT);
	unsigned long i;
	int rc = 0;

	*added = 0;
	mutex_lock(&v3_pool_lock);
	for (i = 0; i < count; i++) {
		struct v3_block *block = kzalloc(sizeof(*block), GFP_KERNEL);

		if (block)
			block->page = alloc_pages(GFP_KERNEL | __GFP_NOWARN | __GFP_RETRY_MAYFAIL,
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
		pr_warn("v3vee: reserved %llu of %llu bytes for guests: the host is out of 2 MB blocks\n",
			*added, bytes);
	return rc;
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
