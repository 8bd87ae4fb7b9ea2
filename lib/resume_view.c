/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "resume_view.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crc32.h"
#include "fileio.h"
#include "stall.h"

#define RANK_CHUNK 512		/* bytes of bitmap2 per rank entry: 4096 pfns */

/* Released reserved ranges -> the crashed memory they held. */
static int released_crashed(struct pd_resume_view *v, const struct pd_journal_state *js)
{
	const struct pd_rangeset *r = &js->released;
	size_t i, k;

	for (i = 0; i < r->n; i++)
		for (k = 0; k < js->layout.ndump; k++) {
			const struct pd_range *a = &js->layout.dump[k];
			uint64_t s = r->iv[i].start > a->addr ? r->iv[i].start : a->addr;
			uint64_t e = r->iv[i].end < a->addr + a->len ? r->iv[i].end : a->addr + a->len;

			if (s < e && pd_rangeset_add(&v->released, a->src + (s - a->addr),
						     a->src + (e - a->addr)))
				return -1;
		}
	return 0;
}

/* Verify the saved records of one target; keep what matches.  A later
 * record over the same bytes supersedes an earlier one. */
static int verify_src(struct pd_resume_src *src, const struct pd_journal_target *t,
		      struct pd_error *err)
{
	static unsigned char buf[1 << 20];
	size_t i, j;

	for (i = 0; i < t->nsaved; i++) {
		const struct pd_journal_saved *sv = &t->saved[i];
		uint32_t crc = 0;
		uint64_t p;
		bool later = false;

		for (j = i + 1; j < t->nsaved && !later; j++)
			later = t->saved[j].off < sv->off + sv->len && sv->off < t->saved[j].off + t->saved[j].len;
		if (later)
			continue;
		for (p = sv->off; p < sv->off + sv->len;) {
			uint64_t left = sv->off + sv->len - p;
			size_t n = left < sizeof(buf) ? (size_t)left : sizeof(buf);

			if (pd_fd_read(&src->fd, p, buf, n))
				return pd_fail_kind(err, PD_ERR_REFUSED,
						    "the partial dump %s is shorter than the journal says "
						    "(0x%" PRIx64 "+0x%" PRIx64 " was saved)",
						    src->path, sv->off, sv->len);
			crc = pd_crc32_update(crc, buf, n);
			p += n;
		}
		if (crc != sv->crc)
			return pd_fail_kind(err, PD_ERR_REFUSED,
					    "the partial dump %s does not match the journal's checksums at "
					    "0x%" PRIx64 "+0x%" PRIx64 ": it was changed after it was saved, "
					    "so the memory released from it cannot be restored",
					    src->path, sv->off, sv->len);
		if (pd_rangeset_add(&src->ok, sv->off, sv->off + sv->len))
			return pd_fail(err, "out of memory");
	}
	return 0;
}

/* Header, sub-header and as much of bitmap2 as is verified. */
static int load_src(struct pd_resume_src *src, struct pd_error *err)
{
	uint64_t k, nchunks, acc = 0;
	size_t pos;

	if (!pd_rangeset_covers(&src->ok, 0, PD_KDUMP_HEADER_SIZE))
		return 0;	/* nothing of it is usable yet */
	if (pd_kdump_read_layout(pd_fd_read, &src->fd, &src->l, err))
		return pd_error_context(err, "%s", src->path);
	if (!pd_rangeset_covers(&src->ok, src->l.block_size,
				src->l.block_size + PD_KDUMP_SUB_HEADER_SIZE))
		return 0;
	/* Verified bitmap2, from its start. */
	pos = pd_rangeset_lower(&src->ok, src->l.off_bitmap2);
	if (pos < src->ok.n && src->ok.iv[pos].start <= src->l.off_bitmap2) {
		uint64_t end = src->ok.iv[pos].end;

		src->bm2_len = end - src->l.off_bitmap2;
		if (src->bm2_len > src->l.len_bitmap2)
			src->bm2_len = src->l.len_bitmap2;
	}
	if (!src->bm2_len)
		return 0;
	src->bm2 = malloc(src->bm2_len);
	nchunks = (src->bm2_len + RANK_CHUNK - 1) / RANK_CHUNK;
	src->rank = malloc((nchunks + 1) * sizeof(*src->rank));
	if (!src->bm2 || !src->rank)
		return pd_fail(err, "out of memory");
	if (pd_fd_read(&src->fd, src->l.off_bitmap2, src->bm2, src->bm2_len))
		return pd_fail_errno(err, errno, "cannot read %s", src->path);
	for (k = 0; k < nchunks; k++) {
		uint64_t b, e = (k + 1) * RANK_CHUNK;

		src->rank[k] = acc;
		for (b = k * RANK_CHUNK; b < e && b < src->bm2_len; b++)
			acc += (uint64_t)__builtin_popcount(src->bm2[b]);
	}
	src->rank[nchunks] = acc;
	src->usable = true;
	return 0;
}

