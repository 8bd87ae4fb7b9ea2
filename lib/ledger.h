/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ledger.h — the release ledger: which dump pages may go back, and when.
 *
 * Works in pfns of the crashed kernel (page frame numbers as makedumpfile
 * counts them).  A pfn moves through these states:
 *
 *   excluded  filtered out of the dump (never read again)      -> ready
 *   written   its data is in the dump file, not yet synced
 *   durable   written and fdatasync'ed                          -> ready
 *   pinned    something will still read it (metadata); overrides ready
 *   released  handed to the release callback; final
 *
 * Contract:
 *  - The callback is called only for pfns that are ready, not pinned, and
 *    never released before: no pfn is ever emitted twice.
 *  - Ready runs are coalesced: a run is emitted once it spans at least
 *    min_pfns (the caller sets it from a byte size: the capture engine's
 *    PD_CAPTURE_DEFAULT_MIN_RELEASE), or on
 *    pd_ledger_flush(), which emits every ready, unpinned run.
 *  - After a callback failure (non-zero return) or an allocation failure the
 *    ledger is failed: it keeps recording but never calls the callback again,
 *    and every later call returns -1.  Nothing half-known is released.
 *  - Marking written a pfn that was already released is a safety violation
 *    (memory was read after it was given back): -1 and failed.
 *  - Pinning a released pfn is also refused (-1 and failed): the pin came
 *    too late to protect it.
 *  - Memory use is proportional to the number of disjoint pending runs, not
 *    to the dump's size.
 */
#ifndef PD_LEDGER_H
#define PD_LEDGER_H

#include <stdbool.h>
#include <stdint.h>

#include "pd_error.h"
#include "rangeset.h"

/* Release [pfn_start, pfn_end).  Return 0 when done, non-zero on failure. */
typedef int (*pd_ledger_release_fn)(void *arg, uint64_t pfn_start, uint64_t pfn_end);

struct pd_ledger_stats {
	uint64_t excluded_pfns;		/* marked excluded (not counting repeats) */
	uint64_t written_pfns;
	uint64_t durable_pfns;
	uint64_t released_pfns;
	uint64_t releases;		/* callback calls that succeeded */
};

struct pd_ledger {
	struct pd_rangeset written;	/* written, not yet durable */
	struct pd_rangeset ready;	/* excluded or durable, not yet released */
	struct pd_rangeset pinned;
	struct pd_rangeset released;
	uint64_t min_pfns;
	pd_ledger_release_fn release;
	void *arg;
	bool failed;
	struct pd_error error;		/* why it failed */
	struct pd_ledger_stats stats;
};

void pd_ledger_init(struct pd_ledger *l, uint64_t min_pfns,
		    pd_ledger_release_fn release, void *arg);
void pd_ledger_free(struct pd_ledger *l);

int pd_ledger_excluded(struct pd_ledger *l, uint64_t start, uint64_t end);
int pd_ledger_written(struct pd_ledger *l, uint64_t start, uint64_t end);
/* Everything written so far is durable (call after a successful fdatasync). */
int pd_ledger_durable(struct pd_ledger *l);
/* The written pfns in @set are durable (an fdatasync that began once they
 * were written has finished); pfns written since stay written. */
int pd_ledger_durable_in(struct pd_ledger *l, const struct pd_rangeset *set);
int pd_ledger_pin(struct pd_ledger *l, uint64_t start, uint64_t end);
int pd_ledger_unpin(struct pd_ledger *l, uint64_t start, uint64_t end);
/* Emit every ready, unpinned run, whatever its size. */
int pd_ledger_flush(struct pd_ledger *l);

/* Pending (ready but unreleased) and released pfn counts. */
uint64_t pd_ledger_ready_pfns(const struct pd_ledger *l);

#endif
