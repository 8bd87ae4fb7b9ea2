/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rangeset: fixed cases, then random operations checked against a bitmap. */
#include "rangeset.h"
#include "unit.h"

#define U 512

static int model_equal(const struct pd_rangeset *s, const unsigned char *bit)
{
	uint64_t v;
	size_t i;

	for (i = 0; i < s->n; i++) {
		if (s->iv[i].start >= s->iv[i].end)
			return 0;	/* empty interval kept */
		if (i && s->iv[i - 1].end >= s->iv[i].start)
			return 0;	/* not merged or not sorted */
	}
	for (v = 0; v < U; v++) {
		size_t k = pd_rangeset_lower(s, v);
		int in = k < s->n && s->iv[k].start <= v;

		if (in != bit[v])
			return 0;
	}
	return 1;
}

int main(void)
{
	struct pd_rangeset s;
	unsigned char bit[U];
	unsigned seed = 12345;
	int i;

	pd_rangeset_init(&s);
	CHECK(pd_rangeset_add(&s, 10, 20) == 0);
	CHECK(pd_rangeset_add(&s, 20, 30) == 0);	/* adjacent: merged */
	CHECK_EQ_U64(s.n, 1);
	CHECK(pd_rangeset_covers(&s, 10, 30));
	CHECK(!pd_rangeset_covers(&s, 9, 30));
	CHECK(pd_rangeset_add(&s, 0, 5) == 0);
	CHECK_EQ_U64(s.n, 2);
	CHECK(pd_rangeset_add(&s, 4, 11) == 0);	/* bridges both */
	CHECK_EQ_U64(s.n, 1);
	CHECK_EQ_U64(s.iv[0].start, 0);
	CHECK_EQ_U64(s.iv[0].end, 30);
	CHECK(pd_rangeset_remove(&s, 10, 12) == 0);	/* split */
	CHECK_EQ_U64(s.n, 2);
	CHECK_EQ_U64(pd_rangeset_total(&s), 28);
	CHECK(pd_rangeset_intersects(&s, 11, 13));
	CHECK(!pd_rangeset_intersects(&s, 10, 12));
	CHECK(pd_rangeset_add(&s, UINT64_MAX - 5, UINT64_MAX) == 0);
	CHECK(pd_rangeset_covers(&s, UINT64_MAX - 1, UINT64_MAX));
	pd_rangeset_clear(&s);
	CHECK_EQ_U64(s.n, 0);

	/* Touching and covering adds, empty adds, overlap (the simulator's use). */
	CHECK(pd_rangeset_add(&s, 10, 20) == 0);
	CHECK(pd_rangeset_add(&s, 30, 40) == 0);
	CHECK(pd_rangeset_add(&s, 20, 25) == 0);	/* touches: merges */
	CHECK(s.n == 2 && s.iv[0].start == 10 && s.iv[0].end == 25);
	CHECK(pd_rangeset_add(&s, 5, 50) == 0);
	CHECK(s.n == 1 && s.iv[0].start == 5 && s.iv[0].end == 50);
	CHECK(pd_rangeset_add(&s, 60, 60) == 0 && s.n == 1);	/* empty ignored */
	CHECK(pd_rangeset_covers(&s, 5, 50) && !pd_rangeset_covers(&s, 4, 6) &&
	      !pd_rangeset_covers(&s, 49, 51));
	CHECK(pd_rangeset_intersects(&s, 49, 51) && !pd_rangeset_intersects(&s, 50, 60));
	CHECK(pd_rangeset_add(&s, 100, 200) == 0);
	CHECK_EQ_U64(pd_rangeset_overlap(&s, 0, 1000), 145);
	CHECK_EQ_U64(pd_rangeset_overlap(&s, 40, 150), 60);
	CHECK_EQ_U64(pd_rangeset_overlap(&s, 150, 40), 0);
	CHECK_EQ_U64(pd_rangeset_total(&s), 145);
	pd_rangeset_clear(&s);

	memset(bit, 0, sizeof(bit));
	for (i = 0; i < 20000; i++) {
		uint64_t a, b, v;

		seed = seed * 1103515245u + 12345u;
		a = (seed >> 8) % U;
		seed = seed * 1103515245u + 12345u;
		b = a + (seed >> 8) % 40;
		if (b > U)
			b = U;
		if ((seed >> 20) & 1) {
			pd_rangeset_add(&s, a, b);
			for (v = a; v < b; v++)
				bit[v] = 1;
		} else {
			pd_rangeset_remove(&s, a, b);
			for (v = a; v < b; v++)
				bit[v] = 0;
		}
		if (!model_equal(&s, bit)) {
			CHECK(!"rangeset diverged from the bitmap model");
			break;
		}
	}
	CHECK(i == 20000);
	pd_rangeset_free(&s);
	return unit_report("rangeset");
}
