/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "phyp_release.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"

/* One scan of the first pass: the cycle, the pfns it read, and (once the
 * first pass is over) the pfns whose last first-pass reader it was. */
struct scan_rec {
	uint64_t start, end;
	struct pd_rangeset read;
	struct pd_rangeset last;
};

struct phyp_release {
	/* Every call but open and close holds it (see the header's thread
	 * rule): makedumpfile's worker threads check their reads while the
	 * main thread reports what it writes. */
	pthread_mutex_t lock;
	struct pd_capture cap;
	uint64_t pfn_bytes;
	phyp_release_unmap_fn unmap;
	void *unmap_arg;

	struct scan_rec *scans;		/* first pass, in order */
	size_t nscans, cap_scans;
	bool in_scan, first_pass_done, rescans;
	size_t cur;			/* scan in progress; SIZE_MAX: a rescan of no known cycle */
	size_t rescan_next;		/* where to look for the next rescan's cycle */
	uint64_t fast_lo, fast_hi;	/* pfns known pinned in this scan */

	bool finished, read_refused;
	struct pd_error error;		/* a refused read, or the engine's first failure */
	uint64_t excluded_pfns, written_pfns, nscan, nrescan;
};

/* The writer drops its mappings of a run before the engine releases it:
 * the engine's release observer is too late (the memory is gone by then),
 * so the hook runs from the ledger's callback, ahead of the releaser. */
static int count_piece(void *arg, uint64_t addr, uint64_t len)
{
	(void)addr;
	(void)len;
	++*(size_t *)arg;
	return 0;
}

static int release_pfns(void *arg, uint64_t s, uint64_t e)
{
	struct phyp_release *r = arg;
	size_t pieces = 0;

	/* A run that holds no whole reserved page has nothing to release (its
	 * leftovers go with the whole areas at the end): no unmap either. */
	if (e > UINT64_MAX / r->pfn_bytes)
		return pd_releaser_pfns(&r->cap.rel, s, e);	/* it reports the error */
	pd_map_reserved(&r->cap.map, s * r->pfn_bytes, (e - s) * r->pfn_bytes, count_piece, &pieces);
	if (!pieces)
		return 0;
	if (r->unmap)
		r->unmap(r->unmap_arg, s, e);
	return pd_releaser_pfns(&r->cap.rel, s, e);
}

static bool idle(const struct phyp_release *r)
{
	return r->finished || pd_capture_stopped(&r->cap) || r->read_refused;
}

/* An engine call failed: keep its first message. */
static int stop(struct phyp_release *r)
{
	if (!r->error.msg[0])
		r->error = r->cap.error.msg[0] ? r->cap.error : r->error;
	if (!r->error.msg[0])
		pd_fail(&r->error, "phyp-release: internal error");
	return -1;
}

static int stop_oom(struct phyp_release *r)
{
	struct pd_error e;

	pd_fail(&e, "phyp-release: out of memory; nothing more is released");
	pd_capture_stop(&r->cap, &e);
	return stop(r);
}

static int commit(struct phyp_release *r, int rc)
{
	if (rc)
		return rc;
	return pd_capture_commit(&r->cap) ? stop(r) : 0;
}

struct phyp_release *phyp_release_open(const struct phyp_release_opts *o, struct pd_error *err)
{
	struct pd_capture_opts co;
	struct phyp_release *r;

