/* SPDX-License-Identifier: GPL-2.0-or-later */
/* phyp_release: replays makedumpfile's call sequences (one cycle; several
 * cycles with metadata pins) against a fake dump-boot root and asserts
 * exactly which pfns are released when: never a pinned or unsaved page,
 * written pages only once durable, and in several cycles written pages go
 * back cycle by cycle as their last metadata reader is done. */
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "journal.h"
#include "phyp_release.h"
#include "rangeset.h"
#include "fakeroot.h"
#include "unit.h"

#define PG 4096ull

/* Boot memory (pfns 0..0x1000, 16 MiB) copied to 0x20000000; the rest in
 * place up to 256 MiB. */
static const char layout[] =
	"CPU:0x30000000-0x1000: HPTE:0x30001000-0x0: "
	"DUMP:0x20000000-0x1000000@0x0, 0x1000000-0xf000000:\n";

static char root[64];
static uint64_t sync_pfns = 0x1000;	/* sync due every 16 MiB written */

static void put(const char *rel, const char *content)
{
	fakeroot_put(root, rel, content);
}

static void path_of(char *out, size_t size, const char *rel)
{
	snprintf(out, size, "%s/%s", root, rel);
}

/* What the unmap hook saw: every pfn run handed over for release. */
struct seen {
	struct pd_rangeset pfns;
	unsigned calls;
	bool everything;	/* finish announced (0, UINT64_MAX) */
	bool overlap;		/* a run was announced twice */
};

static void on_unmap(void *arg, uint64_t s, uint64_t e)
{
	struct seen *w = arg;

	if (s == 0 && e == UINT64_MAX) {
		w->everything = true;
		return;
	}
	if (pd_rangeset_intersects(&w->pfns, s, e))
		w->overlap = true;
	pd_rangeset_add(&w->pfns, s, e);
	w->calls++;
}

static bool released(const struct seen *w, uint64_t s, uint64_t e)
{
	return pd_rangeset_covers(&w->pfns, s, e);
}

static bool untouched(const struct seen *w, uint64_t s, uint64_t e)
{
	return !pd_rangeset_intersects(&w->pfns, s, e);
}

/* Reserved memory holding pfns [s, e) under the test layout. */
static void reserved_of(struct pd_rangeset *out, uint64_t s, uint64_t e)
{
	if (s < 0x1000)
		pd_rangeset_add(out, 0x20000000 + s * PG, 0x20000000 + (e < 0x1000 ? e : 0x1000) * PG);
	if (e > 0x1000)
		pd_rangeset_add(out, (s > 0x1000 ? s : 0x1000) * PG, e * PG);
}

/* The journal lists exactly the reserved memory of what the hook saw. */
static bool journal_matches(const char *jpath, const struct seen *w)
{
	struct pd_journal_state st;
	struct pd_rangeset want;
	struct pd_error err;
	bool ok;
	size_t i;

	pd_journal_state_init(&st);
	pd_rangeset_init(&want);
	for (i = 0; i < w->pfns.n; i++)
		reserved_of(&want, w->pfns.iv[i].start, w->pfns.iv[i].end);
	ok = pd_journal_load(jpath, &st, &err) == 0 && st.released.n == want.n;
	for (i = 0; ok && i < want.n; i++)
		ok = st.released.iv[i].start == want.iv[i].start &&
		     st.released.iv[i].end == want.iv[i].end;
	pd_journal_state_free(&st);
	pd_rangeset_free(&want);
	return ok;
}

static void fresh_root(void)
{
	char j[300];

	put("proc/device-tree/rtas/ibm,kernel-dump", "x");
	put("proc/device-tree/rtas/ibm,configure-kernel-dump", "\0\0\0\x2a");
	put("sys/kernel/fadump/release_region", layout);
	put("sys/kernel/fadump/release_mem", "");
	put("proc/vmcore", "");
	put("proc/sys/kernel/random/boot_id", "0f5e2d1c-aaaa-4bbb-8ccc-123456789abc\n");
	path_of(j, sizeof(j), "var/lib/phypdump/journal");
	unlink(j);
}

static struct phyp_release *open_min(uint64_t min, struct seen *w, FILE *dry, struct pd_error *err)
{
	struct phyp_release_opts o;
	struct phyp_release *r;

	memset(&o, 0, sizeof(o));
	o.root = root;
	o.target = "/var/crash/test/vmcore";
	o.dump_page_size = PG;
	o.sys_page_size = PG;
	o.min_release = min;
	o.sync_interval = sync_pfns * PG;
	o.dry_run = dry;
	r = phyp_release_open(&o, err);
	if (r && w) {
		memset(w, 0, sizeof(*w));
		pd_rangeset_init(&w->pfns);
		phyp_release_set_unmap_hook(r, on_unmap, w);
	}
	return r;
}

