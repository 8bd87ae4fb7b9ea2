/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bench_reserve: cost of the simulator's release state on a 64 GiB dump.
 * Layout fadump, 4 KiB pages, one PT_LOAD of 64 GiB. Three runs:
 *   ascending: the whole dump released in writes up to each 2 MiB boundary, in
 *              address order, then the CPU area: the dump must end;
 *   scattered: every other 4 KiB page of the in-place memory (the worst case
 *              for the interval sets: ~8 M separate freed ranges is too many for
 *              a benchmark, so it takes the first 1 GiB: 131072 ranges);
 *   line:      formatting release_region with those ranges.
 * Prints writes per second and the interval counts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "layout.h"
#include "reserve.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(void)
{
	struct elfcore ec;
	struct elfcore_load ld = { 0, 64ull << 30, 64ull << 30, 4096, 0, 0 };
	struct layout l;
	struct reserve r;
	char err[256];
	uint64_t a, fr, n = 0;
	double t0, t1;
	char *line;
	size_t i;

	memset(&ec, 0, sizeof(ec));
	ec.loads = &ld;
	ec.nloads = 1;
	if (layout_build(&ec, LAYOUT_FADUMP, 256ull << 20, 4096, 1, &l, err, sizeof(err)) ||
	    reserve_init(&r, &l, RESERVE_AT_ALWAYS)) {
		fprintf(stderr, "setup: %s\n", err);
		return 1;
	}
	t0 = now();
	for (i = 0; i < l.ndump; i++)
		for (a = l.dump[i].addr; a < l.dump[i].addr + l.dump[i].len;) {
			/* up to the next 2 MiB boundary, so that no page is split between writes */
			uint64_t end = (a + (2 << 20)) & ~((2ull << 20) - 1);

			if (end > l.dump[i].addr + l.dump[i].len)
				end = l.dump[i].addr + l.dump[i].len;
			if (reserve_release(&r, a, end - a, &fr))
				return 1;
			a = end;
			n++;
		}
	if (reserve_release(&r, l.cpu.addr, l.cpu.len, &fr))
		return 1;
	t1 = now();
	printf("sim reserve, 64 GiB ascending: %llu writes of 2 MiB in %.3f s (%.0f writes/s), "
	       "freed intervals %zu, remaining %llu, ended %d\n", (unsigned long long)n, t1 - t0,
	       n / (t1 - t0), r.freed.n, (unsigned long long)reserve_remaining(&r), r.ended);
	reserve_free(&r);

	if (reserve_init(&r, &l, RESERVE_AT_ALWAYS))
		return 1;
	n = 0;
	t0 = now();
	for (a = l.dump[1].addr + 0x10000; a < l.dump[1].addr + (1ull << 30); a += 0x2000) {
		a &= ~0xfffull;
		if (reserve_release(&r, a, 0x1000, &fr))
			return 1;
		n++;
	}
	t1 = now();
	printf("sim reserve, scattered 4 KiB pages: %llu writes in %.3f s (%.0f writes/s), "
	       "freed intervals %zu (%zu KiB)\n", (unsigned long long)n, t1 - t0, n / (t1 - t0),
	       r.freed.n, r.freed.cap * sizeof(struct pd_interval) / 1024);
	t0 = now();
	line = reserve_format(&r);
	t1 = now();
	printf("sim reserve, release_region line with %zu ranges: %zu bytes in %.3f s\n",
	       r.freed.n + 2, line ? strlen(line) : 0, t1 - t0);
	free(line);
	reserve_free(&r);
	layout_free(&l);
	return 0;
}
