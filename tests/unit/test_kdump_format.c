/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kdump_format: the header in either byte order, malformed headers, the
 * sub-header's bounds, descriptors; the page decompressors, each against its
 * own library's compressor (bookworm's makedumpfile writes no snappy or zstd
 * pages, so this is where those two are proven). */
#include <stdlib.h>
#include <string.h>

#include <lzo/lzo1x.h>
#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>

#include "kdump_format.h"
#include "resume_view.h"
#include "unit.h"

static void put(unsigned char *p, size_t n, uint64_t v, bool be)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[be ? n - 1 - i : i] = (unsigned char)(v >> (8 * i));
}

static void header(unsigned char *h, bool be, uint32_t bs, uint32_t sub, uint32_t bmb)
{
	memset(h, 0, PD_KDUMP_HEADER_SIZE);
	memcpy(h, "KDUMP   ", 8);
	put(h + 8, 4, 6, be);
	put(h + 424, 4, PD_KDUMP_INCOMPLETE, be);
	put(h + 428, 4, bs, be);
	put(h + 432, 4, sub, be);
	put(h + 436, 4, bmb, be);
}

static void headers(void)
{
	unsigned char h[PD_KDUMP_HEADER_SIZE], s[PD_KDUMP_SUB_HEADER_SIZE], d[PD_PAGE_DESC_SIZE];
	struct pd_kdump_layout l;
	struct pd_kdump_desc desc;
	struct pd_error err;
	int be;

	for (be = 0; be <= 1; be++) {
		header(h, be, 65536, 1, 2);
		CHECK(pd_kdump_decode_header(h, sizeof(h), &l, &err) == 0);
		CHECK(l.big_endian == (bool)be);
		CHECK_EQ_U64(l.block_size, 65536);
		CHECK_EQ_U64(l.status, PD_KDUMP_INCOMPLETE);
		/* block 0 header, block 1 sub-header, bitmap1 at 2, bitmap2 at 2.5 */
		CHECK_EQ_U64(l.len_bitmap2, 65536);
		CHECK_EQ_U64(l.off_bitmap2, 2 * 65536 + 65536);
		CHECK_EQ_U64(l.off_desc, 4 * 65536);
		memset(s, 0, sizeof(s));
		put(s + 8, 4, 31, be);
		put(s + 96, 8, 65536 * 8, be);
		CHECK(pd_kdump_decode_sub_header(s, sizeof(s), &l, &err) == 0);
		CHECK_EQ_U64(l.max_mapnr, 65536 * 8);
		CHECK(l.dump_level == 31);
		put(s + 96, 8, 65536 * 8 + 1, be);	/* one pfn more than bitmap2 holds */
		CHECK(pd_kdump_decode_sub_header(s, sizeof(s), &l, &err) == -1);
		CHECK_STR_CONTAINS(err.msg, "max_mapnr");
		put(d, 8, 0x123456789ull, be);
		put(d + 8, 4, 777, be);
		put(d + 12, 4, PD_KDUMP_COMPRESSED_LZO, be);
		put(d + 16, 8, 42, be);
		pd_kdump_decode_desc(d, &l, &desc);
		CHECK_EQ_U64(desc.offset, 0x123456789ull);
		CHECK_EQ_U64(desc.size, 777);
		CHECK_EQ_U64(desc.flags, PD_KDUMP_COMPRESSED_LZO);
		CHECK_EQ_U64(desc.page_flags, 42);
	}
	header(h, false, 65536, 1, 2);
	CHECK(pd_kdump_decode_header(h, 100, &l, &err) == -1);	/* short */
	memcpy(h, "KDUMP  X", 8);
	CHECK(pd_kdump_decode_header(h, sizeof(h), &l, &err) == -1);
	CHECK_STR_CONTAINS(err.msg, "-E");
	header(h, false, 65536, 1, 2);
	put(h + 8, 4, 5, false);
	CHECK(pd_kdump_decode_header(h, sizeof(h), &l, &err) == -1);
	CHECK_STR_CONTAINS(err.msg, "version 5");
	header(h, false, 3000, 1, 2);	/* not a power of two */
	CHECK(pd_kdump_decode_header(h, sizeof(h), &l, &err) == -1);
	header(h, false, 4096, 0, 2);	/* no sub-header */
	CHECK(pd_kdump_decode_header(h, sizeof(h), &l, &err) == -1);
	header(h, false, 4096, 1, 3);	/* bitmaps of unequal halves */
	CHECK(pd_kdump_decode_header(h, sizeof(h), &l, &err) == -1);
}

