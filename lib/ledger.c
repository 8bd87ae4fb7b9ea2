/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "ledger.h"

#include <inttypes.h>
#include <string.h>

void pd_ledger_init(struct pd_ledger *l, uint64_t min_pfns,
		    pd_ledger_release_fn release, void *arg)
{
	memset(l, 0, sizeof(*l));
	pd_rangeset_init(&l->written);
	pd_rangeset_init(&l->ready);
	pd_rangeset_init(&l->pinned);
	pd_rangeset_init(&l->released);
	l->min_pfns = min_pfns ? min_pfns : 1;
	l->release = release;
	l->arg = arg;
}

void pd_ledger_free(struct pd_ledger *l)
{
	pd_rangeset_free(&l->written);
	pd_rangeset_free(&l->ready);
	pd_rangeset_free(&l->pinned);
	pd_rangeset_free(&l->released);
}

static int fail_oom(struct pd_ledger *l)
{
	l->failed = true;
	return pd_fail(&l->error, "release ledger: out of memory; releasing stopped");
}

/* Hand [s, e) to the callback and record it released. */
static int emit(struct pd_ledger *l, uint64_t s, uint64_t e)
{
	if (pd_rangeset_intersects(&l->released, s, e)) {
		l->failed = true;
		return pd_fail(&l->error,
			       "release ledger: pfns 0x%" PRIx64 "-0x%" PRIx64 " were already released (internal error)",
			       s, e);
	}
	if (l->release(l->arg, s, e)) {
		l->failed = true;
		return pd_fail(&l->error,
			       "release ledger: releasing pfns 0x%" PRIx64 "-0x%" PRIx64 " failed; releasing stopped",
			       s, e);
	}
	if (pd_rangeset_remove(&l->ready, s, e) || pd_rangeset_add(&l->released, s, e))
		return fail_oom(l);
	l->stats.released_pfns += e - s;
	l->stats.releases++;
	return 0;
}

/* Call @fn(l, start, end, min) for each maximal part of [s, e) outside @x.
 * @fn must not modify @x. */
static int each_gap(struct pd_ledger *l, const struct pd_rangeset *x, uint64_t s, uint64_t e,
		    uint64_t min, int (*fn)(struct pd_ledger *, uint64_t, uint64_t, uint64_t))
{
	size_t i = pd_rangeset_lower(x, s);
	uint64_t cur = s;

	for (; cur < e && i < x->n && x->iv[i].start < e; i++) {
		if (x->iv[i].start > cur && fn(l, cur, x->iv[i].start, min))
			return -1;
		cur = x->iv[i].end;
	}
	if (cur < e && fn(l, cur, e, min))
		return -1;
	return 0;
}

static int emit_if_long(struct pd_ledger *l, uint64_t s, uint64_t e, uint64_t min)
{
	return e - s >= min ? emit(l, s, e) : 0;
}

static int add_ready(struct pd_ledger *l, uint64_t s, uint64_t e, uint64_t min)
{
	(void)min;
	return pd_rangeset_add(&l->ready, s, e) ? fail_oom(l) : 0;
}

/* Emit the unpinned parts, of at least @min pfns, of the ready run [rs, re). */
static int emit_run(struct pd_ledger *l, uint64_t rs, uint64_t re, uint64_t min)
{
	return each_gap(l, &l->pinned, rs, re, min, emit_if_long);
}

/* Consider every ready run intersecting [s, e) (touching runs included). */
static int consider(struct pd_ledger *l, uint64_t s, uint64_t e, uint64_t min)
{
	size_t i = pd_rangeset_lower(&l->ready, s ? s - 1 : 0);

	while (!l->failed && i < l->ready.n && l->ready.iv[i].start <= e) {
		struct pd_interval run = l->ready.iv[i];
		size_t before = l->ready.n;

		if (emit_run(l, run.start, run.end, min))
			return -1;
		/* emit() removed whole runs or pieces; re-find our place. */
		if (l->ready.n == before && i < l->ready.n &&
		    l->ready.iv[i].start == run.start && l->ready.iv[i].end == run.end)
			i++;
		else
			i = pd_rangeset_lower(&l->ready, run.end);
	}
	return l->failed ? -1 : 0;
}

