/* ivset: a set of 64-bit byte addresses kept as sorted, disjoint, non-adjacent
 * half-open intervals [start, end).
 *
 * Contract:
 *  - Memory and time are O(number of intervals), never O(bytes or pages): a
 *    64 GiB dump released in a few thousand writes costs a few thousand entries.
 *  - ivset_add() merges overlapping and touching intervals, so the stored list is
 *    always canonical (sorted, disjoint, with a gap between neighbours).
 *  - An empty interval (start >= end) is ignored by every function.
 *  - Functions that allocate return -1 on ENOMEM and leave the set unchanged.
 *  - Not thread safe: callers serialize.
 */
#ifndef SIM_IVSET_H
#define SIM_IVSET_H

#include <stddef.h>
#include <stdint.h>

struct iv {
	uint64_t start;
	uint64_t end; /* exclusive */
};

struct ivset {
	struct iv *v;
	size_t n;
	size_t cap;
};

void ivset_init(struct ivset *s);
void ivset_free(struct ivset *s);
/* Add [start, end). 0 on success, -1 on allocation failure. */
int ivset_add(struct ivset *s, uint64_t start, uint64_t end);
/* 1 if every byte of [start, end) is in the set (1 for an empty interval). */
int ivset_covers(const struct ivset *s, uint64_t start, uint64_t end);
/* 1 if some byte of [start, end) is in the set. */
int ivset_intersects(const struct ivset *s, uint64_t start, uint64_t end);
/* Number of bytes of [start, end) that are in the set. */
uint64_t ivset_overlap(const struct ivset *s, uint64_t start, uint64_t end);
/* Index of the first interval whose end is > addr (s->n when none). */
size_t ivset_first_after(const struct ivset *s, uint64_t addr);
/* Total bytes in the set. */
uint64_t ivset_total(const struct ivset *s);

#endif
