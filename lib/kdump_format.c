/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "kdump_format.h"

#include <stddef.h>
#include <string.h>

_Static_assert(sizeof(struct pd_kdump_disk_header) == 464, "disk_dump_header is 464 bytes");
_Static_assert(offsetof(struct pd_kdump_disk_header, status) == PD_KDUMP_STATUS_OFFSET,
	       "status at 424");
_Static_assert(sizeof(struct pd_kdump_disk_sub_header) == 104, "sub-header fields: 104 bytes");
_Static_assert(sizeof(struct pd_kdump_disk_desc) == 24, "page_desc is 24 bytes");

static uint64_t get(const uint8_t *p, size_t n, bool be)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < n; i++)
		v |= (uint64_t)p[be ? n - 1 - i : i] << (8 * i);
	return v;
}

#define GET(field, be) get((field), sizeof(field), (be))

int pd_kdump_decode_header(const unsigned char *buf, size_t len, struct pd_kdump_layout *l,
			   struct pd_error *err)
{
	const struct pd_kdump_disk_header *h = (const void *)buf;
	int64_t bs, sub;
	uint64_t bmb;

	memset(l, 0, sizeof(*l));
	if (len < sizeof(*h))
		return pd_fail(err, "kdump header: %zu bytes, need %zu", len, sizeof(*h));
	if (memcmp(h->signature, "KDUMP   ", 8))
		return pd_fail(err, "not a kdump-compressed header (the collector must not use -E)");
	if (GET(h->header_version, false) == 6)
		l->big_endian = false;
	else if (GET(h->header_version, true) == 6)
		l->big_endian = true;
	else
		return pd_fail(err, "kdump header version %u is not supported (6 is)",
			       (unsigned)GET(h->header_version, false));
	bs = (int32_t)GET(h->block_size, l->big_endian);
	sub = (int32_t)GET(h->sub_hdr_size, l->big_endian);
	bmb = GET(h->bitmap_blocks, l->big_endian);
	/* Pages of 4 KiB to 1 MiB; a sub-header of at most 1024 blocks. */
	if (bs < 4096 || bs > (1 << 20) || (bs & (bs - 1)) || sub <= 0 || sub > 1024 || !bmb ||
	    (bmb & 1))
		return pd_fail(err, "kdump header has an implausible block size or layout");
	l->status = (uint32_t)GET(h->status, l->big_endian);
	l->block_size = (uint64_t)bs;
	l->sub_hdr_size = (uint64_t)sub;
	l->bitmap_blocks = bmb;
	l->len_bitmap2 = bmb * l->block_size / 2;
	l->off_bitmap2 = (1 + l->sub_hdr_size) * l->block_size + l->len_bitmap2;
	l->off_desc = (1 + l->sub_hdr_size + bmb) * l->block_size;
	return 0;
}

int pd_kdump_decode_sub_header(const unsigned char *buf, size_t len, struct pd_kdump_layout *l,
			       struct pd_error *err)
{
	const struct pd_kdump_disk_sub_header *s = (const void *)buf;
	uint64_t mapnr;

	if (len < sizeof(*s))
		return pd_fail(err, "kdump sub-header: %zu bytes, need %zu", len, sizeof(*s));
	mapnr = GET(s->max_mapnr_64, l->big_endian);
	if (!mapnr || (mapnr + 7) / 8 > l->len_bitmap2)
		return pd_fail(err, "kdump sub-header: max_mapnr does not fit the bitmap");
	l->max_mapnr = mapnr;
	l->dump_level = (int)(int32_t)GET(s->dump_level, l->big_endian);
	return 0;
}

void pd_kdump_decode_desc(const unsigned char *buf, const struct pd_kdump_layout *l,
			  struct pd_kdump_desc *d)
{
	const struct pd_kdump_disk_desc *p = (const void *)buf;

	d->offset = GET(p->offset, l->big_endian);
	d->size = (uint32_t)GET(p->size, l->big_endian);
	d->flags = (uint32_t)GET(p->flags, l->big_endian);
	d->page_flags = GET(p->page_flags, l->big_endian);
}

int pd_kdump_read_layout(pd_read_fn rd, void *ctx, struct pd_kdump_layout *l,
			 struct pd_error *err)
{
	unsigned char h[PD_KDUMP_HEADER_SIZE], s[PD_KDUMP_SUB_HEADER_SIZE];

	if (rd(ctx, 0, h, sizeof(h)))
		return pd_fail(err, "cannot read the kdump header");
	if (pd_kdump_decode_header(h, sizeof(h), l, err))
		return -1;
	if (rd(ctx, l->block_size, s, sizeof(s)))
		return pd_fail(err, "cannot read the kdump sub-header");
	return pd_kdump_decode_sub_header(s, sizeof(s), l, err);
}
