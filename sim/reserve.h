/* SPDX-License-Identifier: GPL-2.0-or-later */
/* reserve: the reserved-memory state of the simulated dump boot, i.e. the kernel
 * side of release_region (docs/release-region.md, the contract of kernel series v2).
 *
 * State: the areas as they were at boot (CPU, HPTE, DUMP ranges; fixed), the
 * union of all accepted write ranges ("requested"), and the freed pages. All three
 * are interval sets: memory and time are O(ranges), never O(pages).
 *
 * reserve_release(addr, len):
 *   - len == 0, addr + len overflowing, or any byte of [addr, addr+len) outside
 *     the boot-time areas: -EINVAL and nothing changes.
 *   - Otherwise the range joins "requested", and every page P (page_size, aligned
 *     on physical addresses) whose reserved bytes (P ∩ areas) all lie in
 *     "requested" (this write or earlier ones) is freed. Bytes of P outside every
 *     area (the gap between CPU area and copy, the fadump header before the
 *     in-place range, memory holes) do not keep P reserved; unreleased reserved
 *     bytes of P do. Already freed pages are skipped, so a repeated release
 *     succeeds and changes nothing.
 *   - Final release: when the accepted writes together cover every area byte,
 *     every page touching an area is freed (the rule above has freed them all
 *     by then; this keeps the end whole should a page be missed) and the dump ends.
 * reserve_release_all(): release_mem; frees everything, the dump ends.
 *
 * reserve_format(): the read line. Each area is listed minus its released bytes
 *   ("requested": they leave the line at once, before their page goes back):
 *   CPU and HPTE as one pair (the span from the first to the last byte not yet
 *   released; a fully released area keeps its boot address with length 0); DUMP as
 *   every remaining piece in ascending source order, `@src` on relocated pieces.
 *   `@` style: RESERVE_AT_ALWAYS (fadump layout) marks every relocated piece;
 *   RESERVE_AT_SEED (seed layout) prints the seed's form, no `@` at all, while the
 *   copy (dump area 0) is whole and some other DUMP range follows it, and `@src`
 *   on relocated pieces otherwise (once the copy has shrunk or split, or when it
 *   is the only range left: a lone `@`-less range is ambiguous to parsers that
 *   apply the seed rule only when the copy lies above the next range, as lib's
 *   rr_grammar does). If no DUMP byte remains, the first boot DUMP area is listed with
 *   length 0 (like a released CPU area) so the line stays parseable.
 * Numbers are lower-case hex with 0x. Not thread safe: the caller serializes.
 *
 * Re-arming (release-region.md, "Re-arming before the dump ends"):
 *   the blockers are the bytes of the CPU area, the HPTE area and every relocated
 *   DUMP area (the boot-memory copy) that no accepted write has released yet
 *   (byte granular: the firmware overwrites exactly those areas, not whole pages).
 *   reserve_rearm_state(): REARM_ARMED once reserve_rearm() succeeded, else
 *   REARM_BLOCKED while a blocker is left, else REARM_READY.
 *   reserve_rearm_format(): "blocked <addr>-<len>[, <addr>-<len>]...\n" (the
 *   blockers, ascending, one piece per area piece, numbers as in the line),
 *   "ready\n" or "armed\n".
 *   reserve_rearm(): -EBUSY when blocked (nothing changes), else armed (a no-op
 *   when already armed). It changes no reserved memory: releases and the end of
 *   the dump work as before.
 */
#ifndef SIM_RESERVE_H
#define SIM_RESERVE_H

#include <stddef.h>
#include <stdint.h>

#include "rangeset.h"
#include "layout.h"

enum reserve_at_style { RESERVE_AT_ALWAYS, RESERVE_AT_SEED };

struct reserve {
	uint64_t page_size;
	enum reserve_at_style at_style;
	struct sim_area cpu, hpte;
	size_t ndump;
	struct sim_area *dump;
	struct pd_rangeset areas;      /* every area byte at boot */
	struct pd_rangeset requested;  /* union of accepted writes */
	struct pd_rangeset freed;      /* freed pages, page aligned */
	uint64_t area_bytes;
	uint64_t freed_area_bytes; /* area bytes inside freed pages */
	int ended;               /* final release happened */
	int armed;               /* re-armed (rearm written while ready) */
};

enum reserve_rearm_state { REARM_BLOCKED, REARM_READY, REARM_ARMED };

int reserve_init(struct reserve *r, const struct layout *l, enum reserve_at_style style);
void reserve_free(struct reserve *r);

/* 0 or -EINVAL (or -ENOMEM). *freed_now: bytes of areas freed by this call. */
int reserve_release(struct reserve *r, uint64_t addr, uint64_t len, uint64_t *freed_now);
void reserve_release_all(struct reserve *r, uint64_t *freed_now);

/* Area bytes not yet freed. */
uint64_t reserve_remaining(const struct reserve *r);
/* 1 if any byte of the physical range [start, end) is in a freed page. */
int reserve_is_freed(const struct reserve *r, uint64_t start, uint64_t end);
/* 1 while some area byte of [start, end) is not released (the dump not ended). */
int reserve_holds(const struct reserve *r, uint64_t start, uint64_t end);

/* The read line, malloc'ed, NUL terminated; NULL on ENOMEM. */
char *reserve_format(const struct reserve *r);

/* Parse one write: "<addr> <len>[\n]", hex, optional 0x/0X, blanks (space, tab)
 * between, nothing else. 0 or -EINVAL. */
int reserve_parse_write(const char *buf, size_t n, uint64_t *addr, uint64_t *len);

/* Re-arming; see the top of this file. */
enum reserve_rearm_state reserve_rearm_state(const struct reserve *r);
/* The rearm file's line, malloc'ed, NUL terminated; NULL on ENOMEM. */
char *reserve_rearm_format(const struct reserve *r);
/* 0 (armed) or -EBUSY (blocked; nothing changes). */
int reserve_rearm(struct reserve *r);
/* Parse a write to rearm: exactly "1" or "1\n". 0 or -EINVAL. */
int reserve_parse_rearm(const char *buf, size_t n);

#endif
