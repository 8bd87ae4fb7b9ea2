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
 *     collector <core_collector line the capture runs> *<crc>
 *     saved 0x<off> 0x<len> 0x<crc32> *<crc>        (a durable range of the
 *                                                   last target's file, and
 *                                                   the CRC-32 of its bytes)
 *     release 0x<addr> 0x<len> *<crc>              (reserved physical range,
 *                                                   recorded before the write)
 *     refused 0x<addr> 0x<len> *<crc>              (the kernel refused that
 *                                                   release: nothing went back)
 *     final <how> *<crc>                          (all released, e.g. release_mem)
 *     headers 0x<size> 0x<len> 0x<crc32> <path> *<crc>   (the vmcore's bytes
 *                                                   outside its PT_LOADs, of a
 *                                                   vmcore of <size> bytes, copied
 *                                                   to <path> and synced first)
 *     sample 0x<paddr> 0x<len> 0x<crc32> *<crc>    (crashed memory still held
 *                                                   when re-arming, and its CRC)
 *     rearm boot_id=<id> samples=<n> *<crc>        (re-armed by boot <id>: a crash
 *                                                   from then on is a new dump
 *                                                   holding the rest of this one;
 *                                                   <n> sample records precede it)
 *     finished <how> *<crc>                       (a later boot finished this dump
 *                                                   from its own dump, or found it
 *                                                   unfinishable: <how> says which)
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
 *  - Why saved records: a resumed capture serves memory that is already
 *    released from the partial dump files; it trusts a file only where its
 *    bytes still match the CRCs recorded before those releases were made.
 *  - released = release records minus refused ones: a refused release
 *    freed nothing, and must not be counted or trusted as gone.
 *  - Re-arming (docs/release-region.md, "rearm"): a rearm record needs a
 *    headers record before it (the later boot that finishes this dump has
 *    no other copy of the ELF headers and notes), and the number of sample
 *    records since the previous rearm record must be the one it states.
 *    Samples lie in the layout's DUMP areas' crashed memory (src).
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

/* One durable range of a target file. */
struct pd_journal_saved {
	uint64_t off, len;
	uint32_t crc;
};

/* A dump file a capture of this dump wrote, and what of it was durable. */
struct pd_journal_target {
	char *path;
	struct pd_journal_saved *saved;
	size_t nsaved, capsaved;
};

struct pd_journal_state {
	char boot_id[PD_JOURNAL_BOOT_ID_MAX + 1];
	uint64_t page_size;
	struct pd_rr layout;		/* the areas at the start of the capture */
	struct pd_rangeset released;	/* reserved physical ranges released */
	/* released before the last rearm or final record: those writes were
	 * certainly issued (a kill can leave the last journaled ones unissued) */
	struct pd_rangeset released_sure;
	uint64_t releases;		/* release records */
	uint64_t refused;		/* refused records */
	char target[4096];		/* the last capture's dump file, "" if none */
	struct pd_journal_target *targets;	/* every target, in order */
	size_t ntargets;
	char collector[4096];		/* the last collector record, "" if none */
	bool final;			/* everything was released */
	char final_how[32];
	bool torn_tail;			/* an incomplete last record was dropped */
	/* re-arming (boot 1) and its end (a later boot) */
	bool have_headers;
	uint64_t headers_vmcore_size, headers_len;
	uint32_t headers_crc;
	char headers_path[4096];
	struct pd_journal_saved *samples;	/* off = crashed paddr */
	size_t nsamples, capsamples, samples_since_rearm;
	bool rearmed;
	char rearm_boot_id[PD_JOURNAL_BOOT_ID_MAX + 1];
	bool finished;			/* a later boot ended this dump's story */
	char finished_how[64];
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
int pd_journal_add_collector(struct pd_journal *j, const char *line, struct pd_error *err);
/* Buffer a saved record (synced with the next pd_journal_sync()). */
int pd_journal_add_saved(struct pd_journal *j, uint64_t off, uint64_t len, uint32_t crc,
			 struct pd_error *err);
/* Record (and sync) that the kernel refused the release of [addr, addr+len). */
int pd_journal_add_refused(struct pd_journal *j, uint64_t addr, uint64_t len,
			   struct pd_error *err);
int pd_journal_add_final(struct pd_journal *j, const char *how, struct pd_error *err);
/* The header copy (synced) and its record (synced). */
int pd_journal_add_headers(struct pd_journal *j, uint64_t vmcore_size, uint64_t len, uint32_t crc,
			   const char *path, struct pd_error *err);
/* Buffered: the rearm record syncs it. */
int pd_journal_add_sample(struct pd_journal *j, uint64_t paddr, uint64_t len, uint32_t crc,
			  struct pd_error *err);
int pd_journal_add_rearm(struct pd_journal *j, const char *boot_id, size_t samples,
			 struct pd_error *err);
/* @how: at most 63 characters, no newline. */
int pd_journal_add_finished(struct pd_journal *j, const char *how, struct pd_error *err);
int pd_journal_sync(struct pd_journal *j, struct pd_error *err);
void pd_journal_close(struct pd_journal *j);


#endif
