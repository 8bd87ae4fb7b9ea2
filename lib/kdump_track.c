/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "kdump_track.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void pd_kdump_track_init(struct pd_kdump_track *t, pd_read_fn rd, void *rd_ctx,
			 const struct pd_kdump_events *ev)
{
	memset(t, 0, sizeof(*t));
	t->rd = rd;
	t->rd_ctx = rd_ctx;
	t->ev = *ev;
	pd_rangeset_init(&t->head_got);
	pd_rangeset_init(&t->bm2_got);
	pd_rangeset_init(&t->data_got);
}

void pd_kdump_track_free(struct pd_kdump_track *t)
{
	pd_rangeset_free(&t->head_got);
	pd_rangeset_free(&t->bm2_got);
	pd_rangeset_free(&t->data_got);
	free(t->pend);
	t->pend = NULL;
}

static int confuse(struct pd_kdump_track *t, const char *what, uint64_t offset)
{
	if (!t->confused)
		pd_fail(&t->why, "dump file offset 0x%" PRIx64 ": %s", offset, what);
	t->confused = true;
	return 0;
}

/* The disk_dump_header is complete: check it and derive the layout. */
static int parse_header(struct pd_kdump_track *t)
{
	struct pd_kdump_layout *l = &t->layout;
	struct pd_error e;

	if (pd_kdump_decode_header(t->head, sizeof(t->head), l, &e))
		return confuse(t, e.msg, 0);
	t->status = l->status;
	t->block_size = l->block_size;
	t->sub_hdr_size = l->sub_hdr_size;
	t->bitmap_blocks = l->bitmap_blocks;
	t->len_bitmap2 = l->len_bitmap2;
	t->off_bitmap2 = l->off_bitmap2;
	t->off_pd = l->off_desc;
	t->pd_next = t->off_pd;
	t->have_header = true;
	return 0;
}

/* The sub-header's fields we need arrive in its first record. */
static int take_sub(struct pd_kdump_track *t, uint64_t offset, const unsigned char *d, size_t len)
{
	uint64_t base = t->block_size, want_hi = base + PD_KDUMP_SUB_HEADER_SIZE;
	struct pd_error e;

	if (offset + len <= base || offset >= want_hi)
		return 0;
	if (offset > base || offset + len < want_hi)
		return confuse(t, "the kdump sub-header arrived in pieces", offset);
	if (pd_kdump_decode_sub_header(d + (base - offset), PD_KDUMP_SUB_HEADER_SIZE, &t->layout, &e))
		return confuse(t, e.msg, offset);
	t->dump_level = t->layout.dump_level;
	t->max_mapnr = t->layout.max_mapnr;
	t->have_sub = true;
	return 0;
}

static int emit_excluded(struct pd_kdump_track *t, uint64_t s, uint64_t e)
{
	t->excluded_pfns += e - s;
	if (t->ev.excluded(t->ev.arg, s, e)) {
		t->events_failed = true;
		return -1;
	}
	return 0;
}

/* bitmap2 bytes [b0, b0 + len) arrived (offsets within bitmap2). */
static int take_bitmap2(struct pd_kdump_track *t, uint64_t b0, const unsigned char *d, size_t len)
{
	uint64_t pfn, end, run = UINT64_MAX;
	size_t i;
	int bit;

	if (pd_rangeset_intersects(&t->bm2_got, b0, b0 + len))
		return confuse(t, "bitmap2 written twice", t->off_bitmap2 + b0);
	if (pd_rangeset_add(&t->bm2_got, b0, b0 + len))
		return confuse(t, "out of memory", t->off_bitmap2 + b0);
	end = t->max_mapnr;
	for (i = 0; i < len; i++) {
		for (bit = 0; bit < 8; bit++) {
			pfn = (b0 + i) * 8 + (uint64_t)bit;
			if (pfn >= end)
				break;
			if (d[i] >> bit & 1) {
				t->dumpable_pfns++;
				if (run != UINT64_MAX && emit_excluded(t, run, pfn))
					return -1;
				run = UINT64_MAX;
			} else if (run == UINT64_MAX) {
				run = pfn;
			}
		}
	}
	pfn = (b0 + len) * 8;
	if (pfn > end)
		pfn = end;
	if (run != UINT64_MAX && run < pfn && emit_excluded(t, run, pfn))
		return -1;
	return 0;
}

