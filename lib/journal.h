/* SPDX-License-Identifier: GPL-2.0-or-later */
/* journal.h — the append-only release journal.
 *
 * Why: a release cannot be undone.  Before any memory is given back, the
 * journal says so on disk (fdatasync'ed), so that a capture restarted after
 * a crash, a kill or a power cut knows which memory is already gone and
 * never reads it as if it were dump content.
 *
 * Format (text, one record a line, each ending in " *<crc32 hex>" computed
 * over the bytes before " *"):
 *     phypdump-journal 1 boot_id=<id> page_size=<n> *<crc>
 *     layout <release_region line as read at the start of the capture> *<crc>
 *     target <path of the dump file being written> *<crc>   (each capture)
 *     release 0x<addr> 0x<len> *<crc>              (reserved physical range)
 *     final <how> *<crc>                          (all released, e.g. release_mem)
 *
 * Contract:
 *  - pd_journal_parse() accepts exactly that; a record whose CRC does not
 *    match, or a malformed record, anywhere but at the very end is an error
 *    (the journal is damaged and cannot be trusted).  An incomplete last
 *    line (no newline, or a bad CRC on the last line) is a torn append: the
 *    release it announced was never issued, so it is dropped and reported in
 *    torn_tail.
 *  - Every release range lies inside the layout's areas; otherwise: error.
 *  - pd_journal_add_release() only buffers the record in the file;
 *    pd_journal_sync() fdatasyncs it.  Callers issue a release only after
 *    pd_journal_sync() succeeded.
 *  - Files are created 0600; a missing parent directory is created 0700.
 */
#ifndef PD_JOURNAL_H
#define PD_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pd_error.h"
#include "rangeset.h"
#include "rr_grammar.h"

#define PD_JOURNAL_BOOT_ID_MAX 64

struct pd_journal_state {
	char boot_id[PD_JOURNAL_BOOT_ID_MAX + 1];
	uint64_t page_size;
	struct pd_rr layout;		/* the areas at the start of the capture */
	struct pd_rangeset released;	/* reserved physical ranges released */
	uint64_t releases;		/* release records */
	char target[4096];		/* the last capture's dump file, "" if none */
	bool final;			/* everything was released */
	char final_how[32];
	bool torn_tail;			/* an incomplete last record was dropped */
	size_t good_len;		/* bytes up to the end of the last good record */
};

void pd_journal_state_init(struct pd_journal_state *st);
void pd_journal_state_free(struct pd_journal_state *st);

int pd_journal_parse(const char *buf, size_t len, struct pd_journal_state *st,
		     struct pd_error *err);
/* Returns 0 when loaded, 1 when there is no journal at @path, -1 on error. */
int pd_journal_load(const char *path, struct pd_journal_state *st, struct pd_error *err);

struct pd_journal;

/* Start a new journal (the file must not exist). */
struct pd_journal *pd_journal_create(const char *path, const char *boot_id,
				     uint64_t page_size, const struct pd_rr *layout,
				     struct pd_error *err);
/* Continue a loaded journal; drops a torn tail first. */
struct pd_journal *pd_journal_append(const char *path, const struct pd_journal_state *st,
				     struct pd_error *err);
int pd_journal_add_release(struct pd_journal *j, uint64_t addr, uint64_t len,
			   struct pd_error *err);
int pd_journal_add_target(struct pd_journal *j, const char *path, struct pd_error *err);
int pd_journal_add_final(struct pd_journal *j, const char *how, struct pd_error *err);
int pd_journal_sync(struct pd_journal *j, struct pd_error *err);
void pd_journal_close(struct pd_journal *j);

uint32_t pd_crc32(const void *data, size_t len);

#endif
