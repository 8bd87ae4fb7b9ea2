/* SPDX-License-Identifier: GPL-2.0-or-later */
/* phyp_release.h — incremental release of dump memory from inside a dump
 * writer (makedumpfile --phyp-release): one small facade over detection,
 * the journal, the region map, the ledger, the releaser and the back ends,
 * so that the writer only reports what it does, in its own terms (pfns of
 * the crashed kernel and physical addresses it reads).
 *
 * The rule it keeps: memory is released only when its content is durably
 * saved (written and fdatasync'ed) or deliberately filtered out, and nothing
 * will read it again.
 *
 * What the writer reports, and when (makedumpfile's names in brackets):
 *
 *   open          after the dump's page size is known [after initial()]
 *   scan_begin    a scan of the cycle [start, end) begins [create_2nd_bitmap]
 *   read          every physical page the writer reads from the dump, before
 *                 it reads it [readmem(), each page]
 *   scan_end      the scan is over
 *   excluded      pfns the scan filtered out [clear bits of bitmap2]; reported
 *                 before scan_end, they are released by scan_end in one batch
 *   scans_done    the first pass is over; @rescans says whether each cycle
 *                 will be scanned again right before it is written (several
 *                 cycles) or not (one cycle)
 *   written       pfns whose page descriptor and data went to the write
 *                 caches; returns 1 when a sync is due
 *   durable       both write caches are flushed and the dump file is
 *                 fdatasync'ed: everything written so far is durable
 *   finish(ok)    the dump is complete and durable (ok), or the writer gave
 *                 up (!ok)
 *
 * Contract:
 *  - Pins.  Every page read during a scan of the first pass is pinned: it
 *    is not released, whatever else holds, until the rescan of the last
 *    cycle whose first-pass scan read it has ended (several cycles), or
 *    until scans_done (one cycle: nothing reads metadata after the scan).
 *    A page first read by a rescan stays pinned until finish.  So written
 *    pages go back cycle by cycle while later cycles can still re-read the
 *    metadata they need.
 *  - read() fails (-1) when any byte of the range was already released: the
 *    writer must not read it (it is no longer the dump's content).  That is
 *    the safety net; it is never expected to fire.
 *  - Excluded pfns are released once unpinned; written pfns once durable and
 *    unpinned.  Runs are coalesced to at least min_release bytes until
 *    finish(), which releases everything left, then the boot-time areas
 *    (CPU, HPTE, DUMP) in full, and writes the journal's final record.
 *  - Every release is recorded in the journal and fdatasync'ed before it is
 *    issued (one sync for all the releases one call decides); the unmap hook
 *    is called with the pfn run before that, so the writer can drop mmap
 *    windows over it (a released page that is still mapped raises SIGBUS
 *    when touched, or reads poison).
 *  - When the kernel ends the dump during finish's whole-area releases
 *    (release_region disappears once the last reserved byte is gone), that
 *    is success, not a refused release.
 *  - open() refuses (NULL, message in @err) when the journal shows that an
 *    earlier capture of this dump boot already released memory, when the
 *    journal is damaged, when there is no release_region, or when the areas
 *    cannot be mapped safely.  A journal from another boot is moved aside.
 *  - After the first failed release (journal or kernel) nothing more is ever
 *    released: that call returns -1 with the message in phyp_release_error(),
 *    later calls return 0 and do nothing (the dump can still be completed),
 *    except read(), which keeps refusing released memory, and finish(), which
 *    returns -1.
 *  - finish(r, false) releases nothing more.  finish() may be called once;
 *    phyp_release_close() frees everything (after finish, or instead of it).
 *
 * Threads (makedumpfile --num-threads):
 *  - Every call but open() and close() may be made from any thread, also
 *    at the same time: each one runs whole under the session's mutex, so
 *    calls are serialized in some order.  open() and close() must not
 *    overlap any other call on the session.
 *  - The library cannot know which thread will read a page next; what a
 *    call reports is what has happened when it is made.  So the writer
 *    reports written() only once the page's data is in its write cache,
 *    which is after the worker that read it has finished reading it (in
 *    makedumpfile the main thread, in pfn order), and calls durable() only
 *    once every page it reported written is in the file and fdatasync'ed.
 *    A page read ahead by a worker and not yet handed to the writer is
 *    not written: it cannot go back.  A page must be read before it is
 *    reported written, excluded pages are never read after the scan that
 *    excluded them, and scans (scan_begin..scan_end, with their reads)
 *    must not overlap one another: pins are taken for the scan in
 *    progress, whichever thread reads.
 *  - The unmap hook runs with the mutex held, in the thread whose call
 *    decided the release: it must not call back into the session, and it
 *    must drop every thread's mappings of the run (the threads may be
 *    reading other pages meanwhile; none of them reads this run again).
 *  - phyp_release_error()'s message is written once, at the first failure,
 *    and never changes: it may be read from any thread.
 */
