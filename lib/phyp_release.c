/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "phyp_release.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend.h"
#include "dump_state.h"
#include "fileio.h"
#include "journal.h"
#include "ledger.h"
#include "rangeset.h"
#include "region_map.h"
#include "releaser.h"
#include "rr_grammar.h"

/* One scan of the first pass: the cycle, the pfns it read, and (once the
 * first pass is over) the pfns whose last first-pass reader it was. */
struct scan_rec {
	uint64_t start, end;
	struct pd_rangeset read;
	struct pd_rangeset last;
};

struct phyp_release {
	struct pd_dump_state st;
	struct pd_rr boot;		/* the areas at the start of this dump */
	struct pd_map map;
	struct pd_journal *journal;	/* NULL for a dry run */
	struct pd_backend backend;
	struct pd_releaser rel;
	struct pd_ledger ledger;
	char rr_path[PATH_MAX];
	uint64_t pfn_bytes;
	uint64_t sync_bytes, unsynced;
	phyp_release_unmap_fn unmap;
	void *unmap_arg;

	struct scan_rec *scans;		/* first pass, in order */
	size_t nscans, cap;
	bool in_scan, first_pass_done, rescans;
	size_t cur;			/* scan in progress; SIZE_MAX: a rescan of no known cycle */
	size_t rescan_next;		/* where to look for the next rescan's cycle */
	uint64_t fast_lo, fast_hi;	/* pfns known pinned in this scan */

	bool stopped, finished;
	struct pd_error error;
	uint64_t excluded_pfns, written_pfns, nscan, nrescan;
};

static void root_join(char *out, size_t size, const char *root, const char *rel)
{
	size_t n = strlen(root);

	while (n && root[n - 1] == '/')
		n--;
	snprintf(out, size, "%.*s/%s", (int)n, root, rel);
}

static int count_piece(void *arg, uint64_t addr, uint64_t len)
{
	(void)addr;
	(void)len;
	++*(size_t *)arg;
	return 0;
}

/* Ledger callback: let the writer drop its mappings, then release.  A run
 * that holds no whole reserved page has nothing to release (it is marked
 * released all the same: its leftovers go with the whole areas at the end). */
static int release_pfns(void *arg, uint64_t s, uint64_t e)
{
	struct phyp_release *r = arg;
	size_t pieces = 0;

	if (e > UINT64_MAX / r->pfn_bytes)
		return pd_releaser_pfns(&r->rel, s, e);	/* it reports the error */
	pd_map_reserved(&r->map, s * r->pfn_bytes, (e - s) * r->pfn_bytes, count_piece, &pieces);
	if (!pieces)
		return 0;
	if (r->unmap)
		r->unmap(r->unmap_arg, s, e);
	return pd_releaser_pfns(&r->rel, s, e);
}

/* A ledger call failed: keep the first message, stop releasing. */
static int stop(struct phyp_release *r)
{
	if (!r->stopped) {
		r->stopped = true;
		if (r->rel.failed)
			r->error = r->rel.error;
		else if (r->ledger.failed)
			r->error = r->ledger.error;
		else if (!r->error.msg[0])
			pd_fail(&r->error, "phyp-release: internal error");
	}
	return -1;
}

static int stop_oom(struct phyp_release *r)
{
	if (!r->stopped)
		pd_fail(&r->error, "phyp-release: out of memory; nothing more is released");
	r->stopped = true;
	return -1;
}

/* Make the releases this call decided: journal, one sync, then the kernel. */
static int commit(struct phyp_release *r, int rc)
{
	if (rc)
		return rc;
	if (!r->stopped && pd_releaser_commit(&r->rel))
		return stop(r);
	return 0;
}

/* Refuse what an earlier capture or a damaged journal makes unsafe; move a
 * journal of another boot aside. */
