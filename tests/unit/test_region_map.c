/* SPDX-License-Identifier: GPL-2.0-or-later */
/* region map: through the relocated copy, inward rounding, holes, spans;
 * then a brute-force check that no yielded byte is outside the request. */
#include "region_map.h"
#include "unit.h"

struct got {
	uint64_t addr[16], len[16];
	int n;
};

static int grab(void *arg, uint64_t addr, uint64_t len)
{
	struct got *g = arg;

	if (g->n < 16) {
		g->addr[g->n] = addr;
		g->len[g->n] = len;
	}
	g->n++;
	return 0;
}

static int stop_at_first(void *arg, uint64_t addr, uint64_t len)
{
	(void)arg;
	(void)addr;
	(void)len;
	return 7;
}

static const char qemu_line[] =
	"CPU:0x14000000-0x510: HPTE:0x14000510-0x0: "
	"DUMP:0x14001000-0x14000000@0x0, 0x280011b0-0x57ffee50@0x280011b0:";

int main(void)
{
	struct pd_rr rr;
	struct pd_map m;
	struct pd_error err;
	struct got g;

	CHECK(pd_rr_parse(qemu_line, strlen(qemu_line), &rr, &err) == 0);
	CHECK(pd_map_init(&m, &rr, 3000, &err) == -1);
	CHECK_STR_CONTAINS(err.msg, "power of two");
	CHECK(pd_map_init(&m, &rr, 0x10000, &err) == 0);

	/* One 64 KiB crashed page in the copy: the copy starts 4 KiB into a
	 * page, so no whole reserved page holds it. */
	memset(&g, 0, sizeof(g));
	CHECK(pd_map_reserved(&m, 0, 0x10000, grab, &g) == 0);
	CHECK_EQ_U64(g.n, 0);
	/* 17 pages: the reserved run is [0x14001000, 0x14111000), inward
	 * [0x14010000, 0x14110000). */
	memset(&g, 0, sizeof(g));
	pd_map_reserved(&m, 0, 17 * 0x10000, grab, &g);
	CHECK_EQ_U64(g.n, 1);
	CHECK_EQ_U64(g.addr[0], 0x14010000);
	CHECK_EQ_U64(g.len[0], 0x100000);
	/* The hole between boot memory and the in-place range yields nothing. */
	memset(&g, 0, sizeof(g));
	pd_map_reserved(&m, 0x14000000, 0x14000000, grab, &g);
	CHECK_EQ_U64(g.n, 0);
	/* [0x14000000, 0x28000000) is not held at all (the copy area was
	 * reserved, so the crashed kernel kept nothing there). */
	CHECK_EQ_U64(pd_map_held_bytes(&m, 0x14000000, 0x14000000), 0);
	CHECK_EQ_U64(pd_map_held_bytes(&m, 0x14000000, 0x14002000), 0x2000 - 0x11b0);
	/* A range spanning both areas: two pieces, ascending. */
	memset(&g, 0, sizeof(g));
	pd_map_reserved(&m, 0x13fe0000, 0x28020000 - 0x13fe0000, grab, &g);
	CHECK_EQ_U64(g.n, 2);
	CHECK_EQ_U64(g.addr[0], 0x27ff0000);	/* copy of 0x13fe0000.. */
	CHECK_EQ_U64(g.len[0], 0x10000);
	CHECK_EQ_U64(g.addr[1], 0x28010000);	/* in place, first whole page */
	CHECK_EQ_U64(g.len[1], 0x10000);
	/* Past the end of memory: nothing; overflowing request clamps. */
	memset(&g, 0, sizeof(g));
	pd_map_reserved(&m, 0x80000000, 0x10000, grab, &g);
	CHECK_EQ_U64(g.n, 0);
	memset(&g, 0, sizeof(g));
	pd_map_reserved(&m, 0x70000000, UINT64_MAX, grab, &g);
	CHECK_EQ_U64(g.n, 1);
	CHECK_EQ_U64(g.addr[0] + g.len[0], 0x80000000);
	/* The callback's non-zero return stops the walk and is passed on. */
	CHECK(pd_map_reserved(&m, 0, 0x80000000, stop_at_first, NULL) == 7);
	pd_map_free(&m);
	pd_rr_free(&rr);

	/* Brute force on a small seed-style layout with 4 KiB pages: every
	 * yielded byte holds requested crashed memory, page aligned. */
	{
		const char *l = "CPU:0x90000-0x1000: HPTE:0x91000-0x800: DUMP:0x91800-0x20000, 0x20000-0x60000:";
		unsigned seed = 99;
		int i, bad = 0;

		CHECK(pd_rr_parse(l, strlen(l), &rr, &err) == 0);
		CHECK(rr.seed_form);
		pd_rr_free(&rr);
		CHECK(pd_rr_parse(l, strlen(l), &rr, &err) == 0);
		CHECK(pd_map_init(&m, &rr, 0x1000, &err) == 0);
		for (i = 0; i < 3000; i++) {
			uint64_t p, n;
			int k;

			seed = seed * 1103515245u + 12345u;
			p = (seed >> 4) % 0x90000;
			seed = seed * 1103515245u + 12345u;
			n = 1 + (seed >> 4) % 0x30000;
			memset(&g, 0, sizeof(g));
			pd_map_reserved(&m, p, n, grab, &g);
			for (k = 0; k < g.n && k < 16; k++) {
				uint64_t a = g.addr[k], e = a + g.len[k], src;

				if ((a | e) & 0xfff)
					bad++;
				if (a >= 0x91800 && e <= 0xb1800)
					src = a - 0x91800;	/* in the copy */
				else if (a >= 0x20000 && e <= 0x80000)
					src = a;
				else {
					bad++;
					continue;
				}
				if (src < p || src + (e - a) > p + n)
					bad++;
			}
		}
		CHECK_EQ_U64(bad, 0);
		pd_map_free(&m);
		pd_rr_free(&rr);
	}
	return unit_report("region_map");
}