static int open_vmcore(struct pd_resume_view *v, const char *vmcore, struct elfcore *ec,
		       uint64_t *size, struct pd_error *err)
{
	struct stat sb;
	char msg[256];

	v->vmcore_fd = open(vmcore, O_RDONLY | O_CLOEXEC);
	if (v->vmcore_fd < 0 || fstat(v->vmcore_fd, &sb))
		return pd_fail_errno(err, errno, "cannot open %s", vmcore);
	*size = (uint64_t)sb.st_size;
	if (elfcore_parse(pd_fd_read, &v->vmcore_fd, *size, ec, msg, sizeof(msg)))
		return pd_fail_kind(err, PD_ERR_REFUSED, "%s: %s", vmcore, msg);
	return 0;
}

static int init_sources(struct pd_resume_view *v, const struct pd_journal_state *js,
			struct pd_error *err);

int pd_resume_view_init(struct pd_resume_view *v, const char *vmcore,
			const struct pd_journal_state *js, struct pd_error *err)
{
	memset(v, 0, sizeof(*v));
	v->vmcore_fd = -1;
	pd_rangeset_init(&v->released);
	if (open_vmcore(v, vmcore, &v->ec, &v->vmcore_size, err) || init_sources(v, js, err)) {
		pd_resume_view_fini(v);
		return -1;
	}
	return 0;
}

int pd_resume_view_init_rearm(struct pd_resume_view *v, const char *vmcore2,
			      const struct pd_journal_state *js, struct pd_error *err)
{
	uint64_t size2;

	memset(v, 0, sizeof(*v));
	v->vmcore_fd = -1;
	v->rearm = true;
	pd_rangeset_init(&v->released);
	pd_rangeset_init(&v->hdr.gaps);
	if (open_vmcore(v, vmcore2, &v->ec2, &size2, err) || pd_rearm_headers_load(js, &v->hdr, err))
		goto fail;
	/* Dump 1's program headers, from the copy. */
	v->ec = v->hdr.ec;
	memset(&v->hdr.ec, 0, sizeof(v->hdr.ec));
	v->vmcore_size = v->hdr.vmcore_size;
	if (init_sources(v, js, err))
		goto fail;
	return 0;
fail:
	pd_resume_view_fini(v);
	return -1;
}

static int init_sources(struct pd_resume_view *v, const struct pd_journal_state *js,
			struct pd_error *err)
{
	size_t i;

