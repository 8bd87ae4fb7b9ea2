/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "page_check.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fileio.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void pd_page_check_close(struct pd_page_check *pc)
{
	if (pc->have_ec)
		elfcore_free(&pc->ec);
	pc->have_ec = false;
	if (pc->src_fd >= 0)
		close(pc->src_fd);
	pc->src_fd = -1;
	free(pc->vm);
	free(pc->stored);
	free(pc->page);
	free(pc->win);
	free(pc->back_page);
	pc->vm = pc->stored = pc->page = pc->win = pc->back_page = NULL;
}

int pd_page_check_open(struct pd_page_check *pc, int dump_fd, const char *source,
		       struct pd_error *err)
{
	struct stat sb;
	char msg[200];

	memset(pc, 0, sizeof(*pc));
	pc->dump_fd = dump_fd;
	snprintf(pc->source, sizeof(pc->source), "%s", source);
	pc->src_fd = open(source, O_RDONLY | O_CLOEXEC);
	if (pc->src_fd < 0 || fstat(pc->src_fd, &sb)) {
		pd_fail_errno(err, errno, "page check: cannot open %s", source);
		pd_page_check_close(pc);
		return -1;
	}
	if (elfcore_parse(pd_fd_read, &pc->src_fd, (uint64_t)sb.st_size, &pc->ec, msg, sizeof(msg))) {
		pd_fail_kind(err, PD_ERR_REFUSED, "page check: %s is not an ELF vmcore: %s", source, msg);
		pd_page_check_close(pc);
		return -1;
	}
	pc->have_ec = true;
	return 0;
}

/* The header and sub-header, the first time they are needed (the file is
 * durable by then); the buffers follow from the page size. */
static int load_layout(struct pd_page_check *pc, struct pd_error *err)
{
	size_t bs;

	if (pc->have_layout)
		return 0;
	if (pd_kdump_read_layout(pd_fd_read, &pc->dump_fd, &pc->l, err))
		return pd_error_context(err, "page check: the dump file's header (offset 0)"),
		       err->kind = PD_ERR_REFUSED, -1;
	bs = (size_t)pc->l.block_size;
	pc->vm = malloc(bs * PD_PAGE_CHECK_BATCH);
	pc->stored = malloc(bs);
	pc->page = malloc(bs);
	pc->win = malloc(PD_PAGE_CHECK_WINDOW);
	pc->back_page = malloc(bs);
	if (!pc->vm || !pc->stored || !pc->page || !pc->win || !pc->back_page)
		return pd_fail(err, "page check: out of memory");
	pc->have_layout = true;
	return 0;
}

/* bitmap2 byte @b (of the file), through the window; -1 when unreadable. */
static int bm_byte(struct pd_page_check *pc, uint64_t b)
{
	if (b < pc->bm_off || b >= pc->bm_off + pc->bm_len) {
		uint64_t want = sizeof(pc->bm);

		if (want > pc->l.len_bitmap2 - b)
			want = pc->l.len_bitmap2 - b;
		if (pd_fd_read(&pc->dump_fd, pc->l.off_bitmap2 + b, pc->bm, (size_t)want))
			return -1;
		pc->bm_off = b;
		pc->bm_len = want;
	}
	return pc->bm[b - pc->bm_off];
}

/* Move the rank cursor to @pfn: ->cur_idx = set bits of bitmap2 below it. */
static int seek(struct pd_page_check *pc, uint64_t pfn)
{
	int v;

	if (pfn < pc->cur_pfn)
		pc->cur_pfn = pc->cur_idx = 0;
	while (pc->cur_pfn < pfn && (pc->cur_pfn % 8 || pfn - pc->cur_pfn < 8)) {
		if ((v = bm_byte(pc, pc->cur_pfn / 8)) < 0)
			return -1;
		pc->cur_idx += (uint64_t)(v >> (pc->cur_pfn % 8) & 1);
		pc->cur_pfn++;
	}
	while (pfn - pc->cur_pfn >= 8) {
		if ((v = bm_byte(pc, pc->cur_pfn / 8)) < 0)
			return -1;
		pc->cur_idx += (uint64_t)__builtin_popcount((unsigned)v);
		pc->cur_pfn += 8;
	}
	while (pc->cur_pfn < pfn) {
		if ((v = bm_byte(pc, pc->cur_pfn / 8)) < 0)
			return -1;
		pc->cur_idx += (uint64_t)(v >> (pc->cur_pfn % 8) & 1);
		pc->cur_pfn++;
	}
	return 0;
}