static void pages(void)
{
	enum { PAGE = 4096 };
	static unsigned char page[PAGE], out[PAGE], c[2 * PAGE];
	unsigned char wrk[LZO1X_1_MEM_COMPRESS];
	struct pd_error err;
	size_t i, n;

	for (i = 0; i < PAGE; i++)
		page[i] = (unsigned char)(i * 7 / 13);

	/* stored as is */
	CHECK(pd_kdump_page_decompress(0, page, PAGE, out, PAGE, &err) == 0);
	CHECK(!memcmp(out, page, PAGE));
	CHECK(pd_kdump_page_decompress(0, page, PAGE - 1, out, PAGE, &err) == -1);

	{	/* zlib */
		uLongf zn = sizeof(c);

		CHECK(compress2(c, &zn, page, PAGE, 1) == Z_OK);
		memset(out, 0, PAGE);
		CHECK(pd_kdump_page_decompress(PD_KDUMP_COMPRESSED_ZLIB, c, zn, out, PAGE, &err) == 0);
		CHECK(!memcmp(out, page, PAGE));
		CHECK(pd_kdump_page_decompress(PD_KDUMP_COMPRESSED_ZLIB, c, zn - 3, out, PAGE, &err) == -1);
	}
	{	/* lzo */
		lzo_uint ln = sizeof(c);

		CHECK(lzo_init() == LZO_E_OK);
		CHECK(lzo1x_1_compress(page, PAGE, c, &ln, wrk) == LZO_E_OK);
		memset(out, 0, PAGE);
		CHECK(pd_kdump_page_decompress(PD_KDUMP_COMPRESSED_LZO, c, ln, out, PAGE, &err) == 0);
		CHECK(!memcmp(out, page, PAGE));
		CHECK(pd_kdump_page_decompress(PD_KDUMP_COMPRESSED_LZO, c, ln / 2, out, PAGE, &err) == -1);
	}
	{	/* snappy */
		n = sizeof(c);
		CHECK(snappy_compress((const char *)page, PAGE, (char *)c, &n) == SNAPPY_OK);
		memset(out, 0, PAGE);
		CHECK(pd_kdump_page_decompress(PD_KDUMP_COMPRESSED_SNAPPY, c, n, out, PAGE, &err) == 0);
		CHECK(!memcmp(out, page, PAGE));
		c[0] ^= 0xff;
		CHECK(pd_kdump_page_decompress(PD_KDUMP_COMPRESSED_SNAPPY, c, n, out, PAGE, &err) == -1);
	}
	{	/* zstd */
		n = ZSTD_compress(c, sizeof(c), page, PAGE, 1);
		CHECK(!ZSTD_isError(n));
		memset(out, 0, PAGE);
		CHECK(pd_kdump_page_decompress(PD_KDUMP_COMPRESSED_ZSTD, c, n, out, PAGE, &err) == 0);
		CHECK(!memcmp(out, page, PAGE));
		/* a page that decompresses to less than a page is refused */
		n = ZSTD_compress(c, sizeof(c), page, PAGE / 2, 1);
		CHECK(pd_kdump_page_decompress(PD_KDUMP_COMPRESSED_ZSTD, c, n, out, PAGE, &err) == -1);
	}
	CHECK(pd_kdump_page_decompress(0x40, page, PAGE, out, PAGE, &err) == -1);
	CHECK_STR_CONTAINS(err.msg, "unknown flags");
}

int main(void)
{
	headers();
	pages();
	return unit_report("kdump_format");
}
