/* SPDX-License-Identifier: GPL-2.0-or-later */
/* capture.h — the capture engine: one session of saving a dump and giving its
 * memory back.  Both front ends drive it (phypdump save, from makedumpfile's
 * flattened stream; makedumpfile --phyp-release, from inside makedumpfile), so
 * the release rule exists once:
 *
 *   memory is released only when its content is durably saved (written and
 *   fdatasync'ed) or deliberately filtered out, and nothing will read it again.
 *
 * Lifecycle (embedded object: _init/_fini):
 *   pd_capture_init()      what this boot holds; the lock; the journal's rules;
 *                          the boot-time layout and its check against the
 *                          vmcore; how memory will go back (mode)
 *   pd_capture_begin()     the output is open and valid: the journal is created
 *                          (or continued) and names the target and collector.
 *                          Nothing is released before this.
 *   events                 excluded / written / file_written / durable / pin /
 *                          unpin / commit, in the dump's pfns
 *   pd_capture_end()       the dump is complete and durable: the rest goes back
 *                          and the dump ends
 *   pd_capture_stop()      something failed: nothing more is ever released
 *   pd_capture_fini()
 *
 * Invariants across calls:
 *  - No pfn is released unless it was reported excluded, or written and then
 *    made durable by pd_capture_durable(), and is not pinned.  Each release is
 *    in the journal, synced, before the kernel sees it.
 *  - Releases made while file ranges reported by pd_capture_file_written()
 *    are not yet durable first make them durable (through the sync callback)
 *    and journal their CRCs ("saved" records): a resumed capture can then
 *    trust the partial file for every page already gone.
 *  - The page check (lib/page_check.h), on unless opts.no_page_check: no
 *    written pfn is made releasable (pd_capture_durable(), pd_capture_end())
 *    until its copy in the dump file, read back after the sync and
 *    decompressed, equals the page in the file the collector reads.  A page
 *    that differs stops the capture (->error names the pfn and the file
 *    offset; ->check_failed) and its memory stays reserved.  With release_mem
 *    (everything at the end), every dumped page is checked before it; with
 *    nothing released (the service's release at-end and never), every
 *    dumped page is checked by pd_capture_check_finish(), so that a dump
 *    that differs from memory fails the save before anyone releases it.  The
 *    dump file is read through the descriptor given to pd_capture_begin(),
 *    or, when that is -1, by opening @target read-only (makedumpfile
 *    --phyp-release); when neither can be read there is no check, and
 *    ->note says so.
 *  - The first failure (journal, kernel, an event the engine cannot honour, or
 *    pd_capture_stop()) stops releasing for good: later events return 0 and do
 *    nothing; pd_capture_end() then fails and releases nothing.  The first
 *    failure's message is kept in ->error.
 *  - The lock (flock on the journal's directory) is held from init to fini:
 *    two captures of one dump never run at once (PD_ERR_BUSY).
 *  - Re-arming (docs/release-region.md, "rearm"; on unless opts.no_rearm, in
 *    incremental mode, when the kernel has the rearm file): at begin, the
 *    vmcore's bytes outside its PT_LOADs (ELF header, program headers,
 *    notes) are copied to <headers_dir>/vmcore-headers, synced, and
 *    journaled with their CRC (a "headers" record, synced).  Then the CPU
 *    and HPTE areas go with the first commit of releases (their content is
 *    in the notes, now durable), not at the end.  After each commit, when the
 *    kernel's rearm file reads "ready", the engine journals CRC-32s of a few
 *    pages of each still-held range ("sample" records) and a "rearm" record,
 *    syncs, and only then writes 1 to rearm.  A re-arm refused by the kernel
 *    (or a header copy that cannot be made) is reported to on_rearm and is
 *    never a failure of the capture; only EIO (the registration failed, the
 *    kernel is ready again) is tried again, after later commits, up to
 *    PD_CAPTURE_REARM_TRIES writes in all.
 *    Re-arming releases nothing, and nothing is released for its sake but
 *    the CPU and HPTE areas.
 *  - When the kernel ends the dump during the final whole-area releases
 *    (release_region disappears once the last reserved byte is gone), that is
 *    success, not a refused release.
 *
 * Errors of init carry a kind: PD_ERR_NO_DUMP (nothing held), PD_ERR_UNSUPPORTED
 * (a dump phypdump cannot save: OPAL MPIPL, unreadable vmcore), PD_ERR_BUSY,
 * PD_ERR_REFUSED (damaged journal, a layout that does not hold the vmcore, an
 * earlier capture released memory and the front end cannot resume), PD_ERR_USAGE.
 */