static int check_journal(struct phyp_release *r, struct pd_error *err)
{
	struct pd_dump_state *s = &r->st;
	char old[PATH_MAX + 80];

	if (s->journal_rc < 0)
		return pd_fail(err, "%s; phypdump cannot know which dump memory is already gone "
			       "(move the journal away only if nothing ran on this boot before)",
			       s->journal_err.msg);
	if (s->journal_rc == 0 && s->journal_stale) {
		snprintf(old, sizeof(old), "%s.%s", s->journal_path, s->journal.boot_id);
		if (rename(s->journal_path, old))
			return pd_fail_errno(err, errno, "cannot move the old journal %s aside",
					     s->journal_path);
		pd_journal_state_free(&s->journal);
		pd_journal_state_init(&s->journal);
		s->journal_rc = 1;
	}
	if (s->journal_rc == 0 && (s->journal.releases || s->journal.final))
		return pd_fail(err, "an earlier capture on this boot already released %" PRIu64
			       " bytes of this dump: a new one would read memory the system now owns;"
			       " give back the rest with echo 1 > /sys/kernel/fadump/release_mem"
			       " (journal %s)",
			       pd_rangeset_total(&s->journal.released), s->journal_path);
	return 0;
}

/* The areas at the start of this dump: the journal's if one was begun on
 * this boot, else the release_region line now. */
static int read_layout(struct phyp_release *r, const struct phyp_release_opts *o,
		       struct pd_error *err)
{
	struct pd_rr now;
	struct pd_error sub;
	char *line;
	size_t len;
	int rc;

	memset(&now, 0, sizeof(now));
	if (o->release_region) {
		snprintf(r->rr_path, sizeof(r->rr_path), "%s", o->release_region);
		rc = pd_read_file(r->rr_path, (size_t)64 << 20, &line, &len);
		if (rc > 0)
			return pd_fail(err, "%s does not exist: this boot holds no dump whose memory "
				       "can be released incrementally", r->rr_path);
		if (rc < 0)
			return pd_fail_errno(err, errno, "cannot read %s", r->rr_path);
		rc = pd_rr_parse(line, len, &now, &sub);
		free(line);
		if (rc)
			return pd_fail(err, "%s: %s", r->rr_path, sub.msg);
	} else {
		if (!r->st.det.release_region[0] || !r->st.have_line)
			return pd_fail(err, "no release_region under %s: this kernel cannot release dump "
				       "memory incrementally (not a dump boot, or no release_region "
				       "support); run without --phyp-release", r->st.det.root);
		snprintf(r->rr_path, sizeof(r->rr_path), "%s", r->st.det.release_region);
		if (pd_rr_copy(&now, &r->st.current))
			return pd_fail(err, "out of memory");
	}
	if (r->st.journal_rc == 0) {
		pd_rr_free(&now);
		if (pd_rr_copy(&r->boot, &r->st.journal.layout))
			return pd_fail(err, "out of memory");
	} else {
		r->boot = now;
	}
	if (r->boot.overlapping)
		return pd_fail(err, "%s lists areas that overlap: no release can be derived from it",
			       r->rr_path);
	return 0;
}

struct phyp_release *phyp_release_open(const struct phyp_release_opts *o, struct pd_error *err)
{
	struct phyp_release *r;
	const char *root = o->root ? o->root : "/";
	uint64_t sys = o->sys_page_size ? o->sys_page_size : (uint64_t)sysconf(_SC_PAGESIZE);
	/* 1 MiB, as phypdump save: runs that short still hold nearly all the
	 * excluded pages; 16 MiB ones leave a fifth of them to the end. */
	uint64_t min = o->min_release ? o->min_release : (uint64_t)1 << 20;
	char jpath[PATH_MAX];