	if (released_crashed(v, js)) {
		pd_fail(err, "out of memory");
		goto fail;
	}
	v->src = calloc(js->ntargets ? js->ntargets : 1, sizeof(*v->src));
	if (!v->src) {
		pd_fail(err, "out of memory");
		goto fail;
	}
	for (i = 0; i < js->ntargets; i++) {
		struct pd_resume_src *src = &v->src[v->nsrc];

		if (!js->targets[i].nsaved)
			continue;	/* nothing durable: nothing released from it */
		src->fd = -1;
		pd_rangeset_init(&src->ok);
		src->path = strdup(js->targets[i].path);
		v->nsrc++;
		if (!src->path) {
			pd_fail(err, "out of memory");
			goto fail;
		}
		/* On the dump target: reads of it are watched (lib/stall.h). */
		pd_stall_begin("open", src->path);
		src->fd = open(src->path, O_RDONLY | O_CLOEXEC);
		pd_stall_end();
		pd_stall_watch_fd(src->fd, src->path);
		if (src->fd < 0) {
			pd_fail_kind(err, PD_ERR_REFUSED, "the partial dump %s is gone (%s): the memory "
				     "released from it cannot be restored", src->path, strerror(errno));
			goto fail;
		}
		if (verify_src(src, &js->targets[i], err) || load_src(src, err))
			goto fail;
		if (!src->usable)
			continue;
		if (!v->page)
			v->page = src->l.block_size;
		if (v->page != src->l.block_size) {
			pd_fail_kind(err, PD_ERR_REFUSED, "the partial dumps disagree on the page size");
			goto fail;
		}
	}
	if (!v->page)
		v->page = 4096;	/* no file to serve from: a released page read fails */
	v->page_buf = malloc(v->page);
	v->cbuf = malloc(v->page);
	if (!v->page_buf || !v->cbuf) {
		pd_fail(err, "out of memory");
		goto fail;
	}
	return 0;
fail:
	return -1;
}

/* Page @pfn from one source: 1 served, 0 this source does not hold it, -1 error. */
static int from_src(struct pd_resume_view *v, struct pd_resume_src *src, uint64_t pfn,
		    struct pd_error *err)
{
	unsigned char raw[PD_PAGE_DESC_SIZE];
	struct pd_kdump_desc d;
	uint64_t byte = pfn / 8, idx, off, b;

	if (!src->usable)
		return 0;
	if (pfn >= src->l.max_mapnr) {
		memset(v->page_buf, 0, v->page);	/* not in the dump at all */
		v->pages_zero++;
		return 1;
	}
	if (byte >= src->bm2_len)
		return 0;
	if (!(src->bm2[byte] >> (pfn % 8) & 1)) {
		memset(v->page_buf, 0, v->page);	/* filtered out */
		v->pages_zero++;
		return 1;
	}
	idx = src->rank[byte / RANK_CHUNK];
	for (b = byte / RANK_CHUNK * RANK_CHUNK; b < byte; b++)
		idx += (uint64_t)__builtin_popcount(src->bm2[b]);
	idx += (uint64_t)__builtin_popcount(src->bm2[byte] & ((1u << (pfn % 8)) - 1));
	off = src->l.off_desc + idx * PD_PAGE_DESC_SIZE;
	if (!pd_rangeset_covers(&src->ok, off, off + PD_PAGE_DESC_SIZE))
		return 0;
	if (pd_fd_read(&src->fd, off, raw, sizeof(raw)))
		return pd_fail_errno(err, EIO, "cannot read %s", src->path);
	pd_kdump_decode_desc(raw, &src->l, &d);
	if (!d.size || d.size > v->page || d.offset + d.size < d.offset ||
	    !pd_rangeset_covers(&src->ok, d.offset, d.offset + d.size))
		return 0;
	if (pd_fd_read(&src->fd, d.offset, v->cbuf, d.size))
		return pd_fail_errno(err, EIO, "cannot read %s", src->path);
	if (pd_kdump_page_decompress(d.flags, v->cbuf, d.size, v->page_buf, v->page, err))
		return pd_error_context(err, "%s, pfn 0x%" PRIx64, src->path, pfn);
	v->pages_from_file++;
	return 1;
}

/* Released crashed bytes [pa, pa+len) into @out. */
static int serve_released(struct pd_resume_view *v, unsigned char *out, uint64_t pa, size_t len,
			  struct pd_error *err)
{
	while (len) {
		uint64_t pfn = pa / v->page, in = pa % v->page;
		size_t n = v->page - in < len ? (size_t)(v->page - in) : len;
		size_t i;
		int rc = 0;

		for (i = 0; i < v->nsrc && !rc; i++)
			rc = from_src(v, &v->src[i], pfn, err);
		if (rc < 0)
			return -1;
		if (!rc)
			return pd_fail_errno(err, EIO, "released page 0x%" PRIx64 " is in no verified "
					     "partial dump (a capture that journaled no saved ranges, such "
					     "as makedumpfile --phyp-release, released it)", pfn);
		memcpy(out, v->page_buf + in, n);
		out += n;
		pa += n;
		len -= n;
	}
	return 0;
}

