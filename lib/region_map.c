/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "region_map.h"

#include <stdlib.h>
#include <string.h>

int pd_map_init(struct pd_map *m, const struct pd_rr *boot, uint64_t page_size,
		struct pd_error *err)
{
	memset(m, 0, sizeof(*m));
	if (!page_size || (page_size & (page_size - 1)))
		return pd_fail(err, "page size %llu is not a power of two",
			       (unsigned long long)page_size);
	m->page_size = page_size;
	if (boot->overlapping)
		return pd_fail(err, "the dump's areas overlap in reserved memory; "
			       "releasing from this layout could free dump content, so nothing will be released");
	if (!boot->ndump)
		return 0;
	m->r = malloc(boot->ndump * sizeof(*m->r));
	if (!m->r)
		return pd_fail(err, "region map: out of memory");
	memcpy(m->r, boot->dump, boot->ndump * sizeof(*m->r));
	m->n = boot->ndump;
	return 0;
}

void pd_map_free(struct pd_map *m)
{
	free(m->r);
	memset(m, 0, sizeof(*m));
}

/* First area whose crashed range ends above @paddr. */
static size_t first_area(const struct pd_map *m, uint64_t paddr)
{
	size_t lo = 0, hi = m->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->r[mid].src + m->r[mid].len > paddr)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/* Call @fn for each part of crashed [paddr, paddr + len) held by an area,
 * with the reserved range holding it (not rounded). */
static int walk(const struct pd_map *m, uint64_t paddr, uint64_t len,
		int (*fn)(void *arg, uint64_t raddr, uint64_t rend), void *arg)
{
	uint64_t end = paddr + len;
	size_t i;

	if (end < paddr)
		end = UINT64_MAX;
	for (i = first_area(m, paddr); i < m->n && m->r[i].src < end; i++) {
		const struct pd_range *a = &m->r[i];
		uint64_t cs = paddr > a->src ? paddr : a->src;
		uint64_t ce = end < a->src + a->len ? end : a->src + a->len;
		int rc;

		if (cs >= ce)
			continue;
		rc = fn(arg, a->addr + (cs - a->src), a->addr + (ce - a->src));
		if (rc)
			return rc;
	}
	return 0;
}

struct round_inward {
	uint64_t mask;
	pd_map_cb cb;
	void *arg;
};

static int yield_whole_pages(void *arg, uint64_t rs, uint64_t re)
{
	const struct round_inward *r = arg;

	/* Inward: a page only partly ours must stay reserved. */
	if (rs & r->mask) {
		if (rs > UINT64_MAX - r->mask)
			return 0;
		rs = (rs + r->mask) & ~r->mask;
	}
	re &= ~r->mask;
	return rs < re ? r->cb(r->arg, rs, re - rs) : 0;
}

int pd_map_reserved(const struct pd_map *m, uint64_t paddr, uint64_t len,
		    pd_map_cb cb, void *arg)
{
	struct round_inward r = { m->page_size - 1, cb, arg };

	return walk(m, paddr, len, yield_whole_pages, &r);
}

static int add_bytes(void *arg, uint64_t rs, uint64_t re)
{
	*(uint64_t *)arg += re - rs;
	return 0;
}

uint64_t pd_map_held_bytes(const struct pd_map *m, uint64_t paddr, uint64_t len)
{
	uint64_t t = 0;

	walk(m, paddr, len, add_bytes, &t);
	return t;
}