	if (!o->dump_page_size || (o->dump_page_size & (o->dump_page_size - 1)) ||
	    !sys || (sys & (sys - 1))) {
		pd_fail(err, "phyp-release: page sizes must be powers of two");
		return NULL;
	}
	r = calloc(1, sizeof(*r));
	if (!r) {
		pd_fail(err, "out of memory");
		return NULL;
	}
	r->backend.fd = -1;
	r->pfn_bytes = o->dump_page_size;
	r->sync_bytes = o->sync_interval ? o->sync_interval : (uint64_t)32 << 20;
	if (o->journal)
		snprintf(jpath, sizeof(jpath), "%s", o->journal);
	else
		root_join(jpath, sizeof(jpath), root, PD_DEFAULT_JOURNAL);
	if (pd_dump_state_read(root, jpath, &r->st, err))
		goto fail_state;
	if (check_journal(r, err) || read_layout(r, o, err))
		goto fail_state;
	if (pd_map_init(&r->map, &r->boot, sys, err))
		goto fail_map;
	if (o->dry_run) {
		pd_backend_open_dry_run(&r->backend, o->dry_run);
	} else {
		if (pd_backend_open_release_region(&r->backend, r->rr_path, err))
			goto fail_backend;
		if (r->st.journal_rc == 0) {
			r->journal = pd_journal_append(jpath, &r->st.journal, err);
		} else {
			r->journal = pd_journal_create(jpath, r->st.boot_id[0] ? r->st.boot_id : "unknown",
						       sys, &r->boot, err);
		}
		if (!r->journal)
			goto fail_journal;
		if (o->target && pd_journal_add_target(r->journal, o->target, err))
			goto fail_target;
	}
	pd_releaser_init(&r->rel, &r->map, r->journal, &r->backend, NULL, r->pfn_bytes);
	/* Each call of ours is one batch: one journal sync for all it frees. */
	pd_releaser_set_batch(&r->rel, true);
	pd_ledger_init(&r->ledger, (min + r->pfn_bytes - 1) / r->pfn_bytes, release_pfns, r);
	r->cur = SIZE_MAX;
	return r;

fail_target:
	pd_journal_close(r->journal);
fail_journal:
	pd_backend_close(&r->backend);
fail_backend:
	pd_map_free(&r->map);
fail_map:
fail_state:
	pd_rr_free(&r->boot);
	pd_dump_state_free(&r->st);
	free(r);
	return NULL;
}

void phyp_release_set_unmap_hook(struct phyp_release *r, phyp_release_unmap_fn fn, void *arg)
{
	r->unmap = fn;
	r->unmap_arg = arg;
}

static bool idle(const struct phyp_release *r)
{
	return r->stopped || r->finished;
}