	if (!o->dump_page_size || (o->dump_page_size & (o->dump_page_size - 1))) {
		pd_fail_kind(err, PD_ERR_USAGE, "phyp-release: page sizes must be powers of two");
		return NULL;
	}
	r = calloc(1, sizeof(*r));
	if (!r) {
		pd_fail(err, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&r->lock, NULL);
	memset(&co, 0, sizeof(co));
	co.root = o->root;
	co.journal = o->journal;
	co.release_region = o->release_region;
	co.sys_page_size = o->sys_page_size;
	co.min_release = o->min_release;
	co.sync_memory = o->sync_interval;
	co.dry_run = o->dry_run;
	co.vmcore = o->vmcore;
	co.require_incremental = true;
	/* No saved records (the file is makedumpfile's own): a later boot
	 * could not serve the pages released here, so a dump re-armed from
	 * here could not be finished.  Only phypdump save re-arms. */
	co.no_rearm = true;
	if (pd_capture_init(&r->cap, &co, err)) {
		pthread_mutex_destroy(&r->lock);
		free(r);
		return NULL;
	}
	if (pd_capture_begin(&r->cap, o->target, -1, NULL, err) ||
	    pd_capture_set_page_size(&r->cap, o->dump_page_size)) {
		pd_capture_fini(&r->cap);
		pthread_mutex_destroy(&r->lock);
		free(r);
		return NULL;
	}
	/* The unmap hook must run before each release: route the ledger
	 * through it (same releaser, same batch). */
	r->cap.ledger.release = release_pfns;
	r->cap.ledger.arg = r;
	/* Pins, not cycles, protect metadata here (see the header): written
	 * pages may go once durable and unpinned. */
	pd_capture_set_cycles(&r->cap, true);
	r->pfn_bytes = o->dump_page_size;
	r->cur = SIZE_MAX;
	return r;
}

void phyp_release_set_unmap_hook(struct phyp_release *r, phyp_release_unmap_fn fn, void *arg)
{
	pthread_mutex_lock(&r->lock);
	r->unmap = fn;
	r->unmap_arg = arg;
	pthread_mutex_unlock(&r->lock);
}

static int do_scan_begin(struct phyp_release *r, uint64_t start, uint64_t end)
{
	size_t i;

	r->in_scan = true;
	r->fast_lo = r->fast_hi = 0;
	if (!r->first_pass_done) {
		r->nscan++;
		if (r->nscans == r->cap_scans) {
			size_t cap = r->cap_scans ? r->cap_scans * 2 : 16;
			struct scan_rec *n = realloc(r->scans, cap * sizeof(*n));

			if (!n)
				return stop_oom(r);
			r->scans = n;
			r->cap_scans = cap;
		}
		r->cur = r->nscans++;
		r->scans[r->cur].start = start;
		r->scans[r->cur].end = end;
		pd_rangeset_init(&r->scans[r->cur].read);
		pd_rangeset_init(&r->scans[r->cur].last);
		return 0;
	}
	/* A rescan: find the first-pass scan of the same cycle (cycles come
	 * in the same order in both passes). */
	r->nrescan++;
	r->cur = SIZE_MAX;
	for (i = r->rescan_next; i < r->nscans; i++)
		if (r->scans[i].start == start && r->scans[i].end == end) {
			r->cur = i;
			r->rescan_next = i + 1;
			break;
		}
	return 0;
}

static int released_read(struct phyp_release *r, uint64_t s, uint64_t e)
{
	r->read_refused = true;
	/* The first failure's message stays (another thread may be reading
	 * it): a later refused read adds nothing the writer does not know. */
	if (!r->error.msg[0])
		pd_fail(&r->error, "phyp-release: pfns 0x%" PRIx64 "-0x%" PRIx64
			" are read after their memory was released; refusing the read", s, e);
	/* Nothing decided so far may be made either. */
	pd_capture_stop(&r->cap, &r->error);
	return -1;
}

static int do_read(struct phyp_release *r, uint64_t paddr, uint64_t len)
{
	uint64_t s, e;

	if (!len)
		return 0;
	s = paddr / r->pfn_bytes;
	e = paddr + len - 1 < paddr ? UINT64_MAX : (paddr + len - 1) / r->pfn_bytes + 1;
	if (r->in_scan && s >= r->fast_lo && e <= r->fast_hi)
		return 0;	/* pinned a moment ago: cannot be released */
	if (pd_capture_pfns_released(&r->cap, s, e))
		return released_read(r, s, e);
	if (!r->in_scan || idle(r))
		return 0;
	if (!r->first_pass_done) {
		if (pd_rangeset_add(&r->scans[r->cur].read, s, e))
			return stop_oom(r);
		if (pd_capture_pin(&r->cap, s, e))
			return stop(r);
	} else if (!pd_rangeset_covers(&r->cap.ledger.pinned, s, e)) {
		/* Not read by the first pass: keep it to the end. */
		if (pd_capture_pin(&r->cap, s, e))
			return stop(r);
	}
	r->fast_lo = s;
	r->fast_hi = e;
	return 0;
}

static int unpin_set(struct phyp_release *r, const struct pd_rangeset *set)
{
	size_t i;

	for (i = 0; i < set->n && !idle(r); i++)
		if (pd_capture_unpin(&r->cap, set->iv[i].start, set->iv[i].end))
			return stop(r);
	return 0;
}

static int do_scan_end(struct phyp_release *r)
{
	int rc = 0;

	r->in_scan = false;
	r->fast_lo = r->fast_hi = 0;
	if (r->first_pass_done && r->cur != SIZE_MAX) {
		rc = unpin_set(r, &r->scans[r->cur].last);
		pd_rangeset_free(&r->scans[r->cur].last);
	}
	r->cur = SIZE_MAX;
	return commit(r, rc);
}

/* out = a \ b, both sorted and disjoint. */
static int difference(struct pd_rangeset *out, const struct pd_rangeset *a,
		      const struct pd_rangeset *b)
{
	size_t i, j = 0;

	for (i = 0; i < a->n; i++) {
		uint64_t s = a->iv[i].start, e = a->iv[i].end;

		while (j < b->n && b->iv[j].end <= s)
			j++;
		for (size_t k = j; k < b->n && b->iv[k].start < e; k++) {
			if (b->iv[k].start > s && pd_rangeset_add(out, s, b->iv[k].start))
				return -1;
			if (b->iv[k].end > s)
				s = b->iv[k].end;
			if (s >= e)
				break;
		}
		if (s < e && pd_rangeset_add(out, s, e))
			return -1;
	}
	return 0;
}

static int do_scans_done(struct phyp_release *r, bool rescans)
{
	struct pd_rangeset later;
	size_t k;
	int rc = 0;

	if (r->first_pass_done)
		return 0;
	r->first_pass_done = true;
	r->rescans = rescans;
	if (!rescans) {
		/* One cycle: nothing reads metadata again. */
		for (k = 0; k < r->nscans; k++) {
			if (!rc && !idle(r))
				rc = unpin_set(r, &r->scans[k].read);
			pd_rangeset_free(&r->scans[k].read);
		}
		r->nscans = 0;
		return commit(r, rc);
	}
	/* Several cycles: each pfn stays pinned until the rescan of the last
	 * cycle whose first-pass scan read it. */
	pd_rangeset_init(&later);
	for (k = r->nscans; k-- > 0;) {
		struct scan_rec *sc = &r->scans[k];
		size_t i;

		if (difference(&sc->last, &sc->read, &later))
			rc = -1;
		for (i = 0; i < sc->read.n && !rc; i++)
			if (pd_rangeset_add(&later, sc->read.iv[i].start, sc->read.iv[i].end))
				rc = -1;
		pd_rangeset_free(&sc->read);
	}
	pd_rangeset_free(&later);
	return rc ? stop_oom(r) : 0;
}

static int do_excluded(struct phyp_release *r, uint64_t start, uint64_t end)
{
	if (idle(r) || start >= end)
		return 0;
	r->excluded_pfns += end - start;
	if (pd_capture_excluded(&r->cap, start, end))
		return stop(r);
	/* Inside a scan, scan_end makes them all with one journal sync. */
	return r->in_scan ? 0 : commit(r, 0);
}

static int do_written(struct phyp_release *r, uint64_t start, uint64_t end)
{
	if (idle(r) || start >= end)
		return 0;
	r->written_pfns += end - start;
	if (pd_capture_written(&r->cap, start, end))
		return stop(r);
	/* The engine's rule, on memory only: makedumpfile bounds its own
	 * output, and calls again often enough for no interval to matter. */
	return pd_capture_sync_due(&r->cap, 0, UINT64_MAX, 0, HUGE_VAL) ? 1 : 0;
}

static int do_durable(struct phyp_release *r)
{
	if (idle(r))
		return 0;
	return commit(r, pd_capture_durable(&r->cap) ? stop(r) : 0);
}

static int do_finish(struct phyp_release *r, bool ok)
{
	if (r->finished) {
		if (!r->error.msg[0])
			pd_fail(&r->error, "phyp-release: finish called twice");
		return -1;
	}
	r->finished = true;
	if (!ok) {
		pd_capture_stop(&r->cap, NULL);
		return 0;
	}
	if (r->read_refused || pd_capture_stopped(&r->cap))
		return stop(r);
	/* The dump is complete and durable: everything goes, pins included. */
	if (r->unmap)
		r->unmap(r->unmap_arg, 0, UINT64_MAX);
	return pd_capture_end(&r->cap) ? stop(r) : 0;
}

/* The public calls: each one whole under the session's lock. */
#define LOCKED(r, call)							\
	do {								\
		int rc_;						\
									\
		pthread_mutex_lock(&(r)->lock);				\
		rc_ = (call);						\
		pthread_mutex_unlock(&(r)->lock);			\
		return rc_;						\
	} while (0)

int phyp_release_scan_begin(struct phyp_release *r, uint64_t start, uint64_t end)
{
	LOCKED(r, do_scan_begin(r, start, end));
}

int phyp_release_read(struct phyp_release *r, uint64_t paddr, uint64_t len)
{
	LOCKED(r, do_read(r, paddr, len));
}

int phyp_release_scan_end(struct phyp_release *r)
{
	LOCKED(r, do_scan_end(r));
}

int phyp_release_scans_done(struct phyp_release *r, bool rescans)
{
	LOCKED(r, do_scans_done(r, rescans));
}

int phyp_release_excluded(struct phyp_release *r, uint64_t start, uint64_t end)
{
	LOCKED(r, do_excluded(r, start, end));
}

int phyp_release_written(struct phyp_release *r, uint64_t start, uint64_t end)
{
	LOCKED(r, do_written(r, start, end));
}

int phyp_release_durable(struct phyp_release *r)
{
	LOCKED(r, do_durable(r));
}

int phyp_release_finish(struct phyp_release *r, bool ok)
{
	LOCKED(r, do_finish(r, ok));
}

void phyp_release_close(struct phyp_release *r)
{
	size_t k;

	if (!r)
		return;
	for (k = 0; k < r->nscans; k++) {
		pd_rangeset_free(&r->scans[k].read);
		pd_rangeset_free(&r->scans[k].last);
	}
	free(r->scans);
	pd_capture_fini(&r->cap);
	pthread_mutex_destroy(&r->lock);
	free(r);
}

/* The message is written once, under the lock, and never changes after:
 * the pointer may be read once the lock is dropped. */
const char *phyp_release_error(const struct phyp_release *r)
{
	pthread_mutex_t *lock = (pthread_mutex_t *)&r->lock;
	const char *msg;

	pthread_mutex_lock(lock);
	msg = r->error.msg;
	pthread_mutex_unlock(lock);
	return msg;
}

void phyp_release_stats(const struct phyp_release *r, struct phyp_release_stats *st)
{
	pthread_mutex_t *lock = (pthread_mutex_t *)&r->lock;

	pthread_mutex_lock(lock);
	memset(st, 0, sizeof(*st));
	st->excluded_pfns = r->excluded_pfns;
	st->written_pfns = r->written_pfns;
	st->released_bytes = r->cap.released_bytes;
	st->release_writes = r->cap.backend.writes;
	st->pinned_pfns = r->cap.have_ledger ? pd_rangeset_total(&r->cap.ledger.pinned) : 0;
	st->scans = r->nscan;
	st->rescans = r->nrescan;
	st->stopped = pd_capture_stopped(&r->cap) || r->read_refused;
	pthread_mutex_unlock(lock);
}

const char *phyp_release_journal_path(const struct phyp_release *r)
{
	return r->cap.st.journal_path;
}