/* makedumpfile's one-cycle run: one scan of everything, then the data. */
static void one_cycle(void)
{
	struct phyp_release_stats st;
	struct pd_journal_state js;
	struct pd_error err;
	struct phyp_release *r;
	struct seen w;
	char jpath[300];
	unsigned calls;

	fresh_root();
	path_of(jpath, sizeof(jpath), "var/lib/phypdump/journal");
	r = open_min(PG, &w, NULL, &err);	/* min one page: every run goes at once */
	CHECK(r != NULL);
	if (!r) {
		fprintf(stderr, "open: %s\n", err.msg);
		return;
	}
	CHECK_STR_CONTAINS(phyp_release_journal_path(r), "var/lib/phypdump/journal");

	/* The scan (create_2nd_bitmap): metadata reads get pinned. */
	CHECK(phyp_release_scan_begin(r, 0, 0x10000) == 0);
	CHECK(phyp_release_read(r, 0x100 * PG, 0x10 * PG) == 0);	/* mem_map */
	CHECK(phyp_release_read(r, 0x2000 * PG + 8, 8) == 0);		/* a page table */
	CHECK(phyp_release_read(r, 0x5000 * PG, 4 * PG) == 0);
	CHECK(phyp_release_scan_end(r) == 0);
	CHECK(w.calls == 0);
	/* Excluded runs go right after the scan, pinned pfns held back. */
	CHECK(phyp_release_excluded(r, 0x3000, 0x4000) == 0);
	CHECK(phyp_release_excluded(r, 0x6000, 0x10000) == 0);
	CHECK(phyp_release_excluded(r, 0x1ff0, 0x2010) == 0);	/* around the pinned 0x2000 */
	CHECK(released(&w, 0x3000, 0x4000) && released(&w, 0x6000, 0x10000));
	CHECK(released(&w, 0x1ff0, 0x2000) && released(&w, 0x2001, 0x2010));
	CHECK(untouched(&w, 0x2000, 0x2001));
	phyp_release_stats(r, &st);
	CHECK_EQ_U64(st.pinned_pfns, 0x10 + 1 + 4);
	/* One cycle: nothing reads metadata once the scan is over. */
	CHECK(phyp_release_scans_done(r, false) == 0);
	CHECK(released(&w, 0x2000, 0x2001));
	phyp_release_stats(r, &st);
	CHECK_EQ_U64(st.pinned_pfns, 0);
	CHECK(untouched(&w, 0, 0x1ff0) && untouched(&w, 0x2010, 0x3000) &&
	      untouched(&w, 0x4000, 0x6000));
	CHECK(journal_matches(jpath, &w));

	/* The data: written pages wait for durable(). */
	calls = w.calls;
	CHECK(phyp_release_read(r, 0, PG) == 0);
	CHECK(phyp_release_written(r, 0, 0x800) == 0);
	CHECK(phyp_release_written(r, 0x800, 0x1000) == 1);	/* 16 MiB: sync due */
	CHECK(w.calls == calls && untouched(&w, 0, 0x1000));
	CHECK(phyp_release_durable(r) == 0);
	CHECK(released(&w, 0, 0x1000));
	CHECK(phyp_release_written(r, 0x1000, 0x1ff0) == 0);
	CHECK(phyp_release_written(r, 0x2010, 0x3000) == 1);
	CHECK(phyp_release_written(r, 0x4000, 0x5000) == 1);
	CHECK(untouched(&w, 0x1000, 0x1ff0) && untouched(&w, 0x4000, 0x5000));
	CHECK(phyp_release_durable(r) == 0);
	CHECK(released(&w, 0, 0x5000));
	CHECK(untouched(&w, 0x5000, 0x6000));
	/* A read of released memory is refused... covered in safety(); the
	 * remaining data is written, then finish gives everything back. */
	CHECK(phyp_release_written(r, 0x5000, 0x6000) == 1);
	CHECK(untouched(&w, 0x5000, 0x6000));
	CHECK(phyp_release_finish(r, true) == 0);
	CHECK(w.everything && released(&w, 0, 0x10000) && !w.overlap);
	phyp_release_stats(r, &st);
	CHECK_EQ_U64(st.released_bytes, 0x10000 * PG + 0x1000 /* CPU */ + 0xf000000 + 0x1000000);
	CHECK(!st.stopped);
	CHECK(phyp_release_finish(r, true) == -1);	/* once only */
	phyp_release_close(r);

	/* The journal: target, every release, final. */
	pd_journal_state_init(&js);
	CHECK(pd_journal_load(jpath, &js, &err) == 0);
	CHECK(js.final && strcmp(js.final_how, "release_region") == 0);
	CHECK(strcmp(js.target, "/var/crash/test/vmcore") == 0);
	CHECK(pd_rangeset_covers(&js.released, 0x20000000, 0x21000000));
	CHECK(pd_rangeset_covers(&js.released, 0x1000000, 0x10000000));
	CHECK(pd_rangeset_covers(&js.released, 0x30000000, 0x30001000));
	pd_journal_state_free(&js);
	pd_rangeset_free(&w.pfns);

	/* A second capture on this boot is refused: memory is gone. */
	put("sys/kernel/fadump/release_region", layout);
	r = open_min(PG, NULL, NULL, &err);
	CHECK(r == NULL);
	CHECK_STR_CONTAINS(err.msg, "released already");
	phyp_release_close(r);
}

