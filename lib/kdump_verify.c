/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "kdump_verify.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "stall.h"

#define WINDOW 65536u			/* bytes of each bitmap read at once */
#define DESC_BATCH 2730u		/* descriptors read at once (~64 KiB) */
#define MAX_VMCOREINFO (1u << 20)
#define KNOWN_FLAGS (PD_KDUMP_COMPRESSED_ZLIB | PD_KDUMP_COMPRESSED_LZO | \
		     PD_KDUMP_COMPRESSED_SNAPPY | PD_KDUMP_COMPRESSED_ZSTD)

struct vctx {
	pd_read_fn rd;
	void *ctx;
	uint64_t size;
	struct pd_kdump_verify_result *r;
	struct pd_error *err;
	unsigned char *bm1, *bm2, *desc, *stored, *page;
	char *vmcoreinfo;
	uint64_t off_vmcoreinfo, size_vmcoreinfo, phys_base;
};

static int bad(struct vctx *v, uint64_t off, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A fault of the file at @off: the message names the offset. */
static int bad(struct vctx *v, uint64_t off, const char *fmt, ...)
{
	char what[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	v->r->bad_offset = off;
	return pd_fail_kind(v->err, PD_ERR_REFUSED, "file offset 0x%" PRIx64 ": %s", off, what);
}

/* Exactly @len bytes at @off, which must lie inside the file. */
static int get(struct vctx *v, uint64_t off, void *buf, size_t len, const char *what)
{
	if (off > v->size || len > v->size - off)
		return bad(v, off > v->size ? v->size : off, "%s (%zu bytes at 0x%" PRIx64
			   ") is past the end of the file (0x%" PRIx64 " bytes: truncated?)",
			   what, len, off, v->size);
	if (v->rd(v->ctx, off, buf, len)) {
		v->r->bad_offset = off;
		return pd_fail_errno(v->err, errno ? errno : EIO, "reading %s at file offset 0x%" PRIx64,
				     what, off);
	}
	return 0;
}

static uint64_t num(const unsigned char *p, size_t n, bool be)
{
	uint64_t x = 0;
	size_t i;

	for (i = 0; i < n; i++)
		x |= (uint64_t)p[be ? n - 1 - i : i] << (8 * i);
	return x;
}

static void utsname_field(char *out, const unsigned char *head, size_t field)
{
	memcpy(out, head + 12 + 65 * field, 65);
	out[65] = 0;
}

static int header(struct vctx *v)
{
	unsigned char h[PD_KDUMP_HEADER_SIZE], s[PD_KDUMP_SUB_HEADER_SIZE];
	struct pd_kdump_layout *l = &v->r->l;
	uint64_t sub_end, off_note, size_note, off_erase, size_erase;
	struct pd_error e;
	bool be;

	if (get(v, 0, h, sizeof(h), "the kdump header"))
		return -1;
	if (pd_kdump_decode_header(h, sizeof(h), l, &e))
		return bad(v, 0, "%s", e.msg);
	be = l->big_endian;
	utsname_field(v->r->release, h, 2);
	utsname_field(v->r->machine, h, 4);
	if (l->status & PD_KDUMP_INCOMPLETE)
		return bad(v, PD_KDUMP_STATUS_OFFSET, "the header marks the dump incomplete (the "
			   "writer did not finish)");
	if (get(v, l->block_size, s, sizeof(s), "the kdump sub-header"))
		return -1;
	if (pd_kdump_decode_sub_header(s, sizeof(s), l, &e))
		return bad(v, l->block_size + 96, "%s", e.msg);
	v->phys_base = num(s, 8, be);
	v->off_vmcoreinfo = num(s + 32, 8, be);
	v->size_vmcoreinfo = num(s + 40, 8, be);
	off_note = num(s + 48, 8, be);
	size_note = num(s + 56, 8, be);
	off_erase = num(s + 64, 8, be);
	size_erase = num(s + 72, 8, be);
	sub_end = (1 + l->sub_hdr_size) * l->block_size;
	if (size_note && (off_note < l->block_size + PD_KDUMP_SUB_HEADER_SIZE || off_note > sub_end ||
			  size_note > sub_end - off_note))
		return bad(v, l->block_size + 48, "the notes (0x%" PRIx64 "+0x%" PRIx64 ") are not "
			   "inside the sub-header's blocks", off_note, size_note);
	if (!v->size_vmcoreinfo)
		return bad(v, l->block_size + 40, "there is no VMCOREINFO: crash and drgn cannot "
			   "open this dump");
	if (v->off_vmcoreinfo < l->block_size + PD_KDUMP_SUB_HEADER_SIZE ||
	    v->off_vmcoreinfo > sub_end || v->size_vmcoreinfo > sub_end - v->off_vmcoreinfo ||
	    v->size_vmcoreinfo > MAX_VMCOREINFO)
		return bad(v, l->block_size + 32, "VMCOREINFO (0x%" PRIx64 "+0x%" PRIx64 ") is not "
			   "inside the sub-header's blocks", v->off_vmcoreinfo, v->size_vmcoreinfo);
	if (size_erase && (off_erase > v->size || size_erase > v->size - off_erase))
		return bad(v, l->block_size + 64, "the erase info (0x%" PRIx64 "+0x%" PRIx64 ") is "
			   "past the end of the file", off_erase, size_erase);
	if (l->off_desc > v->size)
		return bad(v, v->size, "the bitmaps end at 0x%" PRIx64 ", past the end of the file "
			   "(truncated?)", l->off_desc);
	return 0;
}

static int vmcoreinfo(struct vctx *v)
{
	v->r->vmcoreinfo_bytes = v->size_vmcoreinfo;
	v->vmcoreinfo = malloc(v->size_vmcoreinfo + 1);
	if (!v->vmcoreinfo)
		return pd_fail(v->err, "out of memory");
	if (get(v, v->off_vmcoreinfo, v->vmcoreinfo, v->size_vmcoreinfo, "VMCOREINFO"))
		return -1;
	v->vmcoreinfo[v->size_vmcoreinfo] = 0;
	if (!strstr(v->vmcoreinfo, "OSRELEASE="))
		return bad(v, v->off_vmcoreinfo, "VMCOREINFO has no OSRELEASE line: it is not a "
			   "VMCOREINFO note");
	return 0;
}

/* One page's descriptor (number @idx, for @pfn). */
static int one_desc(struct vctx *v, const unsigned char *raw, uint64_t idx, uint64_t pfn,
		    struct pd_kdump_desc *last, bool *have_last)
{
	const struct pd_kdump_layout *l = &v->r->l;
	uint64_t at = l->off_desc + idx * PD_PAGE_DESC_SIZE;
	uint64_t data = l->off_desc + v->r->dumped_pfns * PD_PAGE_DESC_SIZE;
	struct pd_kdump_desc d;
	struct pd_error e;

	pd_kdump_decode_desc(raw, l, &d);
	if (d.flags & ~(uint32_t)KNOWN_FLAGS || (d.flags & (d.flags - 1)))
		return bad(v, at, "the descriptor of pfn 0x%" PRIx64 " has unknown flags 0x%" PRIx32,
			   pfn, d.flags);
	if (!d.size || d.size > l->block_size || (!d.flags && d.size != l->block_size))
		return bad(v, at, "the descriptor of pfn 0x%" PRIx64 " stores %" PRIu32 " bytes "
			   "(the page size is %" PRIu64 ")", pfn, d.size, l->block_size);
	if (d.offset < data || d.offset > v->size || d.size > v->size - d.offset)
		return bad(v, at, "the descriptor of pfn 0x%" PRIx64 " points outside the page data "
			   "(0x%" PRIx64 "+0x%" PRIx32 "; data 0x%" PRIx64 "-0x%" PRIx64 ")", pfn,
			   d.offset, d.size, data, v->size);
	if (*have_last && last->offset == d.offset && last->size == d.size && last->flags == d.flags)
		return 0;	/* the shared zero page, or a repeat: checked already */
	if (get(v, d.offset, v->stored, d.size, "a page"))
		return -1;
	if (!pd_kdump_can_decompress(d.flags))
		return v->r->bad_offset = d.offset,
		       pd_fail_kind(v->err, PD_ERR_UNSUPPORTED, "file offset 0x%" PRIx64 ": pfn 0x%"
				    PRIx64 " is compressed (flags 0x%" PRIx32 ") and this build has no "
				    "decompressors", d.offset, pfn, d.flags);
	if (pd_kdump_page_decompress(d.flags, v->stored, d.size, v->page, (size_t)l->block_size, &e))
		return bad(v, d.offset, "pfn 0x%" PRIx64 " (descriptor at 0x%" PRIx64 "): %s", pfn, at,
			   e.msg);
	*last = d;
	*have_last = true;
	v->r->stored_pages++;
	return 0;
}

/* Both bitmaps in windows; then every descriptor, in bitmap2's order. */
static int bitmaps_and_pages(struct vctx *v)
{
	const struct pd_kdump_layout *l = &v->r->l;
	uint64_t bytes = (l->max_mapnr + 7) / 8, off_bm1 = l->off_bitmap2 - l->len_bitmap2, b, n;
	uint64_t idx = 0, have = 0, first = 0;
	struct pd_kdump_desc last;
	bool have_last = false;
	int pass;

	memset(&last, 0, sizeof(last));
	for (pass = 0; pass < 2; pass++) {
		/* pass 0 counts (the data starts after the last descriptor);
		 * pass 1 checks every descriptor and page. */
		for (b = 0; b < bytes; b += n) {
			uint64_t i;

			n = bytes - b < WINDOW ? bytes - b : WINDOW;
			if (get(v, l->off_bitmap2 + b, v->bm2, (size_t)n, "bitmap2"))
				return -1;
			if (pass == 0) {
				if (get(v, off_bm1 + b, v->bm1, (size_t)n, "bitmap1"))
					return -1;
				for (i = 0; i < n; i++) {
					unsigned m = b + i + 1 == bytes && l->max_mapnr % 8 ?
						     (1u << (l->max_mapnr % 8)) - 1 : 0xffu;

					if (v->bm2[i] & ~v->bm1[i] & m)
						return bad(v, l->off_bitmap2 + b + i, "bitmap2 lists pfn 0x%"
							   PRIx64 " that bitmap1 does not (not present in "
							   "memory)", (b + i) * 8 + (uint64_t)
							   __builtin_ctz(v->bm2[i] & ~v->bm1[i] & m));
					v->r->present_pfns += (uint64_t)__builtin_popcount(v->bm1[i] & m);
					v->r->dumped_pfns += (uint64_t)__builtin_popcount(v->bm2[i] & m);
				}
				continue;
			}
			for (i = 0; i < n; i++) {
				unsigned bit;

				for (bit = 0; bit < 8; bit++) {
					uint64_t pfn = (b + i) * 8 + bit;

					if (pfn >= l->max_mapnr || !(v->bm2[i] >> bit & 1))
						continue;
					if (idx == first + have) {
						uint64_t k = v->r->dumped_pfns - idx;

						first = idx;
						have = k < DESC_BATCH ? k : DESC_BATCH;
						if (get(v, l->off_desc + idx * PD_PAGE_DESC_SIZE, v->desc,
							(size_t)(have * PD_PAGE_DESC_SIZE), "page descriptors"))
							return -1;
					}
					if (one_desc(v, v->desc + (idx - first) * PD_PAGE_DESC_SIZE, idx, pfn,
						     &last, &have_last))
						return -1;
					idx++;
				}
			}
		}
		if (pass == 0 && (v->r->dumped_pfns > (v->size - l->off_desc) / PD_PAGE_DESC_SIZE))
			return bad(v, v->size, "bitmap2 lists %" PRIu64 " pages, but the file ends before "
				   "their descriptors do (truncated?)", v->r->dumped_pfns);
	}
	return 0;
}

static bool symbol(const char *info, const char *name, uint64_t *addr)
{
	char key[64];
	const char *p;

	snprintf(key, sizeof(key), "SYMBOL(%s)=", name);
	p = strstr(info, key);
	if (!p)
		return false;
	*addr = strtoull(p + strlen(key), NULL, 16);
	return true;
}

/* A kernel virtual address of a symbol to a physical one, as the kernel's
 * __pa_symbol() does; false for an architecture this does not know. */
static bool symbol_paddr(const struct vctx *v, uint64_t va, uint64_t *pa)
{
	const char *m = v->r->machine;

	if (!strcmp(m, "x86_64") && va >= 0xffffffff80000000ull) {
		*pa = va - 0xffffffff80000000ull + v->phys_base;
		return true;
	}
	if (!strncmp(m, "ppc64", 5) && va >= 0xc000000000000000ull) {
		*pa = va - 0xc000000000000000ull;
		return true;
	}
	return false;
}

static int log_reachable(struct vctx *v)
{
	static const char *const sets[][3] = {
		{ "prb", "printk_rb_static", NULL },	/* Linux 5.10 and later */
		{ "log_buf", "log_buf_len", NULL },	/* before */
	};
	const struct pd_kdump_layout *l = &v->r->l;
	size_t s, k;

	for (s = 0; s < sizeof(sets) / sizeof(sets[0]); s++) {
		uint64_t va, pa, pfn;
		unsigned char byte;

		if (!symbol(v->vmcoreinfo, sets[s][0], &va))
			continue;
		snprintf(v->r->log_symbol, sizeof(v->r->log_symbol), "%s", sets[s][0]);
		for (k = 0; sets[s][k]; k++) {
			if (!symbol(v->vmcoreinfo, sets[s][k], &va))
				continue;
			if (!symbol_paddr(v, va, &pa))
				return bad(v, v->off_vmcoreinfo, "VMCOREINFO's %s (0x%" PRIx64 ") cannot be "
					   "placed in memory on %.20s: the kernel log was not checked",
					   sets[s][k], va, v->r->machine);
			if (!k)
				v->r->log_paddr = pa;
			pfn = pa / l->block_size;
			if (pfn >= l->max_mapnr)
				return bad(v, v->off_vmcoreinfo, "the kernel log's %s (physical 0x%" PRIx64
					   ") is past the dump's last pfn", sets[s][k], pa);
			if (get(v, l->off_bitmap2 + pfn / 8, &byte, 1, "bitmap2"))
				return -1;
			if (!(byte >> (pfn % 8) & 1))
				return bad(v, l->off_bitmap2 + pfn / 8, "the page holding the kernel log's "
					   "%s (pfn 0x%" PRIx64 ") is not in the dump", sets[s][k], pfn);
		}
		return 0;
	}
	return bad(v, v->off_vmcoreinfo, "VMCOREINFO names no kernel log (SYMBOL(prb) or "
		   "SYMBOL(log_buf)): the log cannot be read from this dump");
}

int pd_kdump_verify(pd_read_fn rd, void *ctx, uint64_t file_size,
		    struct pd_kdump_verify_result *r, struct pd_error *err)
{
	struct vctx v;
	int rc = -1;

	memset(r, 0, sizeof(*r));
	memset(&v, 0, sizeof(v));
	v.rd = rd;
	v.ctx = ctx;
	v.size = file_size;
	v.r = r;
	v.err = err;
	if (header(&v) || vmcoreinfo(&v))
		goto out;
	v.bm1 = malloc(WINDOW);
	v.bm2 = malloc(WINDOW);
	v.desc = malloc((size_t)DESC_BATCH * PD_PAGE_DESC_SIZE);
	v.stored = malloc((size_t)r->l.block_size);
	v.page = malloc((size_t)r->l.block_size);
	if (!v.bm1 || !v.bm2 || !v.desc || !v.stored || !v.page) {
		pd_fail(err, "out of memory");
		goto out;
	}
	if (bitmaps_and_pages(&v) || log_reachable(&v))
		goto out;
	rc = 0;
out:
	free(v.bm1);
	free(v.bm2);
	free(v.desc);
	free(v.stored);
	free(v.page);
	free(v.vmcoreinfo);
	return rc;
}

int pd_kdump_verify_file(const char *path, struct pd_kdump_verify_result *r,
			 struct pd_error *err)
{
	struct stat sb;
	int fd, rc;

	memset(r, 0, sizeof(*r));
	/* Each step is watched when a save verifies its dump (lib/stall.h). */
	pd_stall_begin("open", path);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &sb)) {
		pd_stall_end();
		pd_fail_errno(err, errno, "cannot open %s", path);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	pd_stall_end();
	pd_stall_watch_fd(fd, path);
	rc = pd_kdump_verify(pd_fd_read, &fd, (uint64_t)sb.st_size, r, err);
	pd_close_fd(fd);
	if (rc)
		pd_error_context(err, "%s", path);
	return rc;
}