#ifndef PD_CAPTURE_H
#define PD_CAPTURE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "backend.h"
#include "dump_state.h"
#include "journal.h"
#include "ledger.h"
#include "page_check.h"
#include "pd_error.h"
#include "rangeset.h"
#include "rearm.h"
#include "region_map.h"
#include "releaser.h"
#include "rr_grammar.h"

struct pd_capture_async;

/* 1 MiB: on the 8 GiB fixture runs of at least 1 MiB hold 98.7% of the
 * excluded pages (338 writes); runs of 16 MiB only 81.8%, the rest waits. */
#define PD_CAPTURE_DEFAULT_MIN_RELEASE ((uint64_t)1 << 20)
/* When the output is synced (pd_capture_sync_due): the memory it holds back
 * decides, not the bytes written.  The dump is compressed about 8:1 (-d 31 -l
 * on the 8 GiB fixture), so 32 MiB of output held back about 250 MiB of
 * memory and 0.8 s passed with nothing released.  An fdatasync here costs
 * about 1 ms plus 0.8 ms per MiB written, and the per-MiB part is owed anyway:
 * a sync per 32 MiB of memory (about 4 MiB of output, 4 ms) costs little and
 * gives memory back in 32 MiB steps.  Zero pages cost no output at all and
 * count in full.  The byte limit stays as a bound on the data one sync
 * writes; the interval bounds how long a slow collector holds memory. */
#define PD_CAPTURE_DEFAULT_SYNC_MEMORY ((uint64_t)32 << 20)
#define PD_CAPTURE_DEFAULT_SYNC_BYTES ((uint64_t)32 << 20)
#define PD_CAPTURE_DEFAULT_SYNC_SECONDS 0.5
/* Writes of 1 to rearm that fail with EIO (the registration failed after
 * the invalidation: the kernel is ready again) before re-arming gives up. */
#define PD_CAPTURE_REARM_TRIES 3

enum pd_capture_mode {
	PD_CAPTURE_KEEP,	/* nothing is released */
	PD_CAPTURE_INCREMENTAL,	/* release_region, as the dump is saved */
	PD_CAPTURE_AT_END,	/* release_mem, once the dump is whole */
	PD_CAPTURE_DRY_RUN,	/* log what would be released */
};

struct pd_capture_opts {
	const char *root;		/* NULL: "/" */
	const char *journal;		/* NULL: <root>/var/lib/phypdump/journal */
	const char *release_region;	/* NULL: detected under root */
	const char *vmcore;		/* what the collector reads; NULL: <root>/proc/vmcore */
	uint64_t sys_page_size;		/* the running kernel's; 0: sysconf() */
	uint64_t min_release;		/* bytes; 0: PD_CAPTURE_DEFAULT_MIN_RELEASE */
	uint64_t sync_memory;		/* bytes; 0: PD_CAPTURE_DEFAULT_SYNC_MEMORY */
	bool no_release;		/* keep everything reserved */
	FILE *dry_run;			/* non-NULL: log releases here, release nothing */
	bool can_resume;		/* the front end resumes after earlier releases */
	bool require_incremental;	/* refuse unless release_region is there */
	bool no_page_check;		/* release written pages unchecked */
	const char *check_source;	/* the file the collector reads, to compare
					 * pages with; NULL: vmcore */
	/* Makes the output durable (fdatasync); NULL when the front end syncs
	 * by itself before calling pd_capture_durable(). */
	int (*sync)(void *arg, struct pd_error *err);
	void *sync_arg;
	/* The CRC-32 of the output's bytes [off, off+len), read back where
	 * they are durable; NULL: read back through the begin's @out_fd.  A
	 * remote output (ssh) has no local descriptor: its receiver answers. */
	int (*checksum)(void *arg, uint64_t off, uint64_t len, uint32_t *crc, struct pd_error *err);
	void *checksum_arg;
	bool no_rearm;			/* never re-arm before the dump ends */
	const char *headers_dir;	/* where the header copy goes; NULL: the
					 * target's directory */
	/* Observer of re-arming: @st PD_REARM_ARMED (re-armed now; with @why:
	 * by an earlier run of this capture), ABSENT
	 * (this kernel has no rearm file), UNKNOWN (it failed: @why says what
	 * and what to do; the capture goes on). */
	void (*on_rearm)(void *arg, enum pd_rearm_state st, const struct pd_error *why);
	void *on_rearm_arg;
	/* Observer, after each successful release. */
	void (*on_release)(void *arg, uint64_t addr, uint64_t len);
	void *on_release_arg;
};