/* makedumpfile's several-cycle run: 4 cycles of 0x4000 pfns.  Cycle k's
 * scan reads its struct pages at 0x100 + 0x10k (all in cycle 0), a page
 * table at 0x1800 (cycle 0, read by every cycle), and cycle 2 reads a page
 * at 0x4100 (in cycle 1).  In each cycle [+0x2000, +0x3000) is excluded. */
static void scan(struct phyp_release *r, unsigned k, bool rescan)
{
	uint64_t base = (uint64_t)k * 0x4000;

	CHECK(phyp_release_scan_begin(r, base, base + 0x4000) == 0);
	CHECK(phyp_release_read(r, (0x100 + 0x10 * k) * PG, 0x10 * PG) == 0);
	CHECK(phyp_release_read(r, 0x1800 * PG + 0x10, 8) == 0);
	if (k == 2)
		CHECK(phyp_release_read(r, 0x4100 * PG, 64) == 0);
	if (k == 3 && rescan)	/* a page the first pass never read */
		CHECK(phyp_release_read(r, 0xc100 * PG, PG) == 0);
	CHECK(phyp_release_scan_end(r) == 0);
	CHECK(phyp_release_excluded(r, base + 0x2000, base + 0x3000) == 0);
}

static void several_cycles(void)
{
	struct phyp_release_stats st;
	struct pd_error err;
	struct phyp_release *r;
	struct seen w;
	char jpath[300];
	unsigned k;

	fresh_root();
	sync_pfns = 0x100000;	/* makedumpfile syncs at each cycle's end */
	path_of(jpath, sizeof(jpath), "var/lib/phypdump/journal");
	r = open_min(PG, &w, NULL, &err);
	CHECK(r != NULL);
	if (!r) {
		fprintf(stderr, "open: %s\n", err.msg);
		return;
	}
	/* First pass (get_num_dumpable_cyclic): excluded pages go at once. */
	for (k = 0; k < 4; k++) {
		scan(r, k, false);
		CHECK(released(&w, k * 0x4000 + 0x2000, k * 0x4000 + 0x3000));
	}
	CHECK(untouched(&w, 0, 0x2000) && untouched(&w, 0x3000, 0x6000));
	CHECK(phyp_release_scans_done(r, true) == 0);
	phyp_release_stats(r, &st);
	CHECK_EQ_U64(st.pinned_pfns, 0x40 + 1 + 1);
	CHECK_EQ_U64(st.scans, 4);

	/* Cycle 0: rescan, write, sync. */
	scan(r, 0, true);
	CHECK(phyp_release_written(r, 0, 0x2000) == 0);
	CHECK(phyp_release_written(r, 0x3000, 0x4000) == 0);
	CHECK(untouched(&w, 0, 0x2000));		/* not durable yet */
	CHECK(phyp_release_durable(r) == 0);
	/* Written pages of cycle 0 go back now, except the metadata later
	 * cycles still read: 0x110-0x140 and 0x1800. */
	CHECK(released(&w, 0, 0x110) && released(&w, 0x140, 0x1800) &&
	      released(&w, 0x1801, 0x2000) && released(&w, 0x3000, 0x4000));
	CHECK(untouched(&w, 0x110, 0x140) && untouched(&w, 0x1800, 0x1801));

	/* Cycle 1: its rescan is the last reader of 0x110-0x120. */
	scan(r, 1, true);
	CHECK(released(&w, 0x110, 0x120) && untouched(&w, 0x120, 0x140));
	CHECK(phyp_release_written(r, 0x4000, 0x6000) == 0);
	CHECK(phyp_release_written(r, 0x7000, 0x8000) == 0);
	CHECK(untouched(&w, 0x4000, 0x6000));
	CHECK(phyp_release_durable(r) == 0);
	CHECK(released(&w, 0x4000, 0x4100) && released(&w, 0x4101, 0x6000) &&
	      released(&w, 0x7000, 0x8000));
	CHECK(untouched(&w, 0x4100, 0x4101));	/* cycle 2 reads it yet */

	/* Cycle 2 releases 0x120-0x130 and 0x4100 after its rescan. */
	scan(r, 2, true);
	CHECK(released(&w, 0x120, 0x130) && released(&w, 0x4100, 0x4101));
	CHECK(untouched(&w, 0x130, 0x140) && untouched(&w, 0x1800, 0x1801));
	CHECK(phyp_release_written(r, 0x8000, 0xa000) == 0);
	CHECK(phyp_release_written(r, 0xb000, 0xc000) == 0);
	CHECK(phyp_release_durable(r) == 0);
	CHECK(released(&w, 0x8000, 0xa000) && released(&w, 0xb000, 0xc000));

	/* Cycle 3: last reader of 0x130-0x140 and 0x1800; 0xc100 was first
	 * read by this rescan, so it is held to the end. */
	scan(r, 3, true);
	CHECK(released(&w, 0x130, 0x140) && released(&w, 0x1800, 0x1801));
	CHECK(phyp_release_written(r, 0xc000, 0xe000) == 0);
	CHECK(phyp_release_written(r, 0xf000, 0x10000) == 0);
	CHECK(phyp_release_durable(r) == 0);
	CHECK(released(&w, 0xc000, 0xc100) && released(&w, 0xc101, 0xe000) &&
	      released(&w, 0xf000, 0x10000));
	CHECK(untouched(&w, 0xc100, 0xc101));
	phyp_release_stats(r, &st);
	CHECK_EQ_U64(st.pinned_pfns, 1);
	CHECK_EQ_U64(st.rescans, 4);
	CHECK(journal_matches(jpath, &w));
	CHECK(phyp_release_finish(r, true) == 0);
	CHECK(released(&w, 0, 0x10000) && !w.overlap);
	phyp_release_close(r);
	pd_rangeset_free(&w.pfns);
}

