/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzz target: the kdump-compressed format decoders and the page
 * decompressors (the resume view feeds them bytes read back from a partial
 * dump).  Input: header (464) | sub-header (104) | descriptor (24) | stored
 * page.  Invariants: a decoded layout is self-consistent; a page that
 * decompresses fills exactly one page. */
#include <stdlib.h>
#include <string.h>

#include "kdump_format.h"
#include "resume_view.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static unsigned char page[1 << 16];
	struct pd_kdump_layout l;
	struct pd_kdump_desc d;
	struct pd_error err;
	size_t at = PD_KDUMP_HEADER_SIZE + PD_KDUMP_SUB_HEADER_SIZE;
	uint32_t flags[] = { 0, PD_KDUMP_COMPRESSED_ZLIB, PD_KDUMP_COMPRESSED_LZO,
			     PD_KDUMP_COMPRESSED_SNAPPY, PD_KDUMP_COMPRESSED_ZSTD, 0x40 };
	size_t i;

	if (pd_kdump_decode_header(data, size, &l, &err))
		return 0;
	if (l.block_size < 4096 || l.off_desc <= l.off_bitmap2 || l.len_bitmap2 == 0)
		abort();
	if (size < at || pd_kdump_decode_sub_header(data + PD_KDUMP_HEADER_SIZE,
						    PD_KDUMP_SUB_HEADER_SIZE, &l, &err))
		return 0;
	if (!l.max_mapnr || (l.max_mapnr + 7) / 8 > l.len_bitmap2)
		abort();
	if (size < at + PD_PAGE_DESC_SIZE)
		return 0;
	pd_kdump_decode_desc(data + at, &l, &d);
	at += PD_PAGE_DESC_SIZE;
	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		size_t pg = l.block_size <= sizeof(page) ? (size_t)l.block_size : sizeof(page);

		memset(page, 0xa5, sizeof(page));
		if (pd_kdump_page_decompress(flags[i] | (d.flags & 0x20), data + at, size - at, page,
					     pg, &err) == 0 && page[pg - 1] == 0xa5 && page[0] == 0xa5 &&
		    flags[i] == 0 && size - at == pg && data[at] != 0xa5)
			abort();	/* a stored page was not copied */
	}
	return 0;
}