int phyp_release_scan_begin(struct phyp_release *r, uint64_t start, uint64_t end)
{
	size_t i;

	r->in_scan = true;
	r->fast_lo = r->fast_hi = 0;
	if (!r->first_pass_done) {
		r->nscan++;
		if (r->nscans == r->cap) {
			size_t cap = r->cap ? r->cap * 2 : 16;
			struct scan_rec *n = realloc(r->scans, cap * sizeof(*n));

			if (!n)
				return stop_oom(r);
			r->scans = n;
			r->cap = cap;
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
	r->stopped = true;
	return pd_fail(&r->error, "phyp-release: pfns 0x%" PRIx64 "-0x%" PRIx64
		       " are read after their memory was released; refusing the read", s, e);
}

int phyp_release_read(struct phyp_release *r, uint64_t paddr, uint64_t len)
{
	uint64_t s, e;

	if (!len)
		return 0;
	s = paddr / r->pfn_bytes;
	e = paddr + len - 1 < paddr ? UINT64_MAX : (paddr + len - 1) / r->pfn_bytes + 1;
	if (r->in_scan && s >= r->fast_lo && e <= r->fast_hi)
		return 0;	/* pinned a moment ago: cannot be released */
	if (pd_rangeset_intersects(&r->ledger.released, s, e))
		return released_read(r, s, e);
	if (!r->in_scan || idle(r))
		return 0;
	if (!r->first_pass_done) {
		if (pd_rangeset_add(&r->scans[r->cur].read, s, e))
			return stop_oom(r);
		if (pd_ledger_pin(&r->ledger, s, e))
			return stop(r);
	} else if (!pd_rangeset_covers(&r->ledger.pinned, s, e)) {
		/* Not read by the first pass: keep it to the end. */
		if (pd_ledger_pin(&r->ledger, s, e))
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
		if (pd_ledger_unpin(&r->ledger, set->iv[i].start, set->iv[i].end))
			return stop(r);
	return 0;
}

int phyp_release_scan_end(struct phyp_release *r)
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

int phyp_release_scans_done(struct phyp_release *r, bool rescans)
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

int phyp_release_excluded(struct phyp_release *r, uint64_t start, uint64_t end)
{
	if (idle(r) || start >= end)
		return 0;
	r->excluded_pfns += end - start;
	if (pd_ledger_excluded(&r->ledger, start, end))
		return stop(r);
	/* Inside a scan, scan_end makes them all with one journal sync. */
	return r->in_scan ? 0 : commit(r, 0);
}

int phyp_release_written(struct phyp_release *r, uint64_t start, uint64_t end)
{
	if (idle(r) || start >= end)
		return 0;
	r->written_pfns += end - start;
	if (pd_ledger_written(&r->ledger, start, end))
		return stop(r);
	r->unsynced += (end - start) * r->pfn_bytes;
	return r->unsynced >= r->sync_bytes ? 1 : 0;
}

int phyp_release_durable(struct phyp_release *r)
{
	r->unsynced = 0;
	if (idle(r))
		return 0;
	return commit(r, pd_ledger_durable(&r->ledger) ? stop(r) : 0);
}

/* The kernel ends the dump when its last reserved byte goes: release_region
 * disappears (writes to an open descriptor then fail with ENOENT or ENODEV). */
static bool dump_ended(const struct phyp_release *r)
{
	return r->backend.kind == PD_BACKEND_RELEASE_REGION && access(r->rr_path, F_OK) &&
	       errno == ENOENT;
}

/* One whole boot area at the end; the dump ending on the way is success. */
static int release_area(struct phyp_release *r, const struct pd_range *a)
{
	if (!a->len || dump_ended(r))
		return 0;
	if (pd_releaser_range(&r->rel, a->addr, a->len) == 0 && pd_releaser_commit(&r->rel) == 0)
		return 0;
	if (dump_ended(r)) {
		r->rel.failed = false;
		return 0;
	}
	return stop(r);
}

int phyp_release_finish(struct phyp_release *r, bool ok)
{
	struct pd_error e;
	size_t i;

	if (r->finished) {
		if (!r->error.msg[0])
			pd_fail(&r->error, "phyp-release: finish called twice");
		return -1;
	}
	r->finished = true;
	if (!ok)
		return 0;
	if (r->stopped)
		return -1;
	/* The dump is complete and durable: everything goes, pins included. */
	if (r->unmap)
		r->unmap(r->unmap_arg, 0, UINT64_MAX);
	if (pd_ledger_durable(&r->ledger) || pd_ledger_unpin(&r->ledger, 0, UINT64_MAX) ||
	    pd_ledger_flush(&r->ledger) || pd_releaser_commit(&r->rel))
		return stop(r);
	/* Whole areas: the kernel frees what is left, straddling pages
	 * included, and ends the dump when the last byte goes. */
	if (release_area(r, &r->boot.cpu) || release_area(r, &r->boot.hpte))
		return -1;
	for (i = 0; i < r->boot.ndump; i++)
		if (release_area(r, &r->boot.dump[i]))
			return -1;
	if (r->journal && pd_journal_add_final(r->journal, "release_region", &e)) {
		r->error = e;
		r->stopped = true;
		return -1;
	}
	return 0;
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
	pd_ledger_free(&r->ledger);
	pd_releaser_free(&r->rel);
	if (r->journal)
		pd_journal_close(r->journal);
	pd_backend_close(&r->backend);
	pd_map_free(&r->map);
	pd_rr_free(&r->boot);
	pd_dump_state_free(&r->st);
	free(r);
}

const char *phyp_release_error(const struct phyp_release *r)
{
	return r->error.msg;
}

void phyp_release_stats(const struct phyp_release *r, struct phyp_release_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->excluded_pfns = r->excluded_pfns;
	st->written_pfns = r->written_pfns;
	st->released_bytes = r->rel.bytes_released;
	st->release_writes = r->rel.writes;
	st->pinned_pfns = pd_rangeset_total(&r->ledger.pinned);
	st->scans = r->nscan;
	st->rescans = r->nrescan;
	st->stopped = r->stopped;
}

const char *phyp_release_journal_path(const struct phyp_release *r)
{
	return r->st.journal_path;
}