/* Reading released memory is refused, and then nothing more goes back. */
static void safety(void)
{
	struct phyp_release_stats st;
	struct pd_error err;
	struct phyp_release *r;
	struct seen w;
	unsigned calls;

	fresh_root();
	r = open_min(PG, &w, NULL, &err);
	CHECK(r != NULL);
	if (!r)
		return;
	CHECK(phyp_release_scan_begin(r, 0, 0x10000) == 0);
	CHECK(phyp_release_excluded(r, 0x3000, 0x4000) == 0);	/* reported inside the scan */
	CHECK(w.calls == 1 && released(&w, 0x3000, 0x4000));	/* decided (hook called)... */
	CHECK(phyp_release_read(r, 0x3000 * PG, 8) == -1);	/* ...and never read again */
	phyp_release_stats(r, &st);
	CHECK_EQ_U64(st.release_writes, 0);			/* but not made yet */
	CHECK(phyp_release_scan_end(r) == 0);	/* stopped by the refused read: */
	phyp_release_stats(r, &st);
	CHECK(st.stopped);
	CHECK_EQ_U64(st.release_writes, 0);	/* the batch is never made */
	phyp_release_close(r);
	pd_rangeset_free(&w.pfns);

	fresh_root();
	r = open_min(PG, &w, NULL, &err);
	CHECK(r != NULL);
	if (!r)
		return;
	CHECK(phyp_release_scan_begin(r, 0, 0x10000) == 0);
	CHECK(phyp_release_excluded(r, 0x3000, 0x4000) == 0);
	CHECK(phyp_release_excluded(r, 0x5000, 0x5800) == 0);
	phyp_release_stats(r, &st);
	CHECK_EQ_U64(st.release_writes, 0);
	CHECK(phyp_release_scan_end(r) == 0);			/* one batch */
	phyp_release_stats(r, &st);
	CHECK_EQ_U64(st.release_writes, 2);
	CHECK(phyp_release_scans_done(r, false) == 0);
	CHECK(released(&w, 0x3000, 0x4000));
	CHECK(phyp_release_read(r, 0x2fff * PG, PG) == 0);
	CHECK(phyp_release_read(r, 0x2fff * PG, 2 * PG) == -1);
	CHECK_STR_CONTAINS(phyp_release_error(r), "read after their memory was released");
	calls = w.calls;
	CHECK(phyp_release_excluded(r, 0x8000, 0x9000) == 0);	/* ignored now */
	CHECK(phyp_release_written(r, 0, 0x1000) == 0);
	CHECK(phyp_release_durable(r) == 0);
	CHECK(w.calls == calls && untouched(&w, 0x8000, 0x9000) && untouched(&w, 0, 0x1000));
	CHECK(phyp_release_read(r, 0x3000 * PG, 8) == -1);	/* still refused */
	CHECK(phyp_release_finish(r, true) == -1);
	CHECK(!w.everything && w.calls == calls);
	phyp_release_stats(r, &st);
	CHECK(st.stopped);
	phyp_release_close(r);
	pd_rangeset_free(&w.pfns);

	/* A failed dump releases nothing more. */
	fresh_root();
	r = open_min(PG, &w, NULL, &err);
	CHECK(r != NULL);
	if (!r)
		return;
	CHECK(phyp_release_scan_begin(r, 0, 0x10000) == 0);
	CHECK(phyp_release_scan_end(r) == 0);
	CHECK(phyp_release_scans_done(r, false) == 0);
	CHECK(phyp_release_written(r, 0, 0x1000) == 0);
	CHECK(phyp_release_finish(r, false) == 0);
	CHECK(w.calls == 0 && !w.everything);
	phyp_release_close(r);
	pd_rangeset_free(&w.pfns);
}

