/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target for the simulator's vmcore parser (sim/elfcore.c), and what
 * the simulator builds on a parsed vmcore: both layouts, the reserve state, the
 * release_region line, the /proc/vmcore header, and a few releases whose
 * addresses come from the input's last bytes, with the rearm state after each
 * (it never claims ready while the line still lists a CPU/HPTE byte); the
 * input's first bytes also go to the rearm and sysrq-trigger write parsers. Nothing may crash or leak. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crash.h"
#include "elfcore.h"
#include "layout.h"
#include "reserve.h"
#include "vmcore_view.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct elfcore_membuf m = { data, size };
	struct elfcore ec;
	char err[256];
	int kind;

	/* the rearm write: only "1" and "1\n" are accepted */
	if (reserve_parse_rearm((const char *)data, size) == 0 &&
	    !(data[0] == '1' && (size == 1 || (size == 2 && data[1] == '\n'))))
		abort();
	/* the sysrq-trigger write: only "c" and "c\n" crash */
	if (crash_parse_sysrq((const char *)data, size) == 'c' &&
	    !(data[0] == 'c' && (size == 1 || (size == 2 && data[1] == '\n'))))
		abort();
	if (elfcore_parse(elfcore_membuf_read, &m, size, &ec, err, sizeof(err)))
		return 0;
	for (kind = 0; kind < 2; kind++) {
		struct layout l;
		struct reserve r;
		struct vmcore_view v;
		uint64_t ps = ec.machine == ELFCORE_EM_PPC64 ? 65536 : 4096;
		char *line;
		size_t i;

		if (layout_build(&ec, kind ? LAYOUT_SEED : LAYOUT_FADUMP, 16 * ps, ps, ec.n_prstatus,
				 &l, err, sizeof(err)))
			continue;
		if (reserve_init(&r, &l, kind ? RESERVE_AT_SEED : RESERVE_AT_ALWAYS)) {
			layout_free(&l);
			continue;
		}
		/* header only: fd -1 makes any data read fail with EIO, which is fine */
		if (vmcore_view_init(&v, -1, &ec, &l, &r, VIEW_POISON) == 0) {
			uint8_t hdr[256];

			(void)vmcore_view_read(&v, 0, hdr, sizeof(hdr));
			vmcore_view_free(&v);
		}
		for (i = 0; i + 16 <= size && i < 8 * 16; i += 16) {
			uint64_t a = elfcore_get64(data + size - 16 - i, 0) % (l.mem_end + (64ull << 20));
			uint64_t n = elfcore_get64(data + size - 8 - i, 0) % (l.mem_end + 1);
			uint64_t fr;

			(void)reserve_release(&r, a, n, &fr);
			line = reserve_format(&r);
			free(line);
			line = reserve_rearm_format(&r);
			if (line && strcmp(line, "ready\n") == 0 &&
			    (reserve_rearm(&r) != 0 || reserve_rearm_state(&r) != REARM_ARMED))
				abort(); /* ready must re-arm */
			if (line && strncmp(line, "blocked ", 8) == 0 && reserve_rearm(&r) != -EBUSY)
				abort();
			free(line);
			if (reserve_remaining(&r) > r.area_bytes)
				abort(); /* the accounting broke */
		}
		if (i == 0) {
			line = reserve_format(&r);
			free(line);
		}
		{
			/* the second crash's held ranges: in-place memory only */
			struct pd_rangeset h;
			size_t k;

			pd_rangeset_init(&h);
			if (crash_held(&r, &l, &h, err, sizeof(err)) == 0)
				for (k = 0; k < h.n; k++)
					if (h.iv[k].start < l.inplace_start)
						abort();
			pd_rangeset_free(&h);
		}
		reserve_free(&r);
		layout_free(&l);
	}
	elfcore_free(&ec);
	return 0;
}