#ifndef PD_PHYP_RELEASE_H
#define PD_PHYP_RELEASE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "pd_error.h"

struct phyp_release_opts {
	const char *release_region;	/* NULL: detect under root */
	const char *root;		/* NULL: "/" */
	const char *journal;		/* NULL: <root>/var/lib/phypdump/journal */
	const char *target;		/* the dump file, for the journal; may be NULL */
	uint64_t dump_page_size;	/* the crashed kernel's page size (pfn unit) */
	uint64_t sys_page_size;		/* the running kernel's; 0: sysconf() */
	uint64_t min_release;		/* bytes; 0: 1 MiB */
	uint64_t sync_interval;		/* bytes of memory written between syncs; 0: 32 MiB */
	FILE *dry_run;			/* non-NULL: log releases here, release nothing */
	const char *vmcore;		/* the file the writer reads; NULL: <root>/proc/vmcore.
					 * Releasing while reading another file than this
					 * dump boot's vmcore is refused (under root "/"). */
};

struct phyp_release_stats {
	uint64_t excluded_pfns;		/* reported excluded (repeats counted once per report) */
	uint64_t written_pfns;
	uint64_t released_bytes;	/* reserved bytes handed to the kernel (the
					 * final whole-area writes count in full) */
	uint64_t release_writes;	/* writes to release_region */
	uint64_t pinned_pfns;		/* pinned now */
	uint64_t scans, rescans;
	bool stopped;			/* a release failed; nothing more goes back */
};

struct phyp_release;

/* Called before pfns [pfn_start, pfn_end) are released (pfn_end may be
 * UINT64_MAX at finish: everything). */
typedef void (*phyp_release_unmap_fn)(void *arg, uint64_t pfn_start, uint64_t pfn_end);

/* Returns the session, or NULL with the reason in @err (may be NULL) when it
 * refuses (see the contract above); nothing is released then. */
struct phyp_release *phyp_release_open(const struct phyp_release_opts *o, struct pd_error *err);
/* Cannot fail; @fn may be NULL (no hook). */
void phyp_release_set_unmap_hook(struct phyp_release *r, phyp_release_unmap_fn fn, void *arg);

/* The calls below return 0, or -1 on the first failed release (message in
 * phyp_release_error(); nothing more is released and later calls return 0),
 * except read(), which returns -1 whenever the range was released. */

int phyp_release_scan_begin(struct phyp_release *r, uint64_t pfn_start, uint64_t pfn_end);
int phyp_release_read(struct phyp_release *r, uint64_t paddr, uint64_t len);
int phyp_release_scan_end(struct phyp_release *r);
int phyp_release_scans_done(struct phyp_release *r, bool rescans);

int phyp_release_excluded(struct phyp_release *r, uint64_t pfn_start, uint64_t pfn_end);
/* Returns 1 when sync_interval bytes of memory were written since the last
 * durable(): the caller should fdatasync the dump, then call durable(). */
int phyp_release_written(struct phyp_release *r, uint64_t pfn_start, uint64_t pfn_end);
int phyp_release_durable(struct phyp_release *r);

/* Returns 0; -1 when a release failed (in this call or earlier) or when
 * called a second time, with the message in phyp_release_error().  With @ok
 * false it releases nothing and returns 0. */
int phyp_release_finish(struct phyp_release *r, bool ok);
/* Frees @r (NULL: nothing); cannot fail. */
void phyp_release_close(struct phyp_release *r);

/* The first failure's message ("" when none). */
const char *phyp_release_error(const struct phyp_release *r);
void phyp_release_stats(const struct phyp_release *r, struct phyp_release_stats *st);
/* Where the journal is (for messages). */
const char *phyp_release_journal_path(const struct phyp_release *r);

#endif