/* Coalescing: runs under min_release wait for finish; dry run logs only. */
static void coalescing_and_dry_run(void)
{
	struct pd_error err;
	struct phyp_release *r;
	struct seen w;
	FILE *log = tmpfile();
	char jpath[300], buf[4096];
	size_t n;

	fresh_root();
	path_of(jpath, sizeof(jpath), "var/lib/phypdump/journal");
	r = open_min(16 << 20, &w, log, &err);	/* 0x1000 pfns */
	CHECK(r != NULL && log != NULL);
	if (!r || !log)
		return;
	CHECK(access(jpath, F_OK) != 0);	/* a dry run keeps no journal */
	CHECK(phyp_release_scan_begin(r, 0, 0x10000) == 0);
	CHECK(phyp_release_scan_end(r) == 0);
	CHECK(phyp_release_excluded(r, 0x3000, 0x3800) == 0);	/* 8 MiB: waits */
	CHECK(phyp_release_excluded(r, 0x6000, 0x8000) == 0);	/* 32 MiB: goes */
	CHECK(phyp_release_scans_done(r, false) == 0);
	CHECK(untouched(&w, 0x3000, 0x3800) && released(&w, 0x6000, 0x8000));
	CHECK(phyp_release_written(r, 0x3800, 0x4000) == 0);
	CHECK(phyp_release_durable(r) == 0);	/* joins 0x3000-0x3800: 16 MiB */
	CHECK(released(&w, 0x3000, 0x4000));
	CHECK(phyp_release_written(r, 0x9000, 0x9010) == 0);
	CHECK(phyp_release_durable(r) == 0);
	CHECK(untouched(&w, 0x9000, 0x9010));
	CHECK(phyp_release_finish(r, true) == 0);
	CHECK(released(&w, 0x9000, 0x9010));
	phyp_release_close(r);
	pd_rangeset_free(&w.pfns);
	rewind(log);
	n = fread(buf, 1, sizeof(buf) - 1, log);
	buf[n] = 0;
	CHECK_STR_CONTAINS(buf, "would release 0x6000000 0x2000000");
	CHECK_STR_CONTAINS(buf, "would release 0x3000000 0x1000000");
	CHECK_STR_CONTAINS(buf, "would release 0x30000000 0x1000");
	fclose(log);
}

/* The kernel ends the dump (release_region goes away) once the last
 * reserved byte is released: the remaining whole-area writes are skipped and
 * that is success. */
static void dump_ends_early(void)
{
	struct phyp_release_stats st;
	struct pd_journal_state js;
	struct pd_error err;
	struct phyp_release *r;
	char rr[300], jpath[300];
	uint64_t before;

	fresh_root();
	path_of(rr, sizeof(rr), "sys/kernel/fadump/release_region");
	path_of(jpath, sizeof(jpath), "var/lib/phypdump/journal");
	r = open_min(PG, NULL, NULL, &err);
	CHECK(r != NULL);
	if (!r)
		return;
	CHECK(phyp_release_scan_begin(r, 0, 0x10000) == 0);
	CHECK(phyp_release_scan_end(r) == 0);
	CHECK(phyp_release_excluded(r, 0x3000, 0x4000) == 0);
	CHECK(phyp_release_scans_done(r, false) == 0);
	phyp_release_stats(r, &st);
	before = st.release_writes;
	CHECK_EQ_U64(before, 1);
	CHECK(unlink(rr) == 0);		/* the dump is over */
	CHECK(phyp_release_finish(r, true) == 0);
	phyp_release_stats(r, &st);
	CHECK(!st.stopped);
	CHECK_EQ_U64(st.release_writes, before);	/* no whole-area write */
	phyp_release_close(r);
	pd_journal_state_init(&js);
	CHECK(pd_journal_load(jpath, &js, &err) == 0);
	CHECK(js.final);
	pd_journal_state_free(&js);
}