struct pd_capture {
	struct pd_capture_opts o;
	struct pd_dump_state st;
	char vmcore[4096];
	struct pd_rr boot;		/* the areas at the start of this dump */
	enum pd_capture_mode mode;
	const char *mode_why;
	char note[512];			/* why the mode is less than asked, or "" */
	bool resume;			/* earlier captures released memory */
	uint64_t reserved_start;	/* bytes reserved when this capture began */
	uint64_t returned;		/* bytes given back by this capture */
	uint64_t released_bytes;	/* bytes handed to the kernel (whole-area
					 * writes at the end count in full) */

	/* private */
	int lock_fd;
	bool have_map, have_backend, have_ledger, begun, ended, stopped;
	struct pd_map map;
	struct pd_journal *journal;
	struct pd_backend backend;
	struct pd_releaser rel;
	struct pd_ledger ledger;
	uint64_t pfn_bytes;		/* the dump's page size, once known */
	uint64_t waiting;		/* bytes of memory written, not yet durable */
	bool cycles_known, single_cycle;
	int out_fd;			/* the dump file, for saved records */
	struct pd_rangeset unsaved;	/* file ranges written, not yet checksummed */
	struct pd_page_check *check;	/* NULL: no page check (or finished) */
	bool check_on, check_done;
	uint64_t checked_pages, unchecked_pages;
	double check_seconds;
	int check_fd;			/* the target, opened by the engine, or -1 */
	struct pd_rangeset unchecked;	/* written pfns not yet checked */
	bool check_failed;		/* a page's copy differs: ->error says which */
	struct pd_capture_async *async;	/* the durability worker, or NULL */
	uint64_t async_jobs, async_syncs;	/* what the worker did (after finish) */
	bool headers_saved;		/* the header copy is durable and journaled */
	bool early_areas;		/* CPU and HPTE released at begin */
	bool rearm_done;		/* re-armed, or given up for this run */
	bool rearmed;			/* re-armed (this run or an earlier one) */
	unsigned rearm_tries;		/* writes that failed with EIO */
	struct pd_error error;
};

/* Returns 0, or -1 with @err (kind set); c is then finalized already. */
int pd_capture_init(struct pd_capture *c, const struct pd_capture_opts *o, struct pd_error *err);
/* @target: the dump file being written (its descriptor @out_fd, or -1 when
 * the front end does not report file ranges); @collector: the collector line.
 * Opens the page check (see above).  Returns 0, or -1 with @err (nothing was
 * released; a page check that cannot read the source vmcore is a failure). */
int pd_capture_begin(struct pd_capture *c, const char *target, int out_fd,
		     const char *collector, struct pd_error *err);
/* The dump's page size (makedumpfile's block size); once, before any event.
 * -1 when it differs from an earlier call or is not a power of two. */
int pd_capture_set_page_size(struct pd_capture *c, uint64_t pfn_bytes);
/* Whether makedumpfile runs one cycle (written pages may go once durable) or
 * several (later cycles may re-read metadata: written pages wait for the end). */
void pd_capture_set_cycles(struct pd_capture *c, bool single);

int pd_capture_excluded(struct pd_capture *c, uint64_t pfn_start, uint64_t pfn_end);
int pd_capture_written(struct pd_capture *c, uint64_t pfn_start, uint64_t pfn_end);
/* Nothing from @pfn on is in the dump (makedumpfile's max_mapnr): the
 * memory the layout holds there is filtered out, like excluded pages. */
