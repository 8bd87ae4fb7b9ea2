/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "rangeset.h"

#include <stdlib.h>
#include <string.h>

void pd_rangeset_init(struct pd_rangeset *s)
{
	s->iv = NULL;
	s->n = 0;
	s->cap = 0;
}

void pd_rangeset_free(struct pd_rangeset *s)
{
	free(s->iv);
	pd_rangeset_init(s);
}

void pd_rangeset_clear(struct pd_rangeset *s)
{
	s->n = 0;
}

static int reserve(struct pd_rangeset *s, size_t need)
{
	struct pd_interval *iv;
	size_t cap;

	if (need <= s->cap)
		return 0;
	cap = s->cap ? s->cap * 2 : 16;
	while (cap < need)
		cap *= 2;
	iv = realloc(s->iv, cap * sizeof(*iv));
	if (!iv)
		return -1;
	s->iv = iv;
	s->cap = cap;
	return 0;
}

size_t pd_rangeset_lower(const struct pd_rangeset *s, uint64_t value)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->iv[mid].end > value)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

int pd_rangeset_add(struct pd_rangeset *s, uint64_t start, uint64_t end)
{
	size_t i, j;

	if (start >= end)
		return 0;
	/* Fast path: appending at or after the last interval. */
	if (s->n && start <= s->iv[s->n - 1].end && start >= s->iv[s->n - 1].start) {
		if (end > s->iv[s->n - 1].end)
			s->iv[s->n - 1].end = end;
		return 0;
	}
	if (!s->n || start > s->iv[s->n - 1].end) {
		if (reserve(s, s->n + 1))
			return -1;
		s->iv[s->n].start = start;
		s->iv[s->n].end = end;
		s->n++;
		return 0;
	}
	/* First interval that touches or follows start (end >= start). */
	i = start ? pd_rangeset_lower(s, start - 1) : 0;
	if (i < s->n && s->iv[i].end < start)
		i++;
	/* Intervals i..j-1 overlap or touch [start, end]. */
	j = i;
	while (j < s->n && s->iv[j].start <= end)
		j++;
	if (i == j) {
		if (reserve(s, s->n + 1))
			return -1;
		memmove(&s->iv[i + 1], &s->iv[i], (s->n - i) * sizeof(s->iv[0]));
		s->iv[i].start = start;
		s->iv[i].end = end;
		s->n++;
		return 0;
	}
	if (s->iv[i].start < start)
		start = s->iv[i].start;
	if (s->iv[j - 1].end > end)
		end = s->iv[j - 1].end;
	s->iv[i].start = start;
	s->iv[i].end = end;
	memmove(&s->iv[i + 1], &s->iv[j], (s->n - j) * sizeof(s->iv[0]));
	s->n -= j - i - 1;
	return 0;
}

int pd_rangeset_remove(struct pd_rangeset *s, uint64_t start, uint64_t end)
{
	size_t i, j;

	if (start >= end)
		return 0;
	i = pd_rangeset_lower(s, start);	/* first with end > start */
	if (i == s->n || s->iv[i].start >= end)
		return 0;
	/* Removing from the middle of one interval splits it. */
	if (s->iv[i].start < start && s->iv[i].end > end) {
		if (reserve(s, s->n + 1))
			return -1;
		memmove(&s->iv[i + 1], &s->iv[i], (s->n - i) * sizeof(s->iv[0]));
		s->iv[i].end = start;
		s->iv[i + 1].start = end;
		s->n++;
		return 0;
	}
	if (s->iv[i].start < start) {
		s->iv[i].end = start;
		i++;
	}
	j = i;
	while (j < s->n && s->iv[j].end <= end)
		j++;
	if (j < s->n && s->iv[j].start < end)
		s->iv[j].start = end;
	memmove(&s->iv[i], &s->iv[j], (s->n - j) * sizeof(s->iv[0]));
	s->n -= j - i;
	return 0;
}

bool pd_rangeset_covers(const struct pd_rangeset *s, uint64_t start, uint64_t end)
{
	size_t i;

	if (start >= end)
		return true;
	i = pd_rangeset_lower(s, start);
	return i < s->n && s->iv[i].start <= start && s->iv[i].end >= end;
}

bool pd_rangeset_intersects(const struct pd_rangeset *s, uint64_t start, uint64_t end)
{
	size_t i;

	if (start >= end)
		return false;
	i = pd_rangeset_lower(s, start);
	return i < s->n && s->iv[i].start < end;
}

uint64_t pd_rangeset_overlap(const struct pd_rangeset *s, uint64_t start, uint64_t end)
{
	uint64_t sum = 0;
	size_t i;

	if (start >= end)
		return 0;
	for (i = pd_rangeset_lower(s, start); i < s->n && s->iv[i].start < end; i++) {
		uint64_t a = s->iv[i].start > start ? s->iv[i].start : start;
		uint64_t b = s->iv[i].end < end ? s->iv[i].end : end;

		sum += b - a;
	}
	return sum;
}

uint64_t pd_rangeset_total(const struct pd_rangeset *s)
{
	uint64_t t = 0;
	size_t i;

	for (i = 0; i < s->n; i++)
		t += s->iv[i].end - s->iv[i].start;
	return t;
}
