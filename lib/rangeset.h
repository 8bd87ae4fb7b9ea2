/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rangeset.h — a set of uint64_t values kept as sorted, disjoint,
 * non-adjacent half-open intervals [start, end).
 *
 * Contract:
 *  - Memory is proportional to the number of disjoint intervals, never to
 *    the number of values covered (a 64 TiB dump in one interval is one entry).
 *  - Adding in ascending order (the common case: makedumpfile streams pfns
 *    upwards) is O(1) amortised; other adds and removes are O(log n + moved).
 *  - Adjacent and overlapping intervals are merged on add.
 *  - Functions returning int return 0 on success and -1 only when memory
 *    cannot be allocated; the set is then unchanged.
 */
#ifndef PD_RANGESET_H
#define PD_RANGESET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pd_interval {
	uint64_t start, end;	/* [start, end), start < end */
};

struct pd_rangeset {
	struct pd_interval *iv;
	size_t n, cap;
};

void pd_rangeset_init(struct pd_rangeset *s);
void pd_rangeset_free(struct pd_rangeset *s);
void pd_rangeset_clear(struct pd_rangeset *s);

int pd_rangeset_add(struct pd_rangeset *s, uint64_t start, uint64_t end);
int pd_rangeset_remove(struct pd_rangeset *s, uint64_t start, uint64_t end);

/* true when every value of [start, end) is in the set (empty range: true). */
bool pd_rangeset_covers(const struct pd_rangeset *s, uint64_t start, uint64_t end);
/* true when some value of [start, end) is in the set. */
bool pd_rangeset_intersects(const struct pd_rangeset *s, uint64_t start, uint64_t end);
/* Number of values of [start, end) that are in the set. */
uint64_t pd_rangeset_overlap(const struct pd_rangeset *s, uint64_t start, uint64_t end);
/* Total number of values in the set. */
uint64_t pd_rangeset_total(const struct pd_rangeset *s);
/* Index of the first interval whose end is > value (n when none). */
size_t pd_rangeset_lower(const struct pd_rangeset *s, uint64_t value);

#endif