/* Add [s, e) minus what is already released to the ready set. */
static int make_ready(struct pd_ledger *l, uint64_t s, uint64_t e)
{
	return each_gap(l, &l->released, s, e, 0, add_ready);
}

int pd_ledger_excluded(struct pd_ledger *l, uint64_t start, uint64_t end)
{
	if (start >= end)
		return l->failed ? -1 : 0;
	if (make_ready(l, start, end))
		return -1;
	l->stats.excluded_pfns += end - start;
	if (l->failed)
		return -1;
	return consider(l, start, end, l->min_pfns);
}

int pd_ledger_written(struct pd_ledger *l, uint64_t start, uint64_t end)
{
	if (start >= end)
		return l->failed ? -1 : 0;
	if (pd_rangeset_intersects(&l->released, start, end)) {
		l->failed = true;
		return pd_fail(&l->error,
			       "release ledger: pfns 0x%" PRIx64 "-0x%" PRIx64 " were written after their memory was released",
			       start, end);
	}
	if (pd_rangeset_add(&l->written, start, end))
		return fail_oom(l);
	l->stats.written_pfns += end - start;
	return l->failed ? -1 : 0;
}

/* The pfns of @moved (taken out of ->written) are durable: ready, then
 * emitted where runs are long enough.  Frees @moved. */
static int make_durable(struct pd_ledger *l, struct pd_rangeset *moved)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < moved->n && !rc; i++) {
		l->stats.durable_pfns += moved->iv[i].end - moved->iv[i].start;
		rc = make_ready(l, moved->iv[i].start, moved->iv[i].end);
	}
	for (i = 0; i < moved->n && !rc && !l->failed; i++)
		rc = consider(l, moved->iv[i].start, moved->iv[i].end, l->min_pfns);
	pd_rangeset_free(moved);
	return rc || l->failed ? -1 : 0;
}

int pd_ledger_durable(struct pd_ledger *l)
{
	struct pd_rangeset moved = l->written;

	pd_rangeset_init(&l->written);
	return make_durable(l, &moved);
}

int pd_ledger_durable_in(struct pd_ledger *l, const struct pd_rangeset *set)
{
	struct pd_rangeset moved;
	size_t i, j;

	if (l->failed)
		return -1;
	pd_rangeset_init(&moved);
	for (i = 0; i < set->n; i++) {
		const struct pd_interval *a = &set->iv[i];

		for (j = pd_rangeset_lower(&l->written, a->start);
		     j < l->written.n && l->written.iv[j].start < a->end; j++) {
			uint64_t s = a->start > l->written.iv[j].start ? a->start : l->written.iv[j].start;
			uint64_t e = a->end < l->written.iv[j].end ? a->end : l->written.iv[j].end;

			if (pd_rangeset_add(&moved, s, e))
				return pd_rangeset_free(&moved), fail_oom(l);
		}
	}
	for (i = 0; i < moved.n; i++)
		if (pd_rangeset_remove(&l->written, moved.iv[i].start, moved.iv[i].end))
			return pd_rangeset_free(&moved), fail_oom(l);
	return make_durable(l, &moved);
}

int pd_ledger_pin(struct pd_ledger *l, uint64_t start, uint64_t end)
{
	if (start >= end)
		return l->failed ? -1 : 0;
	if (pd_rangeset_intersects(&l->released, start, end)) {
		l->failed = true;
		return pd_fail(&l->error,
			       "release ledger: cannot pin pfns 0x%" PRIx64 "-0x%" PRIx64 ": already released",
			       start, end);
	}
	if (pd_rangeset_add(&l->pinned, start, end))
		return fail_oom(l);
	return l->failed ? -1 : 0;
}

int pd_ledger_unpin(struct pd_ledger *l, uint64_t start, uint64_t end)
{
	if (start >= end)
		return l->failed ? -1 : 0;
	if (pd_rangeset_remove(&l->pinned, start, end))
		return fail_oom(l);
	if (l->failed)
		return -1;
	return consider(l, start, end, l->min_pfns);
}

int pd_ledger_flush(struct pd_ledger *l)
{
	if (l->failed)
		return -1;
	return consider(l, 0, UINT64_MAX, 1);
}

uint64_t pd_ledger_ready_pfns(const struct pd_ledger *l)
{
	return pd_rangeset_total(&l->ready);
}