/* Held crashed bytes [pa, pa+len): from the second dump, at the same address. */
static int read_dump2(struct pd_resume_view *v, unsigned char *out, uint64_t pa, size_t len,
		      struct pd_error *err)
{
	while (len) {
		uint64_t n = len, off;

		if (pd_rearm_paddr_offset(&v->ec2, pa, &n, &off))
			return pd_fail_errno(err, EIO, "the first dump's held memory at 0x%" PRIx64
					     " is not in the second dump", pa);
		if (pd_fd_read(&v->vmcore_fd, off, out, (size_t)n))
			return pd_fail_errno(err, errno ? errno : EIO, "reading the second dump's vmcore "
					     "at 0x%" PRIx64 " failed", pa);
		v->bytes_from_dump2 += n;
		out += n;
		pa += n;
		len -= (size_t)n;
	}
	return 0;
}

int pd_resume_view_read(struct pd_resume_view *v, void *buf, size_t len, uint64_t off,
			struct pd_error *err)
{
	unsigned char *out = buf;

	if (off > v->vmcore_size || len > v->vmcore_size - off)
		return pd_fail_errno(err, EINVAL, "read past the end of the vmcore");
	while (len) {
		const struct elfcore_load *l = NULL;
		uint64_t stop = v->vmcore_size;
		size_t i, n;

		/* The load holding @off, or where the next one starts. */
		for (i = 0; i < v->ec.nloads; i++) {
			const struct elfcore_load *x = &v->ec.loads[i];

			if (off >= x->offset && off < x->offset + x->filesz) {
				l = x;
				stop = x->offset + x->filesz;
				break;
			}
			if (x->offset > off && x->offset < stop)
				stop = x->offset;
		}
		n = stop - off < len ? (size_t)(stop - off) : len;
		if (l) {
			uint64_t pa = l->paddr + (off - l->offset);
			size_t k = pd_rangeset_lower(&v->released, pa);

			if (k < v->released.n && v->released.iv[k].start <= pa) {
				/* released: up to the end of that run */
				if (v->released.iv[k].end - pa < n)
					n = (size_t)(v->released.iv[k].end - pa);
				if (serve_released(v, out, pa, n, err))
					return -1;
				goto next;
			}
			if (k < v->released.n && v->released.iv[k].start - pa < n)
				n = (size_t)(v->released.iv[k].start - pa);
		}
		if (v->rearm && l) {
			if (read_dump2(v, out, l->paddr + (off - l->offset), n, err))
				return -1;
		} else if (v->rearm) {
			if (pd_rearm_headers_read(&v->hdr, off, out, n))
				return pd_fail_errno(err, EIO, "the first dump's header copy has no byte 0x%"
						     PRIx64, off);
		} else if (pd_fd_read(&v->vmcore_fd, off, out, n)) {
			return pd_fail_errno(err, errno ? errno : EIO, "reading the vmcore failed");
		}
next:
		out += n;
		off += n;
		len -= n;
	}
	return 0;
}

void pd_resume_view_fini(struct pd_resume_view *v)
{
	size_t i;

	for (i = 0; i < v->nsrc; i++) {
		if (v->src[i].fd >= 0)
			pd_close_fd(v->src[i].fd);
		free(v->src[i].path);
		free(v->src[i].bm2);
		free(v->src[i].rank);
		pd_rangeset_free(&v->src[i].ok);
	}
	free(v->src);
	free(v->page_buf);
	free(v->cbuf);
	elfcore_free(&v->ec);
	elfcore_free(&v->ec2);
	pd_rearm_headers_free(&v->hdr);
	pd_rangeset_free(&v->released);
	if (v->vmcore_fd >= 0)
		close(v->vmcore_fd);
	memset(v, 0, sizeof(*v));
	v->vmcore_fd = -1;
}