/* The running kernel's pages (64 KiB) are larger than the dump's (4 KiB):
 * a reserved page goes back only when every dump page it holds may go. */
static void page_sizes(void)
{
	struct phyp_release_opts o;
	struct phyp_release *r;
	struct pd_error err;
	FILE *log = tmpfile();
	char buf[4096];
	size_t n;

	fresh_root();
	memset(&o, 0, sizeof(o));
	o.root = root;
	o.dump_page_size = PG;
	o.sys_page_size = 0x10000;
	o.min_release = PG;
	o.dry_run = log;
	r = phyp_release_open(&o, &err);
	CHECK(r != NULL && log != NULL);
	if (!r || !log)
		return;
	CHECK(phyp_release_scan_begin(r, 0, 0x10000) == 0);
	CHECK(phyp_release_read(r, 0x3018 * PG, 8) == 0);	/* pins 0x3018 */
	CHECK(phyp_release_scan_end(r) == 0);
	CHECK(phyp_release_excluded(r, 0x3000, 0x3008) == 0);	/* half a 64 KiB page */
	CHECK(phyp_release_excluded(r, 0x3010, 0x3020) == 0);	/* one page, minus the pin */
	CHECK(phyp_release_excluded(r, 0x3020, 0x3030) == 0);	/* one whole page */
	fflush(log);
	rewind(log);
	n = fread(buf, 1, sizeof(buf) - 1, log);
	buf[n] = 0;
	CHECK(strstr(buf, "0x3020000 0x10000") != NULL);
	CHECK(strstr(buf, "0x3000000") == NULL && strstr(buf, "0x3010000") == NULL);
	/* Unpinned, 0x3018 alone holds no whole 64 KiB page either: the page
	 * at 0x3010000 (like the half page at 0x3000000) waits for the end. */
	CHECK(phyp_release_scans_done(r, false) == 0);
	fflush(log);
	rewind(log);
	n = fread(buf, 1, sizeof(buf) - 1, log);
	buf[n] = 0;
	CHECK(strstr(buf, "0x3010000") == NULL && strstr(buf, "0x3000000") == NULL);
	CHECK(phyp_release_finish(r, true) == 0);
	fflush(log);
	rewind(log);
	n = fread(buf, 1, sizeof(buf) - 1, log);
	buf[n] = 0;
	CHECK_STR_CONTAINS(buf, "would release 0x1000000 0xf000000");	/* the whole area */
	phyp_release_close(r);
	fclose(log);
}

/* Refusals: no release_region, a damaged journal; another boot's journal is
 * moved aside; an explicit release_region path is used as given. */
static void refusals(void)
{
	struct phyp_release_opts o;
	struct phyp_release *r;
	struct pd_error err;
	char jpath[300], rr[300], old[400];

	fresh_root();
	path_of(jpath, sizeof(jpath), "var/lib/phypdump/journal");
	path_of(rr, sizeof(rr), "sys/kernel/fadump/release_region");
	unlink(rr);
	r = open_min(PG, NULL, NULL, &err);
	CHECK(r == NULL);
	CHECK_STR_CONTAINS(err.msg, "no release_region");

	memset(&o, 0, sizeof(o));
	o.root = root;
	o.dump_page_size = PG;
	o.sys_page_size = PG;
	/* Missing explicit path. */
	path_of(rr, sizeof(rr), "nowhere/release_region");
	o.release_region = rr;
	r = phyp_release_open(&o, &err);
	CHECK(r == NULL);
	CHECK_STR_CONTAINS(err.msg, "does not exist");

	/* Explicit path: elsewhere, with the boot's layout. */
	put("elsewhere/release_region", layout);
	path_of(rr, sizeof(rr), "elsewhere/release_region");
	o.release_region = rr;
	r = phyp_release_open(&o, &err);
	CHECK(r != NULL);
	if (r) {
		CHECK(phyp_release_finish(r, true) == 0);	/* nothing saved: areas only */
		phyp_release_close(r);
	}

	/* Damaged journal. */
	fresh_root();
	put("var/lib/phypdump/journal", "phypdump-journal 1 boot_id=x page_size=4096 *00000000\nrubbish\nmore\n");
	r = open_min(PG, NULL, NULL, &err);
	CHECK(r == NULL);
	CHECK_STR_CONTAINS(err.msg, "cannot know");

	/* Another boot's journal, even with releases: moved aside. */
	fresh_root();
	r = open_min(PG, NULL, NULL, &err);
	CHECK(r != NULL);
	if (r) {
		CHECK(phyp_release_scan_begin(r, 0, 0x10000) == 0);
		CHECK(phyp_release_scan_end(r) == 0);
		CHECK(phyp_release_excluded(r, 0x3000, 0x4000) == 0);
		CHECK(phyp_release_scans_done(r, false) == 0);
		phyp_release_close(r);
	}
	put("sys/kernel/fadump/release_region", layout);
	put("proc/sys/kernel/random/boot_id", "11111111-2222-4333-8444-555555555555\n");
	r = open_min(PG, NULL, NULL, &err);
	CHECK(r != NULL);
	phyp_release_close(r);
	snprintf(old, sizeof(old), "%s.0f5e2d1c-aaaa-4bbb-8ccc-123456789abc", jpath);
	CHECK(access(old, F_OK) == 0);
	unlink(old);

	/* Bad page sizes. */
	o.release_region = NULL;
	o.dump_page_size = 3000;
	CHECK(phyp_release_open(&o, &err) == NULL);
	CHECK_STR_CONTAINS(err.msg, "powers of two");
}

