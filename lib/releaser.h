/* SPDX-License-Identifier: GPL-2.0-or-later */
/* releaser.h — turns "these dump pages may go" into released memory, safely.
 *
 * Pipeline for one ledger emission (a run of crashed-kernel pfns):
 *   region map  -> the reserved physical ranges holding it, whole pages only
 *   journal     -> every range recorded, then fdatasync'ed
 *   back end    -> one write per range
 *
 * Contract:
 *  - No range reaches the back end before its journal record is synced.
 *  - The first failure (journal or back end) stops the releaser for good:
 *    every later call fails without touching memory, and the message of the
 *    first failure is kept in @error.
 *  - Ranges the journal already lists as released (a restarted capture) are
 *    not issued again.
 *  - pd_releaser_pfns() has the signature of a ledger callback.
 *  - Batch mode (pd_releaser_set_batch): releases are collected and made by
 *    pd_releaser_commit(): all their journal records, one fdatasync, then
 *    the writes.  Same guarantees, one journal sync per batch instead of
 *    one per release.
 */
#ifndef PD_RELEASER_H
#define PD_RELEASER_H

#include <stdbool.h>
#include <stdint.h>

#include "backend.h"
#include "journal.h"
#include "rangeset.h"
#include "region_map.h"

struct pd_releaser {
	const struct pd_map *map;
	struct pd_journal *journal;	/* may be NULL only for a dry run */
	struct pd_backend *backend;
	const struct pd_rangeset *already;	/* from the journal; may be NULL */
	uint64_t pfn_bytes;		/* the dump's page size */
	bool failed;
	bool batch;
	struct pd_interval *pend;	/* batch: ranges waiting for commit */
	size_t npend, cappend;
	struct pd_error error;
	uint64_t bytes_released;	/* reserved bytes handed to the back end */
	uint64_t writes;
	/* Optional observer, called after each successful release. */
	void (*on_release)(void *arg, uint64_t addr, uint64_t len);
	void *on_release_arg;
};

void pd_releaser_init(struct pd_releaser *r, const struct pd_map *map,
		      struct pd_journal *journal, struct pd_backend *backend,
		      const struct pd_rangeset *already, uint64_t pfn_bytes);
/* Ledger callback: release the memory holding pfns [start, end). */
int pd_releaser_pfns(void *releaser, uint64_t pfn_start, uint64_t pfn_end);
/* Release one reserved range as it is (CPU, HPTE, or a final full area). */
int pd_releaser_range(struct pd_releaser *r, uint64_t addr, uint64_t len);
void pd_releaser_set_batch(struct pd_releaser *r, bool batch);
/* Make every collected release; 0 when there was none. */
int pd_releaser_commit(struct pd_releaser *r);
void pd_releaser_free(struct pd_releaser *r);

#endif
