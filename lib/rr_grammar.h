/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rr_grammar.h — the release_region text interface (shared/docs/release-region.md, v1).
 *
 * Reading side:
 *     CPU:<addr>-<len>: HPTE:<addr>-<len>: DUMP:<range>[, <range>]...:\n
 *     <range> = <addr>-<len>[@<src>]
 *
 * Contract of pd_rr_parse():
 *  - Accepts any white space (newlines included) between tokens, a lone '/'
 *    between the HPTE and DUMP fields (the seed's line wrap), hex digits in
 *    either case, a 0x or 0X prefix (required on every number, as the kernel
 *    prints it), and an optional trailing ':' after the last DUMP range (the
 *    seed's example has none).  An empty DUMP list ("DUMP::") is accepted.
 *  - Every number fits in 64 bits; addr + len and src + len do not overflow.
 *  - DUMP ranges are strictly ascending and disjoint in the crashed kernel's
 *    address space (src); otherwise: error.
 *  - Areas (CPU, HPTE, DUMP) that overlap in reserved physical memory are
 *    accepted but flagged in ->overlapping (the seed's example overlaps);
 *    no release may be derived from such a line.
 *  - Seed compatibility: when no '@' appears in the line, the first DUMP range
 *    is the relocated copy of crashed memory from address 0 if, and only if,
 *    it lies above the second range (the seed's example: the save area above
 *    the crashed memory, listed first).  We do not apply the rule to an
 *    ascending list: our own kernel and simulator print '@' on every
 *    relocated range, so an ascending '@'-less line is in-place memory whose
 *    copy was already released, and reading it as a copy of address 0 would
 *    map released memory onto live dump pages.
 *  - On error returns -1, fills err->column (1-based) and a message naming
 *    what was expected there, and leaves *out empty.
 *
 * Writing side (one release per write()):   <addr> <len>[\n]
 *   hex, 0x optional, separated by blanks; len > 0; addr + len must not overflow.
 */
#ifndef PD_RR_GRAMMAR_H
#define PD_RR_GRAMMAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pd_error.h"

/* Maximum number of DUMP ranges accepted in one line (a line this long is
 * megabytes: anything beyond is not a kernel's output). */
#define PD_RR_MAX_RANGES 65536

struct pd_range {
	uint64_t addr;	/* reserved physical address */
	uint64_t len;	/* bytes */
	uint64_t src;	/* crashed kernel's physical address of the first byte */
};

struct pd_rr {
	struct pd_range cpu;	/* register save area (src == addr) */
	struct pd_range hpte;	/* saved hash page table (src == addr) */
	struct pd_range *dump;	/* ascending by src */
	size_t ndump;
	bool seed_form;		/* first range read as the copy of address 0 */
	bool overlapping;	/* two areas share reserved bytes: never release */
};

int pd_rr_parse(const char *text, size_t len, struct pd_rr *out, struct pd_error *err);
void pd_rr_free(struct pd_rr *rr);
/* Deep copy; returns -1 on allocation failure. */
int pd_rr_copy(struct pd_rr *dst, const struct pd_rr *src);

/* Canonical line, '@src' on every range whose src != addr, ending in ":\n".
 * Returns a malloc'ed string, or NULL when out of memory. */
char *pd_rr_format(const struct pd_rr *rr);

/* Bytes still reserved: CPU + HPTE + every DUMP range. */
uint64_t pd_rr_reserved_bytes(const struct pd_rr *rr);
uint64_t pd_rr_dump_bytes(const struct pd_rr *rr);

/* Parse the writing side: "<addr> <len>[\n]". */
int pd_rr_parse_release(const char *text, size_t len, uint64_t *addr, uint64_t *rlen,
			struct pd_error *err);
/* Format a release command into buf (at least PD_RR_RELEASE_MAX bytes);
 * returns its length. */
#define PD_RR_RELEASE_MAX 48
size_t pd_rr_format_release(char *buf, uint64_t addr, uint64_t len);

#endif
