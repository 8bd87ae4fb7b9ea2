/* ivset: sorted disjoint interval set; see ivset.h for the contract. */
#include "ivset.h"

#include <stdlib.h>
#include <string.h>

void ivset_init(struct ivset *s)
{
	s->v = NULL;
	s->n = 0;
	s->cap = 0;
}

void ivset_free(struct ivset *s)
{
	free(s->v);
	ivset_init(s);
}

size_t ivset_first_after(const struct ivset *s, uint64_t addr)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->v[mid].end > addr)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

int ivset_add(struct ivset *s, uint64_t start, uint64_t end)
{
	size_t i, j;

	if (start >= end)
		return 0;
	/* first interval that ends at or after start (touching counts) */
	i = ivset_first_after(s, start ? start - 1 : 0);
	if (i < s->n && s->v[i].end < start)
		i++;
	/* j: one past the last interval that starts at or before end */
	j = i;
	while (j < s->n && s->v[j].start <= end)
		j++;
	if (i == j) {
		if (s->n == s->cap) {
			size_t ncap = s->cap ? s->cap * 2 : 16;
			struct iv *nv = realloc(s->v, ncap * sizeof(*nv));

			if (!nv)
				return -1;
			s->v = nv;
			s->cap = ncap;
		}
		memmove(&s->v[i + 1], &s->v[i], (s->n - i) * sizeof(*s->v));
		s->v[i].start = start;
		s->v[i].end = end;
		s->n++;
		return 0;
	}
	if (s->v[i].start < start)
		start = s->v[i].start;
	if (s->v[j - 1].end > end)
		end = s->v[j - 1].end;
	s->v[i].start = start;
	s->v[i].end = end;
	memmove(&s->v[i + 1], &s->v[j], (s->n - j) * sizeof(*s->v));
	s->n -= j - i - 1;
	return 0;
}

uint64_t ivset_overlap(const struct ivset *s, uint64_t start, uint64_t end)
{
	uint64_t sum = 0;
	size_t i;

	if (start >= end)
		return 0;
	for (i = ivset_first_after(s, start); i < s->n && s->v[i].start < end; i++) {
		uint64_t a = s->v[i].start > start ? s->v[i].start : start;
		uint64_t b = s->v[i].end < end ? s->v[i].end : end;

		sum += b - a;
	}
	return sum;
}

int ivset_covers(const struct ivset *s, uint64_t start, uint64_t end)
{
	size_t i;

	if (start >= end)
		return 1;
	i = ivset_first_after(s, start);
	return i < s->n && s->v[i].start <= start && s->v[i].end >= end;
}

int ivset_intersects(const struct ivset *s, uint64_t start, uint64_t end)
{
	size_t i;

	if (start >= end)
		return 0;
	i = ivset_first_after(s, start);
	return i < s->n && s->v[i].start < end;
}

uint64_t ivset_total(const struct ivset *s)
{
	uint64_t sum = 0;
	size_t i;

	for (i = 0; i < s->n; i++)
		sum += s->v[i].end - s->v[i].start;
	return sum;
}