/* makedumpfile --num-threads: worker threads read the pages (each its
 * share, ahead of the writer by a bounded buffer) while the main thread
 * reports them written in pfn order and syncs; another thread polls the
 * stats.  Run under ASan and TSan (check-unit-san): the facade must be
 * safe to call from all of them at once. */
#define MT_WORKERS 4
#define MT_PFNS 0x8000u		/* dumpable; 0x8000..0x10000 excluded */
#define MT_AHEAD 64u		/* pages a worker may read ahead of the writer */

struct mt {
	struct phyp_release *r;
	atomic_uint read_done[MT_PFNS];
	atomic_uint writer_at;		/* pfns reported written */
	atomic_uint refused;		/* reads that returned -1 */
	atomic_int in_hook;
	atomic_bool nested, stop_polling;
	struct seen w;
	unsigned worker;
};

static struct mt mt;

static void on_unmap_mt(void *arg, uint64_t s, uint64_t e)
{
	if (atomic_fetch_add(&mt.in_hook, 1) != 0)
		atomic_store(&mt.nested, true);
	on_unmap(arg, s, e);
	atomic_fetch_sub(&mt.in_hook, 1);
}

struct worker_arg {
	unsigned idx;
	uint64_t first, end, step;
	bool expect_refused;
	unsigned ok, refused;
};

static void *mt_worker(void *p)
{
	struct worker_arg *a = p;

	for (uint64_t pfn = a->first; pfn < a->end; pfn += a->step) {
		while (pfn >= atomic_load(&mt.writer_at) + MT_AHEAD)
			sched_yield();
		if (phyp_release_read(mt.r, pfn * PG, PG))
			atomic_fetch_add(&mt.refused, 1);
		atomic_store(&mt.read_done[pfn], 1);
	}
	return NULL;
}

static void *mt_poller(void *p)
{
	struct phyp_release_stats st;
	uint64_t last = 0;
	bool *ok = p;

	while (!atomic_load(&mt.stop_polling)) {
		phyp_release_stats(mt.r, &st);
		if (st.released_bytes < last || phyp_release_error(mt.r)[0])
			*ok = false;	/* never shrinks; no failure */
		last = st.released_bytes;
		sched_yield();
	}
	return NULL;
}

/* Threads that all read at once, some of it released memory. */
static void *mt_racer(void *p)
{
	struct worker_arg *a = p;

	for (uint64_t pfn = a->first; pfn < a->end; pfn += a->step) {
		if (phyp_release_read(mt.r, pfn * PG, PG))
			a->refused++;
		else
			a->ok++;
	}
	return NULL;
}

/* A fresh session, one cycle scanned (a metadata read, [xs, xe)
 * excluded): what makedumpfile has done when its threads start. */
static bool mt_open(uint64_t xs, uint64_t xe)
{
	struct pd_error err;

	fresh_root();
	memset(&mt, 0, sizeof(mt));
	mt.r = open_min(PG, &mt.w, NULL, &err);
	CHECK(mt.r != NULL);
	if (!mt.r)
		return false;
	phyp_release_set_unmap_hook(mt.r, on_unmap_mt, &mt.w);
	CHECK(phyp_release_scan_begin(mt.r, 0, 0x10000) == 0);
	CHECK(phyp_release_read(mt.r, 0x100 * PG, 0x10 * PG) == 0);
	CHECK(phyp_release_excluded(mt.r, xs, xe) == 0);
	CHECK(phyp_release_scan_end(mt.r) == 0);
	CHECK(phyp_release_scans_done(mt.r, false) == 0);
	return true;
}

