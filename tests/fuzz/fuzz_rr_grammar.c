/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzz target: the release_region reading and writing grammars.
 * Beyond "no crash": whatever parses must format and re-parse to the same
 * areas, and the region map built from it must never yield a byte outside
 * the areas. */
#include <stdlib.h>
#include <string.h>

#include "region_map.h"
#include "rr_grammar.h"

static int inside(void *arg, uint64_t addr, uint64_t len)
{
	const struct pd_rr *rr = arg;
	size_t i;

	for (i = 0; i < rr->ndump; i++)
		if (addr >= rr->dump[i].addr && addr + len <= rr->dump[i].addr + rr->dump[i].len)
			return 0;
	abort();
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct pd_rr rr, back;
	struct pd_error err;
	uint64_t a, l;
	size_t i;

	(void)pd_rr_parse_release((const char *)data, size, &a, &l, &err);
	if (pd_rr_parse((const char *)data, size, &rr, &err))
		return 0;
	{
		char *s = pd_rr_format(&rr);
		struct pd_map m;

		if (!s)
			abort();
		if (pd_rr_parse(s, strlen(s), &back, &err))
			abort();
		if (back.ndump != rr.ndump || back.cpu.addr != rr.cpu.addr ||
		    back.cpu.len != rr.cpu.len || back.hpte.len != rr.hpte.len)
			abort();
		for (i = 0; i < rr.ndump; i++)
			if (back.dump[i].addr != rr.dump[i].addr || back.dump[i].len != rr.dump[i].len ||
			    back.dump[i].src != rr.dump[i].src)
				abort();
		if (pd_map_init(&m, &rr, 4096, &err) == 0) {
			for (i = 0; i < rr.ndump; i++)
				pd_map_reserved(&m, rr.dump[i].src > 8192 ? rr.dump[i].src - 8192 : 0,
						rr.dump[i].len + 16384, inside, &rr);
			pd_map_free(&m);
		}
		free(s);
		pd_rr_free(&back);
	}
	pd_rr_free(&rr);
	return 0;
}
