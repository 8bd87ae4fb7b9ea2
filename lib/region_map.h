/* SPDX-License-Identifier: GPL-2.0-or-later */
/* region_map.h — from the crashed kernel's physical memory to the reserved
 * physical memory that holds it.
 *
 * Built once from the areas as they were at boot (the first release_region
 * line of this dump boot, which the journal keeps).  A crashed-kernel range
 * may be held in place (src == addr) or in a relocated copy (the boot memory
 * the firmware copied away); one crashed range can span several areas.
 *
 * Contract of pd_map_reserved():
 *  - Calls @cb once per reserved piece, in ascending crashed-address order,
 *    with the reserved physical range that holds that part of
 *    [paddr, paddr + len), ROUNDED INWARD to whole pages of @page_size in
 *    reserved address space.  Pieces that hold no whole page are skipped.
 *  - Never yields a byte outside the boot-time DUMP areas, and never a byte
 *    that holds crashed memory outside [paddr, paddr + len).
 *  - Crashed memory not held by any area (holes) yields nothing.
 *  - Returns 0, or the first non-zero value returned by @cb.
 */
#ifndef PD_REGION_MAP_H
#define PD_REGION_MAP_H

#include <stdint.h>

#include "pd_error.h"
#include "rr_grammar.h"

struct pd_map {
	struct pd_range *r;	/* boot-time DUMP areas, ascending by src */
	size_t n;
	uint64_t page_size;	/* power of two */
};

typedef int (*pd_map_cb)(void *arg, uint64_t addr, uint64_t len);

/* @boot must be a parsed (hence validated) line; a layout whose areas
 * overlap is refused (-1). */
int pd_map_init(struct pd_map *m, const struct pd_rr *boot, uint64_t page_size,
		struct pd_error *err);
void pd_map_free(struct pd_map *m);

int pd_map_reserved(const struct pd_map *m, uint64_t paddr, uint64_t len,
		    pd_map_cb cb, void *arg);

/* Bytes of crashed memory in [paddr, paddr + len) held by some area. */
uint64_t pd_map_held_bytes(const struct pd_map *m, uint64_t paddr, uint64_t len);

#endif
