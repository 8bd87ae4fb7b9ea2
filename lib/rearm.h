/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rearm.h — re-arming firmware-assisted dump before the dump ends, and
 * finishing a re-armed dump from the next one (docs/release-region.md,
 * "Re-arming before the dump ends").
 *
 * Why: once the kernel re-arms, a second crash makes a new dump, and the
 * first one's /proc/vmcore is gone for good.  What a later boot needs to
 * finish the first dump is then (a) its ELF headers and notes, which are
 * not in any PT_LOAD and live only in this boot's /proc/vmcore: copied to a
 * file beside the dump, named with its CRC in the journal; (b) the pages it
 * released: in the partial dump files, as for any resume; (c) the pages it
 * still held: in the new dump's memory, at the same physical addresses.
 * The samples (CRC-32s of a few still-held pages, journaled when re-arming)
 * let the later boot check (c) before trusting it.
 *
 * The header copy ("headers file") holds the bytes of the vmcore that no
 * PT_LOAD's file range covers, in file order, concatenated (pd_rearm_gaps()
 * says which).  /proc/vmcore puts all of them (ELF header, program headers,
 * notes) before the first PT_LOAD's data.
 *
 * Contract:
 *  - pd_rearm_save_headers() writes the file 0600 through a temporary name,
 *    fsyncs it, renames it, fsyncs the directory: when it returns 0 the copy
 *    is durable (journal it next).
 *  - pd_rearm_read_state() parses the kernel's rearm file: "ready", "armed",
 *    "blocked <ranges>"; anything else is PD_REARM_UNKNOWN (never armed).
 *  - pd_rearm_samples() reads only the ranges of @held (memory still
 *    reserved) that lie in place (no '@'); it never reads released memory.
 *  - pd_rearm_headers_load() trusts the file only when its length and
 *    CRC-32 are the journal's and its ELF headers describe a vmcore of the
 *    journaled size whose non-PT_LOAD bytes are exactly the file's.
 *  - pd_rearm_check() fails (PD_ERR_REFUSED) naming the first address where
 *    the new dump cannot serve the old one's held memory: outside the new
 *    dump's PT_LOADs, not held in place by the new layout, or a sample whose
 *    CRC differs.  It reads only the new vmcore.
 */
#ifndef PD_REARM_H
#define PD_REARM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "elfcore.h"
#include "journal.h"
#include "pd_error.h"
#include "rangeset.h"
#include "rr_grammar.h"

#define PD_REARM_HEADERS_NAME "vmcore-headers"
#define PD_REARM_SAMPLE_BYTES 4096u
#define PD_REARM_SAMPLES_PER_RANGE 4u
/* The header copy is small (notes: about 0.5 KiB a CPU); bound what is read back. */
#define PD_REARM_HEADERS_MAX ((uint64_t)64 << 20)

enum pd_rearm_state {
	PD_REARM_ABSENT,	/* no rearm file: this kernel cannot re-arm */
	PD_REARM_BLOCKED,
	PD_REARM_READY,
	PD_REARM_ARMED,
	PD_REARM_UNKNOWN,
};

/* File ranges of a vmcore of @size bytes that no PT_LOAD covers. */
int pd_rearm_gaps(const struct elfcore *ec, uint64_t size, struct pd_rangeset *gaps);

/* Boot 1: copy @vmcore's non-PT_LOAD bytes to @path (NULL: only their
 * size and CRC, to tell whether a vmcore is the one a journal copied). */
int pd_rearm_save_headers(const char *vmcore, const char *path, uint64_t *vmcore_size,
			  uint64_t *len, uint32_t *crc, struct pd_error *err);
/* @detail gets the rest of the line (the blocking ranges), may be NULL. */
int pd_rearm_read_state(const char *path, enum pd_rearm_state *st, char *detail, size_t dsize,
			struct pd_error *err);
const char *pd_rearm_state_name(enum pd_rearm_state st);
/* Write "1": 0, or -1 with @err (errnum: EBUSY blocked, EIO registration failed). */
int pd_rearm_write(const char *path, struct pd_error *err);
/* CRC-32s of up to PD_REARM_SAMPLES_PER_RANGE pages of each in-place range
 * of @held, read from @vmcore; *out is malloc'ed (free it). */
int pd_rearm_samples(const char *vmcore, const struct pd_rr *held, struct pd_journal_saved **out,
		     size_t *n, struct pd_error *err);

/* Boot 2: dump 1's headers, from the journal's headers record. */
struct pd_rearm_headers {
	unsigned char *buf;
	uint64_t len, vmcore_size;
	struct elfcore ec;		/* dump 1's vmcore */
	struct pd_rangeset gaps;	/* its non-PT_LOAD file ranges */
};
int pd_rearm_headers_load(const struct pd_journal_state *js, struct pd_rearm_headers *h,
			  struct pd_error *err);
/* Bytes [off, off+len) of dump 1's vmcore that lie in its gaps. */
int pd_rearm_headers_read(const struct pd_rearm_headers *h, uint64_t off, void *buf, size_t len);
void pd_rearm_headers_free(struct pd_rearm_headers *h);

/* Dump 1's crashed memory that was still held when the crash came:
 * crashed physical ranges of the journal's layout minus what it released. */
int pd_rearm_held(const struct pd_journal_state *js, struct pd_rangeset *held);
/* Whether @js (a journal with a rearm record) is about an earlier dump than
 * the one this boot holds (@boot_id, "" when unknown; @current, its
 * release_region line now, NULL when unknown; @vmcore): another boot id, a
 * vmcore whose headers are not the copied ones, or memory held now that
 * the journal released (released memory never comes back).  1 earlier,
 * 0 this dump, -1 with @err.  @why says how it was told. */
int pd_rearm_is_earlier_dump(const struct pd_journal_state *js, const char *boot_id,
			     const struct pd_rr *current, const char *vmcore, char *why, size_t wsize,
			     struct pd_error *err);
/* Check dump 2 (its boot layout @layout2, its vmcore @vmcore2) against
 * dump 1's journal. */
int pd_rearm_check(const struct pd_journal_state *js, const struct pd_rr *layout2,
		   const char *vmcore2, struct pd_error *err);
/* The file offset in @ec of crashed bytes [pa, pa+*n): shortens *n to what
 * one PT_LOAD holds; -1 when @pa is in no PT_LOAD's file bytes. */
int pd_rearm_paddr_offset(const struct elfcore *ec, uint64_t pa, uint64_t *n, uint64_t *off);

#endif