int pd_capture_beyond(struct pd_capture *c, uint64_t pfn);
/* The output file's bytes [off, off+len) were written. */
int pd_capture_file_written(struct pd_capture *c, uint64_t off, uint64_t len);
/* The output was fdatasync'ed: written pfns are durable and may go (one cycle). */
int pd_capture_durable(struct pd_capture *c);
int pd_capture_pin(struct pd_capture *c, uint64_t pfn_start, uint64_t pfn_end);
int pd_capture_unpin(struct pd_capture *c, uint64_t pfn_start, uint64_t pfn_end);
/* Whether the front end should sync the output now: the memory written since
 * the last sync reached sync_memory and a sync would let it go (one cycle),
 * or @unsynced output bytes reached @sync_bytes, or something is unsynced and
 * @since seconds (since the last sync) reached @sync_seconds.  Never fails. */
bool pd_capture_sync_due(const struct pd_capture *c, uint64_t unsynced, uint64_t sync_bytes,
			 double since, double sync_seconds);
/* Make the releases decided so far (one journal sync for all of them). */
int pd_capture_commit(struct pd_capture *c);
/* The dump is complete and durable: release everything left; end the dump. */
int pd_capture_end(struct pd_capture *c);
/* Stop releasing for good; @why (may be NULL) becomes ->error if first.
 * Closes the page check (and its source file). */
void pd_capture_stop(struct pd_capture *c, const struct pd_error *why);
void pd_capture_fini(struct pd_capture *c);

/* Whether any byte of crashed pfns [s, e) was released (by any capture of
 * this dump: this one, or an earlier one in the journal). */
bool pd_capture_pfns_released(const struct pd_capture *c, uint64_t pfn_start, uint64_t pfn_end);
bool pd_capture_stopped(const struct pd_capture *c);
/* The dump is durable and nothing more will be written: check what is
 * left (with release_mem: every dumped page), then close the check's
 * source (the resume view must be unmounted next).  A written event after
 * this stops the capture.  0, or -1 with ->error (nothing is released
 * after a failure). */
int pd_capture_check_finish(struct pd_capture *c);
/* Whether written pages are checked; the pages the check compared (and,
 * in a build without decompressors, could not), and the seconds it took. */
/* The durability worker (phypdump save, a local dump file): a thread that
 * takes the fdatasync, the page check, the saved records and the release
 * commits off the front end's path, so the collector's stream keeps flowing
 * while they run.  The rules above hold unchanged:
 *  - a written pfn becomes releasable only when a job that fdatasync'ed the
 *    file after it was written, and compared its copy with the source, has
 *    finished without failure, and the front end has collected that job;
 *  - a job journals and syncs its releases before the kernel sees them;
 *    releases that rely on file ranges not yet saved wait for a job's sync;
 *  - a job's failure (sync, differing page, journal, kernel) stops the
 *    capture when collected, and the job makes no release after it;
 *    pd_capture_stop() lets a job make no release it has not begun, and
 *    waits for the worker to end.
 * One job at a time; while it runs the worker owns the journal, the back end
 * and the page check, and the front end only reports events.
 *
 * pd_capture_async_start()  after pd_capture_begin(); 0 also when the
 *                           capture cannot use it (no local file, remote
 *                           checksums, nothing released incrementally):
 *                           it then stays synchronous
 * pd_capture_async_kick()   after each piece of the stream, instead of
 *                           pd_capture_durable()/pd_capture_commit():
 *                           collects a finished job, then starts the next
 *                           one when the worker is idle and a sync is due
 *                           (@sync_due, from pd_capture_sync_due()), or
 *                           written memory waits (one cycle: the worker is
 *                           the pace), or releases are safe.  1: a job that syncs began;
 *                           0: none; -1: the capture stopped (->error)
 * pd_capture_async_poll()   collect a finished job, never waits
 * pd_capture_async_fd()     readable when a job finished (poll it with the
 *                           collector's pipe); -1 without a worker
 * pd_capture_async_finish() wait for the job, collect it, end the worker;
 *                           the capture is synchronous again.  The engine's
 *                           durable/commit/check_finish/end call it first. */
int pd_capture_async_start(struct pd_capture *c, struct pd_error *err);
int pd_capture_async_kick(struct pd_capture *c, bool sync_due);
int pd_capture_async_poll(struct pd_capture *c);
int pd_capture_async_fd(const struct pd_capture *c);
int pd_capture_async_finish(struct pd_capture *c);

bool pd_capture_check_stats(const struct pd_capture *c, uint64_t *checked, uint64_t *unchecked,
			    double *seconds);

#endif