static void threads(void)
{
	struct worker_arg args[MT_WORKERS];
	pthread_t tid[MT_WORKERS], poller;
	struct phyp_release_stats st;
	char jpath[300];
	unsigned syncs = 0, i;
	bool poll_ok = true;
	uint64_t pfn;

	sync_pfns = 0x1000;	/* 8 syncs */
	path_of(jpath, sizeof(jpath), "var/lib/phypdump/journal");
	if (!mt_open(MT_PFNS, 0x10000))
		return;
	CHECK(released(&mt.w, MT_PFNS, 0x10000) && untouched(&mt.w, 0, MT_PFNS));

	CHECK(pthread_create(&poller, NULL, mt_poller, &poll_ok) == 0);
	for (i = 0; i < MT_WORKERS; i++) {
		args[i] = (struct worker_arg){ .idx = i, .first = i, .end = MT_PFNS,
					       .step = MT_WORKERS };
		CHECK(pthread_create(&tid[i], NULL, mt_worker, &args[i]) == 0);
	}
	/* The writer: in pfn order, each page once its worker has read it. */
	for (pfn = 0; pfn < MT_PFNS; pfn++) {
		int rc;

		while (!atomic_load(&mt.read_done[pfn]))
			sched_yield();
		rc = phyp_release_written(mt.r, pfn, pfn + 1);
		atomic_store(&mt.writer_at, (unsigned)pfn + 1);
		if (rc == 1) {
			/* Nothing unsynced has gone back, read ahead or not. */
			CHECK(untouched(&mt.w, pfn + 1 - sync_pfns, pfn + 1));
			CHECK(phyp_release_durable(mt.r) == 0);
			CHECK(released(&mt.w, 0, pfn + 1));
			CHECK(untouched(&mt.w, pfn + 1, MT_PFNS));
			syncs++;
		}
	}
	for (i = 0; i < MT_WORKERS; i++)
		CHECK(pthread_join(tid[i], NULL) == 0);
	atomic_store(&mt.stop_polling, true);
	CHECK(pthread_join(poller, NULL) == 0);
	CHECK(poll_ok);
	CHECK_EQ_U64(atomic_load(&mt.refused), 0);
	CHECK_EQ_U64(syncs, MT_PFNS / sync_pfns);
	CHECK(released(&mt.w, 0, 0x10000) && !mt.w.overlap);
	CHECK(!atomic_load(&mt.nested));
	CHECK(journal_matches(jpath, &mt.w));
	phyp_release_stats(mt.r, &st);
	CHECK_EQ_U64(st.written_pfns, MT_PFNS);
	CHECK(phyp_release_finish(mt.r, true) == 0);
	CHECK(mt.w.everything && !st.stopped);
	phyp_release_close(mt.r);
	pd_rangeset_free(&mt.w.pfns);

	/* Reads of released memory from several threads at once: each one
	 * refused, nothing more goes back, one stable message. */
	if (!mt_open(0x3000, 0x4000))
		return;
	CHECK(released(&mt.w, 0x3000, 0x4000));
	for (i = 0; i < MT_WORKERS; i++) {
		/* each thread: 0x2f00..0x3100, its share: 0x100 kept, 0x100 released */
		args[i] = (struct worker_arg){ .idx = i, .first = 0x2f00 + i, .end = 0x3100,
					       .step = MT_WORKERS };
		CHECK(pthread_create(&tid[i], NULL, mt_racer, &args[i]) == 0);
	}
	CHECK(phyp_release_written(mt.r, 0, 0x1000) >= 0);	/* the writer meanwhile */
	CHECK(phyp_release_durable(mt.r) == 0);
	for (i = 0; i < MT_WORKERS; i++) {
		CHECK(pthread_join(tid[i], NULL) == 0);
		CHECK_EQ_U64(args[i].ok, 0x100 / MT_WORKERS);
		CHECK_EQ_U64(args[i].refused, 0x100 / MT_WORKERS);
	}
	CHECK_STR_CONTAINS(phyp_release_error(mt.r), "read after their memory was released");
	CHECK(phyp_release_written(mt.r, 0x1000, 0x3000) == 0);
	CHECK(phyp_release_durable(mt.r) == 0);
	CHECK(untouched(&mt.w, 0x1000, 0x3000));	/* stopped: nothing more */
	CHECK(phyp_release_finish(mt.r, true) == -1);
	CHECK(!mt.w.everything);
	phyp_release_stats(mt.r, &st);
	CHECK(st.stopped);
	phyp_release_close(mt.r);
	pd_rangeset_free(&mt.w.pfns);
}

int main(void)
{
	char cmd[128];

	snprintf(root, sizeof(root), "/tmp/pdphyprel.XXXXXX");
	CHECK(mkdtemp(root) != NULL);
	one_cycle();
	several_cycles();
	safety();
	coalescing_and_dry_run();
	dump_ends_early();
	page_sizes();
	refusals();
	threads();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	CHECK(system(cmd) == 0);
	return unit_report("phyp_release");
}