/* Bit of @pfn in bitmap2, read back from the file; -1 if not there yet. */
static int bm2_bit(struct pd_kdump_track *t, uint64_t pfn)
{
	uint64_t byte = pfn / 8;

	if (byte < t->bmbuf_off || byte >= t->bmbuf_off + t->bmbuf_len) {
		size_t want = sizeof(t->bmbuf);
		uint64_t k;

		if (!pd_rangeset_covers(&t->bm2_got, byte, byte + 1))
			return -1;
		/* Read only what is in: up to the end of the received run. */
		k = pd_rangeset_lower(&t->bm2_got, byte);
		if (t->bm2_got.iv[k].end - byte < want)
			want = (size_t)(t->bm2_got.iv[k].end - byte);
		if (t->rd(t->rd_ctx, t->off_bitmap2 + byte, t->bmbuf, want))
			return -1;
		t->bmbuf_off = byte;
		t->bmbuf_len = want;
	}
	return t->bmbuf[byte - t->bmbuf_off] >> (pfn % 8) & 1;
}

static int emit_written(struct pd_kdump_track *t, uint64_t pfn)
{
	t->written_pfns++;
	if (t->ev.written(t->ev.arg, pfn, pfn + 1)) {
		t->events_failed = true;
		return -1;
	}
	return 0;
}

static int drain(struct pd_kdump_track *t)
{
	while (t->pend_n) {
		struct pd_kdump_pending *p = &t->pend[t->pend_head];

		if (!pd_rangeset_covers(&t->data_got, p->data_start, p->data_end))
			break;
		if (emit_written(t, p->pfn))
			return -1;
		t->pend_head = (t->pend_head + 1) % t->pend_cap;
		t->pend_n--;
	}
	return 0;
}

static int push_pending(struct pd_kdump_track *t, uint64_t pfn, uint64_t s, uint64_t e)
{
	if (t->pend_n == t->pend_cap) {
		size_t cap = t->pend_cap ? t->pend_cap * 2 : 1024, i;
		struct pd_kdump_pending *n = malloc(cap * sizeof(*n));

		if (!n)
			return -1;
		for (i = 0; i < t->pend_n; i++)
			n[i] = t->pend[(t->pend_head + i) % t->pend_cap];
		free(t->pend);
		t->pend = n;
		t->pend_cap = cap;
		t->pend_head = 0;
	}
	t->pend[(t->pend_head + t->pend_n) % t->pend_cap] = (struct pd_kdump_pending){ pfn, s, e };
	t->pend_n++;
	return 0;
}

static void decide_cycles(struct pd_kdump_track *t)
{
	if (t->cycles_known)
		return;
	t->cycles_known = true;
	t->single_cycle = pd_rangeset_covers(&t->bm2_got, 0, (t->max_mapnr + 7) / 8);
	/* With all of bitmap2 in, the data starts after one descriptor per
	 * dumpable page: knowing it now keeps a data record that lands
	 * exactly where the descriptors end from passing for descriptors. */
	if (t->single_cycle && !t->off_data)
		t->off_data = t->off_pd + PD_PAGE_DESC_SIZE * t->dumpable_pfns;
}

static int take_descriptor(struct pd_kdump_track *t, const unsigned char *d, uint64_t at)
{
	struct pd_kdump_desc desc;
	uint64_t off;
	uint32_t size;
	int bit;

	pd_kdump_decode_desc(d, &t->layout, &desc);
	off = desc.offset;
	size = desc.size;

	/* The pfn of this descriptor: the next set bit of bitmap2. */
	for (;;) {
		if (t->pfn_cursor >= t->max_mapnr)
			return confuse(t, "more page descriptors than dumpable pages", at);
		bit = bm2_bit(t, t->pfn_cursor);
		if (bit < 0)
			return confuse(t, "a page descriptor arrived before its bitmap", at);
		if (bit)
			break;
		t->pfn_cursor++;
	}
	if (!size || size > t->block_size || off < t->off_pd || off + size < off)
		return confuse(t, "a page descriptor points outside the data", at);
	t->descriptors++;
	if (t->off_data && off == t->off_data && (t->dump_level & 1))
		t->zero_pages++;
	if (pd_rangeset_covers(&t->data_got, off, off + size) && !t->pend_n) {
		if (emit_written(t, t->pfn_cursor))
			return -1;
	} else if (push_pending(t, t->pfn_cursor, off, off + size)) {
		return confuse(t, "out of memory", at);
	}
	t->pfn_cursor++;
	return 0;
}

