/* SPDX-License-Identifier: GPL-2.0-or-later */
/* dump_state.h — one consistent view of what this boot holds, for status and
 * save: detection, the current release_region line, this boot's id, and the
 * journal of earlier releases.
 *
 * Contract:
 *  - pd_dump_state_read() fails (-1) only when release_region exists but
 *    cannot be read or parsed: then nothing can be said safely.  A line
 *    that does not parse is read again (another process may have released
 *    memory between two read()s of it); it fails only when it reads the same
 *    twice running, or still changes after four reads.
 *  - A journal that cannot be read or parsed does not fail the call: it is
 *    reported in journal_rc = -1 and journal_err, so callers decide
 *    (status reports it, save refuses to run).
 *  - A journal written on another boot (boot ids differ) is stale: it
 *    describes an earlier dump, and journal_stale is set.  Where the ids
 *    cannot tell (either is unknown), so is a journal that released memory
 *    the release_region line holds now (released memory never comes back:
 *    that line is another dump's), counting only releases a rearm or final
 *    record follows (the last journaled ones may never have been issued).
 */
#ifndef PD_DUMP_STATE_H
#define PD_DUMP_STATE_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "detect.h"
#include "journal.h"
#include "rr_grammar.h"

#define PD_DEFAULT_JOURNAL "var/lib/phypdump/journal"

struct pd_dump_state {
	struct pd_detect det;
	bool have_line;			/* release_region was read */
	struct pd_rr current;		/* its areas now */
	char boot_id[PD_JOURNAL_BOOT_ID_MAX + 1];	/* "" when unknown */
	char journal_path[PATH_MAX];
	int journal_rc;			/* 0 loaded, 1 none, -1 unreadable */
	struct pd_error journal_err;
	struct pd_journal_state journal;
	bool journal_stale;
	bool holds_dump;		/* a dump is waiting on this boot */
	bool reserved_known;
	uint64_t reserved_bytes;	/* memory the dump still holds */
};

/* Whether @line holds bytes the journal @js certainly released (before its
 * last rearm or final record); the first such address into *@at.  -1 out
 * of memory. */
int pd_dump_state_released_held(const struct pd_journal_state *js, const struct pd_rr *line,
				uint64_t *at);
/* @journal_path: NULL for <root>/var/lib/phypdump/journal. */
int pd_dump_state_read(const char *root, const char *journal_path,
		       struct pd_dump_state *s, struct pd_error *err);
void pd_dump_state_free(struct pd_dump_state *s);

#endif