/* The vmcore's bytes for physical [pa, pa+len) as makedumpfile reads them. */
static int read_vmcore(struct pd_page_check *pc, uint64_t pa, unsigned char *out, size_t len,
		       struct pd_error *err)
{
	size_t i;

	memset(out, 0, len);
	for (i = 0; i < pc->ec.nloads; i++) {
		const struct elfcore_load *l = &pc->ec.loads[i];
		uint64_t s = pa > l->paddr ? pa : l->paddr;
		uint64_t e = pa + len < l->paddr + l->filesz ? pa + len : l->paddr + l->filesz;

		if (l->paddr >= pa + len)
			break;	/* sorted by paddr */
		if (s >= e)
			continue;
		if (pd_fd_read(&pc->src_fd, l->offset + (s - l->paddr), out + (s - pa), (size_t)(e - s)))
			return pd_fail_errno(err, errno ? errno : EIO,
					     "page check: reading %s at physical 0x%" PRIx64 " failed",
					     pc->source, s);
	}
	return 0;
}

static int refuse(struct pd_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int refuse(struct pd_error *err, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	err->kind = PD_ERR_REFUSED;
	err->errnum = 0;
	err->column = 0;
	return -1;
}

static bool same_desc(const struct pd_kdump_desc *a, const struct pd_kdump_desc *b)
{
	return a->offset == b->offset && a->size == b->size && a->flags == b->flags;
}

/* The stored bytes of @d: from the read-ahead window (refilled from
 * d->offset when it lies ahead), or read alone when it lies behind. */
static const unsigned char *stored_bytes(struct pd_page_check *pc, const struct pd_kdump_desc *d,
					 uint64_t fsize, struct pd_error *err)
{
	if (d->offset >= pc->win_off && d->offset + d->size <= pc->win_off + pc->win_len)
		return pc->win + (d->offset - pc->win_off);
	if (pc->win_len && d->offset < pc->win_off) {
		if (pd_fd_read(&pc->dump_fd, d->offset, pc->stored, d->size))
			goto fail;
		return pc->stored;
	}
	pc->win_off = d->offset;
	pc->win_len = fsize - d->offset < PD_PAGE_CHECK_WINDOW ? fsize - d->offset : PD_PAGE_CHECK_WINDOW;
	if (pd_fd_read(&pc->dump_fd, pc->win_off, pc->win, (size_t)pc->win_len)) {
		pc->win_len = 0;
		goto fail;
	}
	return pc->win;
fail:
	pd_fail_errno(err, errno ? errno : EIO, "page check: reading the dump file at 0x%" PRIx64
		      " failed", d->offset);
	return NULL;
}

/* One page: its descriptor @d (at file offset @at) against @vm. */
static int check_one(struct pd_page_check *pc, uint64_t pfn, const struct pd_kdump_desc *d,
		     uint64_t at, uint64_t fsize, const unsigned char *vm, struct pd_error *err)
{
	size_t bs = (size_t)pc->l.block_size, i;
	const unsigned char *page;
	struct pd_error sub;

	if (!d->size || d->size > bs || d->offset < pc->l.off_desc || d->offset > fsize ||
	    d->size > fsize - d->offset)
		return refuse(err, "pfn 0x%" PRIx64 ": its descriptor at file offset 0x%" PRIx64
			      " points outside the page data (offset 0x%" PRIx64 ", %" PRIu32
			      " bytes); its memory stays reserved", pfn, at, d->offset, d->size);
	if (!pd_kdump_can_decompress(d->flags)) {
		if (d->flags & ~(uint32_t)(PD_KDUMP_COMPRESSED_ZLIB | PD_KDUMP_COMPRESSED_LZO |
					   PD_KDUMP_COMPRESSED_SNAPPY | PD_KDUMP_COMPRESSED_ZSTD))
			return refuse(err, "pfn 0x%" PRIx64 ": its descriptor at file offset 0x%" PRIx64
				      " has unknown flags 0x%" PRIx32 "; its memory stays reserved",
				      pfn, at, d->flags);
		pc->unchecked++;
		return 0;
	}
	if (pc->have_back && same_desc(&pc->back, d)) {
		page = pc->back_page;	/* the shared zero page, decompressed already */
	} else if (pc->have_last && same_desc(&pc->last, d)) {
		page = pc->page;
	} else {
		bool behind = pc->win_len && d->offset < pc->win_off;
		unsigned char *out = behind ? pc->back_page : pc->page;
		const unsigned char *in = stored_bytes(pc, d, fsize, err);

		if (!in)
			return -1;
		page = out;
		if (pd_kdump_page_decompress(d->flags, in, d->size, out, bs, &sub)) {
			pc->have_last = pc->have_back = false;
			return refuse(err, "pfn 0x%" PRIx64 ": its copy at file offset 0x%" PRIx64
				      " (descriptor at 0x%" PRIx64 ") is damaged: %.80s; its memory "
				      "stays reserved", pfn, d->offset, at, sub.msg);
		}
		if (behind) {
			pc->back = *d;
			pc->have_back = true;
		} else {
			pc->last = *d;
			pc->have_last = true;
		}
	}
	if (memcmp(page, vm, bs)) {
		for (i = 0; i < bs && page[i] == vm[i]; i++)
			;
		return refuse(err, "pfn 0x%" PRIx64 ": its copy at file offset 0x%" PRIx64
			      " (descriptor at 0x%" PRIx64 ") differs from the vmcore at byte 0x%zx "
			      "of the page; its memory stays reserved", pfn, d->offset, at, i);
	}
	pc->checked++;
	return 0;
}

/* pfns [s, s+n), n <= PD_PAGE_CHECK_BATCH. */
static int check_batch(struct pd_page_check *pc, uint64_t s, uint64_t n, uint64_t fsize,
		       struct pd_error *err)
{
	uint64_t bs = pc->l.block_size, idx0, k, ndesc = 0, p;
	struct pd_kdump_desc d;

	if (s >= pc->l.max_mapnr || n > pc->l.max_mapnr - s)
		return refuse(err, "pfn 0x%" PRIx64 " is past the dump's last pfn (0x%" PRIx64
			      "); its memory stays reserved", s + n - 1 < pc->l.max_mapnr ? s :
			      pc->l.max_mapnr, pc->l.max_mapnr);
	if (seek(pc, s))
		goto unreadable;
	idx0 = pc->cur_idx;
	for (p = s; p < s + n; p++) {
		int v = bm_byte(pc, p / 8);

		if (v < 0)
			goto unreadable;
		if (!(v >> (p % 8) & 1))
			return refuse(err, "pfn 0x%" PRIx64 " was reported written but the dump file's "
				      "bitmap2 (byte at file offset 0x%" PRIx64 ") does not list it; its "
				      "memory stays reserved", p, pc->l.off_bitmap2 + p / 8);
		ndesc++;
	}
	pc->cur_pfn = s + n;
	pc->cur_idx = idx0 + ndesc;
	if (pd_fd_read(&pc->dump_fd, pc->l.off_desc + idx0 * PD_PAGE_DESC_SIZE, pc->desc,
		       (size_t)(ndesc * PD_PAGE_DESC_SIZE)))
		return refuse(err, "pfn 0x%" PRIx64 ": its descriptor at file offset 0x%" PRIx64
			      " is not in the dump file; its memory stays reserved", s,
			      pc->l.off_desc + idx0 * PD_PAGE_DESC_SIZE);
	if (read_vmcore(pc, s * bs, pc->vm, (size_t)(n * bs), err))
		return -1;
	for (k = 0; k < n; k++) {
		pd_kdump_decode_desc(pc->desc + k * PD_PAGE_DESC_SIZE, &pc->l, &d);
		if (check_one(pc, s + k, &d, pc->l.off_desc + (idx0 + k) * PD_PAGE_DESC_SIZE, fsize,
			      pc->vm + k * bs, err))
			return -1;
	}
	return 0;
unreadable:
	return refuse(err, "pfn 0x%" PRIx64 ": the dump file's bitmap2 (file offset 0x%" PRIx64
		      ") cannot be read back; its memory stays reserved", s, pc->l.off_bitmap2);
}

int pd_page_check_pfns(struct pd_page_check *pc, uint64_t s, uint64_t e, struct pd_error *err)
{
	double t0 = now();
	struct stat sb;
	int rc = 0;

	if (s >= e)
		return 0;
	if (load_layout(pc, err))
		return -1;
	if (fstat(pc->dump_fd, &sb))
		return pd_fail_errno(err, errno, "page check: cannot stat the dump file");
	/* Only bytes read back now count: the file was synced just before, and
	 * bitmap2 of a later cycle was a hole when an earlier call read it. */
	pc->win_len = 0;
	pc->bm_len = 0;
	pc->have_last = pc->have_back = false;
	while (s < e && !rc) {
		uint64_t n = e - s < PD_PAGE_CHECK_BATCH ? e - s : PD_PAGE_CHECK_BATCH;

		rc = check_batch(pc, s, n, (uint64_t)sb.st_size, err);
		s += n;
	}
	pc->seconds += now() - t0;
	return rc;
}
