/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kdump_decompress.c — the one implementation of makedumpfile's page
 * formats (zlib, lzo, snappy, zstd, stored): the resume view, the capture
 * engine's page check and the dump verifier all decompress through it.
 *
 * PD_NO_DECOMPRESSORS (the static ppc64le test build, which has none of the
 * libraries): only stored pages decompress; compressed ones fail with a
 * message that says so, and pd_kdump_can_decompress() tells callers first. */
#include "kdump_format.h"

#include <inttypes.h>
#include <string.h>

#ifndef PD_NO_DECOMPRESSORS
#include <lzo/lzo1x.h>
#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>
#endif

#define KNOWN_FLAGS (PD_KDUMP_COMPRESSED_ZLIB | PD_KDUMP_COMPRESSED_LZO | \
		     PD_KDUMP_COMPRESSED_SNAPPY | PD_KDUMP_COMPRESSED_ZSTD)

bool pd_kdump_can_decompress(uint32_t flags)
{
#ifdef PD_NO_DECOMPRESSORS
	return flags == 0;
#else
	return !(flags & ~(uint32_t)KNOWN_FLAGS);
#endif
}

int pd_kdump_page_decompress(uint32_t flags, const unsigned char *in, size_t in_len,
			     unsigned char *out, size_t page, struct pd_error *err)
{
#ifdef PD_NO_DECOMPRESSORS
	if (flags & KNOWN_FLAGS)
		return pd_fail_kind(err, PD_ERR_UNSUPPORTED, "a page compressed with flags 0x%" PRIx32
				    " (this build has no decompressors)", flags);
#else
	if (flags & PD_KDUMP_COMPRESSED_ZLIB) {
		uLongf n = page;

		if (uncompress(out, &n, in, in_len) != Z_OK || n != page)
			return pd_fail(err, "a zlib page does not decompress to %zu bytes", page);
		return 0;
	}
	if (flags & PD_KDUMP_COMPRESSED_LZO) {
		lzo_uint n = page;

		if (lzo_init() != LZO_E_OK ||
		    lzo1x_decompress_safe(in, in_len, out, &n, NULL) != LZO_E_OK || n != page)
			return pd_fail(err, "an lzo page does not decompress to %zu bytes", page);
		return 0;
	}
	if (flags & PD_KDUMP_COMPRESSED_SNAPPY) {
		size_t n = page;

		if (snappy_uncompress((const char *)in, in_len, (char *)out, &n) != SNAPPY_OK ||
		    n != page)
			return pd_fail(err, "a snappy page does not decompress to %zu bytes", page);
		return 0;
	}
	if (flags & PD_KDUMP_COMPRESSED_ZSTD) {
		size_t n = ZSTD_decompress(out, page, in, in_len);

		if (ZSTD_isError(n) || n != page)
			return pd_fail(err, "a zstd page does not decompress to %zu bytes", page);
		return 0;
	}
#endif
	if (flags)
		return pd_fail(err, "a page stored with unknown flags 0x%" PRIx32, flags);
	if (in_len != page)
		return pd_fail(err, "an uncompressed page of %zu bytes (the page size is %zu)", in_len,
			       page);
	memcpy(out, in, page);
	return 0;
}
