/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "releaser.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

void pd_releaser_init(struct pd_releaser *r, const struct pd_map *map,
		      struct pd_journal *journal, struct pd_backend *backend,
		      const struct pd_rangeset *already, uint64_t pfn_bytes)
{
	memset(r, 0, sizeof(*r));
	r->map = map;
	r->journal = journal;
	r->backend = backend;
	r->already = already;
	r->pfn_bytes = pfn_bytes;
}

struct pieces {
	struct pd_interval *iv;
	size_t n, cap;
	const struct pd_rangeset *already;
};

static int collect(void *arg, uint64_t addr, uint64_t len)
{
	struct pieces *p = arg;

	if (p->already && pd_rangeset_covers(p->already, addr, addr + len))
		return 0;
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 8;
		struct pd_interval *iv = realloc(p->iv, cap * sizeof(*iv));

		if (!iv)
			return -1;
		p->iv = iv;
		p->cap = cap;
	}
	p->iv[p->n].start = addr;
	p->iv[p->n].end = addr + len;
	p->n++;
	return 0;
}

static int issue(struct pd_releaser *r, const struct pd_interval *iv, size_t n)
{
	size_t i;

	if (r->journal) {
		for (i = 0; i < n; i++)
			if (pd_journal_add_release(r->journal, iv[i].start,
						   iv[i].end - iv[i].start, &r->error))
				goto fail;
		if (pd_journal_sync(r->journal, &r->error))
			goto fail;
	}
	for (i = 0; i < n; i++) {
		uint64_t len = iv[i].end - iv[i].start;

		if (pd_backend_release(r->backend, iv[i].start, len, &r->error)) {
			/* Nothing went back: say so, or a rerun would count it
			 * as released (best effort: the release failed anyway). */
			if (r->journal)
				(void)pd_journal_add_refused(r->journal, iv[i].start, len, NULL);
			r->error.kind = PD_ERR_KERNEL;
			goto fail;
		}
		r->bytes_released += len;
		r->writes++;
		if (r->on_release)
			r->on_release(r->on_release_arg, iv[i].start, len);
	}
	return 0;
fail:
	r->failed = true;
	return -1;
}

void pd_releaser_set_batch(struct pd_releaser *r, bool batch)
{
	r->batch = batch;
}

void pd_releaser_free(struct pd_releaser *r)
{
	free(r->pend);
	r->pend = NULL;
	r->npend = r->cappend = 0;
}

/* Batch mode: keep @n ranges for the next commit. */
static int defer(struct pd_releaser *r, const struct pd_interval *iv, size_t n)
{
	if (!n)
		return 0;	/* a run that holds no whole page */
	if (r->npend + n > r->cappend) {
		size_t cap = r->cappend ? r->cappend : 64;
		struct pd_interval *p;

		while (cap < r->npend + n)
			cap *= 2;
		p = realloc(r->pend, cap * sizeof(*p));
		if (!p) {
			r->failed = true;
			return pd_fail(&r->error, "releaser: out of memory");
		}
		r->pend = p;
		r->cappend = cap;
	}
	memcpy(r->pend + r->npend, iv, n * sizeof(*iv));
	r->npend += n;
	return 0;
}

int pd_releaser_commit(struct pd_releaser *r)
{
	int rc;

	if (r->failed)
		return -1;
	if (!r->npend)
		return 0;
	rc = issue(r, r->pend, r->npend);
	r->npend = 0;
	return rc;
}

int pd_releaser_pfns(void *releaser, uint64_t pfn_start, uint64_t pfn_end)
{
	struct pd_releaser *r = releaser;
	struct pieces p = { NULL, 0, 0, r->already };
	int rc;

	if (r->failed)
		return -1;
	if (pfn_end > UINT64_MAX / r->pfn_bytes) {
		r->failed = true;
		return pd_fail(&r->error, "pfn 0x%" PRIx64 " is beyond the address space", pfn_end);
	}
	if (pd_map_reserved(r->map, pfn_start * r->pfn_bytes,
			    (pfn_end - pfn_start) * r->pfn_bytes, collect, &p)) {
		free(p.iv);
		r->failed = true;
		return pd_fail(&r->error, "releaser: out of memory");
	}
	rc = r->batch ? defer(r, p.iv, p.n) : issue(r, p.iv, p.n);
	free(p.iv);
	return rc;
}

int pd_releaser_range(struct pd_releaser *r, uint64_t addr, uint64_t len)
{
	struct pd_interval iv = { addr, addr + len };

	if (r->failed)
		return -1;
	if (!len || (r->already && pd_rangeset_covers(r->already, addr, addr + len)))
		return 0;
	return r->batch ? defer(r, &iv, 1) : issue(r, &iv, 1);
}
