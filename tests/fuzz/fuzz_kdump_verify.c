/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzz target: the dump verifier (lib/kdump_verify.h) on a whole file held
 * in memory, read through a bounds-checked callback.  Invariants: it never
 * reads outside the buffer, never crashes; on failure the offset it names
 * is inside the file (or its end); on success the dumped pages fit the
 * bitmaps and VMCOREINFO named a kernel log. */
#include <stdlib.h>
#include <string.h>

#include "elfcore.h"
#include "kdump_verify.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static int rd(void *ctx, uint64_t off, void *buf, size_t len)
{
	const struct elfcore_membuf *m = ctx;

	if (off > m->len || len > m->len - off)
		abort();	/* the verifier must bound every read by the file size */
	memcpy(buf, m->data + off, len);
	return 0;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct elfcore_membuf m = { data, size };
	struct pd_kdump_verify_result r;
	struct pd_error err;

	if (pd_kdump_verify(rd, &m, size, &r, &err)) {
		if (r.bad_offset > size)
			abort();
		return 0;
	}
	if (r.dumped_pfns > r.present_pfns || r.dumped_pfns > r.l.max_mapnr || !r.log_symbol[0])
		abort();
	return 0;
}