static int take_pd(struct pd_kdump_track *t, uint64_t offset, const unsigned char *d, size_t len)
{
	decide_cycles(t);
	while (len && !t->confused) {
		size_t n = PD_PAGE_DESC_SIZE - t->ncarry;

		if (n > len)
			n = len;
		memcpy(t->carry + t->ncarry, d, n);
		t->ncarry += n;
		d += n;
		len -= n;
		t->pd_next += n;
		if (t->ncarry == PD_PAGE_DESC_SIZE) {
			t->ncarry = 0;
			if (take_descriptor(t, t->carry, offset))
				return -1;
		}
	}
	return 0;
}

static int take_data(struct pd_kdump_track *t, uint64_t offset, size_t len)
{
	decide_cycles(t);
	if (!t->off_data) {
		/* Several cycles: the first data record starts the data. */
		if ((offset - t->off_pd) % PD_PAGE_DESC_SIZE)
			return confuse(t, "page data does not start after whole descriptors", offset);
		t->off_data = offset;
	}
	if (pd_rangeset_add(&t->data_got, offset, offset + len))
		return confuse(t, "out of memory", offset);
	return drain(t);
}

int pd_kdump_track_chunk(struct pd_kdump_track *t, uint64_t offset,
			 const unsigned char *data, size_t len)
{
	uint64_t end = offset + len;

	if (t->confused || t->events_failed || !len)
		return t->events_failed ? -1 : 0;
	if (!t->have_header) {
		if (offset >= PD_KDUMP_HEADER_SIZE)
			return confuse(t, "data before the kdump header", offset);
		if (end > PD_KDUMP_HEADER_SIZE)
			return confuse(t, "kdump header record too long", offset);
		memcpy(t->head + offset, data, len);
		pd_rangeset_add(&t->head_got, offset, end);
		if (pd_rangeset_covers(&t->head_got, 0, PD_KDUMP_HEADER_SIZE))
			return parse_header(t);
		return 0;
	}
	if (end <= PD_KDUMP_HEADER_SIZE)
		return 0;	/* the header again (makedumpfile -R would overwrite too) */
	if (offset < t->off_bitmap2 - t->len_bitmap2) {
		/* sub-header and notes */
		if (!t->have_sub && take_sub(t, offset, data, len))
			return -1;
		if (end > t->off_bitmap2 - t->len_bitmap2)
			return confuse(t, "a record spans the sub-header and the bitmaps", offset);
		return 0;
	}
	if (!t->have_sub)
		return confuse(t, "bitmaps before the kdump sub-header", offset);
	if (offset < t->off_bitmap2) {
		if (end > t->off_bitmap2)
			return confuse(t, "a record spans bitmap1 and bitmap2", offset);
		return 0;	/* bitmap1: not needed */
	}
	if (offset < t->off_pd) {
		if (end > t->off_pd)
			return confuse(t, "a record spans bitmap2 and the descriptors", offset);
		if (t->cycles_known && t->single_cycle)
			return confuse(t, "bitmap2 after the page data began", offset);
		return take_bitmap2(t, offset - t->off_bitmap2, data, len);
	}
	if (offset == t->pd_next && (!t->off_data || offset < t->off_data)) {
		if (t->off_data && end > t->off_data)
			return confuse(t, "descriptors run into the page data", offset);
		return take_pd(t, offset, data, len);
	}
	if (t->off_data && offset < t->off_data)
		return confuse(t, "descriptors out of order", offset);
	return take_data(t, offset, len);
}

uint64_t pd_kdump_track_num_dumpable(const struct pd_kdump_track *t)
{
	if (!t->off_data)
		return 0;
	return (t->off_data - t->off_pd) / PD_PAGE_DESC_SIZE;
}
