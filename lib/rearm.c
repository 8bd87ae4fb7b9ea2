/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "rearm.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crc32.h"
#include "dump_state.h"
#include "fileio.h"
#include "stall.h"

int pd_rearm_gaps(const struct elfcore *ec, uint64_t size, struct pd_rangeset *gaps)
{
	size_t i;

	pd_rangeset_clear(gaps);
	if (size && pd_rangeset_add(gaps, 0, size))
		return -1;
	for (i = 0; i < ec->nloads; i++)
		if (ec->loads[i].filesz &&
		    pd_rangeset_remove(gaps, ec->loads[i].offset, ec->loads[i].offset + ec->loads[i].filesz))
			return -1;
	return 0;
}

static int parse_vmcore(int fd, uint64_t *size, struct elfcore *ec, struct pd_error *err,
			const char *path)
{
	struct stat sb;
	char msg[256];

	if (fstat(fd, &sb))
		return pd_fail_errno(err, errno, "cannot stat %s", path);
	*size = (uint64_t)sb.st_size;
	if (elfcore_parse(pd_fd_read, &fd, *size, ec, msg, sizeof(msg)))
		return pd_fail_kind(err, PD_ERR_REFUSED, "%s: %s", path, msg);
	return 0;
}

/* The copy goes beside the dump, on its target: every step is watched. */
static int sync_dir(const char *path)
{
	char dir[PATH_MAX];

	pd_dir_of(dir, sizeof(dir), path);
	return pd_sync_target_dir(dir);
}

static int make_durable(int fd, const char *tmp, const char *path)
{
	int rc;

	pd_stall_begin("fsync", tmp);
	rc = fsync(fd);
	pd_stall_end();
	if (rc)
		return -1;
	return pd_target_rename(tmp, path) ? -1 : sync_dir(path);
}

int pd_rearm_save_headers(const char *vmcore, const char *path, uint64_t *vmcore_size,
			  uint64_t *len, uint32_t *crc, struct pd_error *err)
{
	struct pd_rangeset gaps;
	struct elfcore ec;
	char tmp[PATH_MAX + 8];
	unsigned char buf[65536];
	int in, out = -1, rc = -1;
	size_t i;

	memset(&ec, 0, sizeof(ec));
	pd_rangeset_init(&gaps);
	*len = 0;
	*crc = 0;
	in = open(vmcore, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return pd_fail_errno(err, errno, "cannot open %s to copy its headers", vmcore);
	if (parse_vmcore(in, vmcore_size, &ec, err, vmcore))
		goto out;
	if (pd_rearm_gaps(&ec, *vmcore_size, &gaps)) {
		pd_fail(err, "out of memory");
		goto out;
	}
	if (pd_rangeset_total(&gaps) > PD_REARM_HEADERS_MAX) {
		pd_fail_kind(err, PD_ERR_REFUSED, "%s has %" PRIu64 " bytes outside its PT_LOADs: too "
			     "many to copy", vmcore, pd_rangeset_total(&gaps));
		goto out;
	}
	snprintf(tmp, sizeof(tmp), "%s.new", path ? path : "");
	if (path) {
		pd_target_unlink(tmp);
		out = pd_target_open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (out < 0) {
			pd_fail_errno(err, errno, "cannot create %s", tmp);
			goto out;
		}
	}
	for (i = 0; i < gaps.n; i++) {
		uint64_t p;

		for (p = gaps.iv[i].start; p < gaps.iv[i].end;) {
			size_t n = gaps.iv[i].end - p < sizeof(buf) ? (size_t)(gaps.iv[i].end - p) : sizeof(buf);

			if (pd_fd_read(&in, p, buf, n)) {
				pd_fail_errno(err, errno ? errno : EIO, "cannot read %s at 0x%" PRIx64, vmcore, p);
				goto out;
			}
			if (path && pd_write_all(out, buf, n)) {
				pd_fail_errno(err, errno, "cannot write %s", tmp);
				goto out;
			}
			*crc = pd_crc32_update(*crc, buf, n);
			*len += n;
			p += n;
		}
	}
	if (path && make_durable(out, tmp, path)) {
		pd_fail_errno(err, errno, "cannot make %s durable", path);
		goto out;
	}
	rc = 0;
out:
	if (out >= 0)
		pd_close_fd(out);
	if (rc && out >= 0)
		pd_target_unlink(tmp);
	close(in);
	elfcore_free(&ec);
	pd_rangeset_free(&gaps);
	return rc;
}

int pd_rearm_read_state(const char *path, enum pd_rearm_state *st, char *detail, size_t dsize,
			struct pd_error *err)
{
	char buf[4096];

	if (detail && dsize)
		detail[0] = 0;
	if (pd_read_small(path, buf, sizeof(buf)) < 0) {
		if (errno == ENOENT) {
			*st = PD_REARM_ABSENT;
			return 0;
		}
		return pd_fail_errno(err, errno, "cannot read %s", path);
	}
	if (!strcmp(buf, "ready"))
		*st = PD_REARM_READY;
	else if (!strcmp(buf, "armed"))
		*st = PD_REARM_ARMED;
	else if (!strncmp(buf, "blocked ", 8) || !strcmp(buf, "blocked"))
		*st = PD_REARM_BLOCKED;
	else
		*st = PD_REARM_UNKNOWN;
	if (detail && dsize && *st == PD_REARM_BLOCKED)
		snprintf(detail, dsize, "%s", buf[7] ? buf + 8 : "");
	return 0;
}

const char *pd_rearm_state_name(enum pd_rearm_state st)
{
	switch (st) {
	case PD_REARM_ABSENT: return "absent";
	case PD_REARM_BLOCKED: return "blocked";
	case PD_REARM_READY: return "ready";
	case PD_REARM_ARMED: return "armed";
	case PD_REARM_UNKNOWN: break;
	}
	return "unknown";
}

int pd_rearm_write(const char *path, struct pd_error *err)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return pd_fail_errno(err, errno, "cannot open %s", path);
	n = write(fd, "1\n", 2);
	if (n != 2) {
		int e = n < 0 ? errno : EIO;

		close(fd);
		return pd_fail_errno(err, e, "writing 1 to %s failed", path);
	}
	close(fd);
	return 0;
}

int pd_rearm_paddr_offset(const struct elfcore *ec, uint64_t pa, uint64_t *n, uint64_t *off)
{
	size_t i;

	for (i = 0; i < ec->nloads; i++) {
		const struct elfcore_load *l = &ec->loads[i];

		if (pa >= l->paddr && pa - l->paddr < l->filesz) {
			uint64_t left = l->filesz - (pa - l->paddr);

			if (*n > left)
				*n = left;
			*off = l->offset + (pa - l->paddr);
			return 0;
		}
	}
	return -1;
}

/* CRC-32 of crashed bytes [pa, pa+len) of the vmcore @fd (@ec its headers):
 * 0, 1 when some byte is in no PT_LOAD's file bytes, -1 on a read error. */
static int crc_paddr(int fd, const struct elfcore *ec, uint64_t pa, uint64_t len, uint32_t *crc)
{
	unsigned char buf[PD_REARM_SAMPLE_BYTES];

	*crc = 0;
	while (len) {
		uint64_t n = len < sizeof(buf) ? len : sizeof(buf), off;

		if (pd_rearm_paddr_offset(ec, pa, &n, &off))
			return 1;
		if (pd_fd_read(&fd, off, buf, (size_t)n))
			return -1;
		*crc = pd_crc32_update(*crc, buf, (size_t)n);
		pa += n;
		len -= n;
	}
	return 0;
}

int pd_rearm_samples(const char *vmcore, const struct pd_rr *held, struct pd_journal_saved **out,
		     size_t *n, struct pd_error *err)
{
	const uint64_t pg = PD_REARM_SAMPLE_BYTES;
	struct elfcore ec;
	uint64_t size;
	size_t i, k, cap;
	int fd, rc = -1;

	*out = NULL;
	*n = 0;
	memset(&ec, 0, sizeof(ec));
	fd = open(vmcore, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return pd_fail_errno(err, errno, "cannot open %s", vmcore);
	if (parse_vmcore(fd, &size, &ec, err, vmcore))
		goto out;
	cap = held->ndump * PD_REARM_SAMPLES_PER_RANGE + 1;
	*out = calloc(cap, sizeof(**out));
	if (!*out) {
		pd_fail(err, "out of memory");
		goto out;
	}
	for (i = 0; i < held->ndump; i++) {
		const struct pd_range *r = &held->dump[i];
		uint64_t first = (r->src + pg - 1) / pg * pg, last, pick[PD_REARM_SAMPLES_PER_RANGE];
		size_t np = 0;

		if (r->src != r->addr || r->len < pg || first + pg > r->src + r->len)
			continue;	/* relocated (never held at re-arm) or too small */
		last = (r->src + r->len) / pg * pg - pg;
		pick[np++] = first;
		if (last > first)
			pick[np++] = last;
		for (k = 1; np < PD_REARM_SAMPLES_PER_RANGE && last > first + pg; k++) {
			uint64_t p = first + (last - first) / pg * k / PD_REARM_SAMPLES_PER_RANGE * pg;

			if (k >= PD_REARM_SAMPLES_PER_RANGE)
				break;
			if (p > first && p < last)
				pick[np++] = p;
		}
		for (k = 0; k < np; k++) {
			uint32_t crc;
			int r2 = crc_paddr(fd, &ec, pick[k], pg, &crc);

			if (r2 < 0) {
				pd_fail_errno(err, errno ? errno : EIO, "cannot read the held page at 0x%"
					      PRIx64 " in %s", pick[k], vmcore);
				goto out;
			}
			if (r2 == 0)
				(*out)[(*n)++] = (struct pd_journal_saved){ pick[k], pg, crc };
		}
	}
	rc = 0;
out:
	if (rc) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	elfcore_free(&ec);
	close(fd);
	return rc;
}

/* ---- boot 2 ---- */

static int read_prefix(void *ctx, uint64_t off, void *buf, size_t len)
{
	const struct pd_rearm_headers *h = ctx;

	if (off > h->len || len > h->len - off)
		return -1;
	memcpy(buf, h->buf + off, len);
	return 0;
}

static int read_gaps(void *ctx, uint64_t off, void *buf, size_t len)
{
	return pd_rearm_headers_read(ctx, off, buf, len);
}

int pd_rearm_headers_read(const struct pd_rearm_headers *h, uint64_t off, void *buf, size_t len)
{
	unsigned char *o = buf;
	uint64_t base = 0;
	size_t i;

	/* Gaps are few (the headers, maybe padding between loads): a walk. */
	for (i = 0; i < h->gaps.n && len; i++) {
		const struct pd_interval *g = &h->gaps.iv[i];

		if (off >= g->start && off < g->end) {
			uint64_t n = g->end - off < len ? g->end - off : len;

			if (base + (off - g->start) + n > h->len)
				return -1;
			memcpy(o, h->buf + base + (off - g->start), (size_t)n);
			o += n;
			off += n;
			len -= (size_t)n;
		}
		base += g->end - g->start;
	}
	return len ? -1 : 0;
}

int pd_rearm_headers_load(const struct pd_journal_state *js, struct pd_rearm_headers *h,
			  struct pd_error *err)
{
	struct elfcore again;
	char msg[256];
	char *buf = NULL;
	size_t len;
	int rc;
	size_t i;

	memset(h, 0, sizeof(*h));
	pd_rangeset_init(&h->gaps);
	if (!js->have_headers)
		return pd_fail_kind(err, PD_ERR_REFUSED, "the journal names no copy of the dump's headers");
	if (js->headers_len > PD_REARM_HEADERS_MAX)
		return pd_fail_kind(err, PD_ERR_REFUSED, "the journal's header copy is too large");
	rc = pd_read_file(js->headers_path, (size_t)PD_REARM_HEADERS_MAX, &buf, &len);
	if (rc)
		return pd_fail_kind(err, PD_ERR_REFUSED, "the copy of the first dump's headers %s cannot "
				    "be read (%s)", js->headers_path, rc > 0 ? "it is gone" : strerror(errno));
	if (len != js->headers_len || pd_crc32(buf, len) != js->headers_crc) {
		uint32_t got = pd_crc32(buf, len);

		free(buf);
		return pd_fail_kind(err, PD_ERR_REFUSED, "the copy of the first dump's headers %s does "
				    "not match the journal (%zu bytes, CRC 0x%08" PRIx32 "; the journal says "
				    "%" PRIu64 " bytes, CRC 0x%08" PRIx32 ")", js->headers_path, len,
				    got, js->headers_len, js->headers_crc);
	}
	h->buf = (unsigned char *)buf;
	h->len = len;
	h->vmcore_size = js->headers_vmcore_size;
	/* The ELF and program headers lead the file, as they lead the vmcore. */
	if (elfcore_parse(read_prefix, h, h->vmcore_size, &h->ec, msg, sizeof(msg))) {
		pd_fail_kind(err, PD_ERR_REFUSED, "the copy of the first dump's headers %s: %s",
			     js->headers_path, msg);
		goto fail;
	}
	if (pd_rearm_gaps(&h->ec, h->vmcore_size, &h->gaps)) {
		pd_fail(err, "out of memory");
		goto fail;
	}
	if (pd_rangeset_total(&h->gaps) != h->len) {
		pd_fail_kind(err, PD_ERR_REFUSED, "the copy of the first dump's headers %s holds %" PRIu64
			     " bytes, its program headers leave %" PRIu64 " outside the PT_LOADs",
			     js->headers_path, h->len, pd_rangeset_total(&h->gaps));
		goto fail;
	}
	/* Parsed again where every byte really lies: the same loads. */
	if (elfcore_parse(read_gaps, h, h->vmcore_size, &again, msg, sizeof(msg))) {
		pd_fail_kind(err, PD_ERR_REFUSED, "the copy of the first dump's headers %s: %s",
			     js->headers_path, msg);
		goto fail;
	}
	rc = again.nloads != h->ec.nloads || again.notes_len != h->ec.notes_len;
	for (i = 0; !rc && i < again.nloads; i++)
		rc = memcmp(&again.loads[i], &h->ec.loads[i], sizeof(again.loads[i])) != 0;
	elfcore_free(&again);
	if (rc) {
		pd_fail_kind(err, PD_ERR_REFUSED, "the copy of the first dump's headers %s is not "
			     "self-consistent", js->headers_path);
		goto fail;
	}
	return 0;
fail:
	pd_rearm_headers_free(h);
	return -1;
}

void pd_rearm_headers_free(struct pd_rearm_headers *h)
{
	free(h->buf);
	elfcore_free(&h->ec);
	pd_rangeset_free(&h->gaps);
	memset(h, 0, sizeof(*h));
}

int pd_rearm_held(const struct pd_journal_state *js, struct pd_rangeset *held)
{
	const struct pd_rangeset *r = &js->released;
	size_t i, k;

	pd_rangeset_clear(held);
	for (k = 0; k < js->layout.ndump; k++) {
		const struct pd_range *a = &js->layout.dump[k];

		if (a->len && pd_rangeset_add(held, a->src, a->src + a->len))
			return -1;
	}
	/* Minus what was released, as crashed addresses. */
	for (k = 0; k < js->layout.ndump; k++) {
		const struct pd_range *a = &js->layout.dump[k];

		for (i = pd_rangeset_lower(r, a->addr); i < r->n && r->iv[i].start < a->addr + a->len; i++) {
			uint64_t s = r->iv[i].start > a->addr ? r->iv[i].start : a->addr;
			uint64_t e = r->iv[i].end < a->addr + a->len ? r->iv[i].end : a->addr + a->len;

			if (s < e && pd_rangeset_remove(held, a->src + (s - a->addr), a->src + (e - a->addr)))
				return -1;
		}
	}
	return 0;
}

int pd_rearm_is_earlier_dump(const struct pd_journal_state *js, const char *boot_id,
			     const struct pd_rr *current, const char *vmcore, char *why, size_t wsize,
			     struct pd_error *err)
{
	uint64_t size, len;
	uint32_t crc;

	why[0] = 0;
	if (boot_id[0] && strcmp(js->boot_id, "unknown") && strcmp(boot_id, js->boot_id)) {
		snprintf(why, wsize, "it was written by boot %s, this is boot %s", js->boot_id, boot_id);
		return 1;
	}
	if (current) {
		uint64_t at;
		int held = pd_dump_state_released_held(js, current, &at);

		if (held < 0)
			return pd_fail(err, "out of memory");
		if (held) {
			snprintf(why, wsize, "this boot holds memory at 0x%" PRIx64 " that the journal "
				 "released", at);
			return 1;
		}
	}
	if (pd_rearm_save_headers(vmcore, NULL, &size, &len, &crc, err))
		return -1;
	if (size != js->headers_vmcore_size || len != js->headers_len || crc != js->headers_crc) {
		snprintf(why, wsize, "%s is not the vmcore whose headers the journal copied", vmcore);
		return 1;
	}
	return 0;
}

static int disagree(struct pd_error *err, uint64_t pa, const char *what)
{
	return pd_fail_kind(err, PD_ERR_REFUSED, "the first dump's memory at 0x%" PRIx64 " %s", pa, what);
}

int pd_rearm_check(const struct pd_journal_state *js, const struct pd_rr *layout2,
		   const char *vmcore2, struct pd_error *err)
{
	struct pd_rangeset held, inplace2;
	struct elfcore ec;
	uint64_t size;
	size_t i, k;
	int fd, rc = -1;

	memset(&ec, 0, sizeof(ec));
	pd_rangeset_init(&held);
	pd_rangeset_init(&inplace2);
	fd = open(vmcore2, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return pd_fail_errno(err, errno, "cannot open %s", vmcore2);
	if (parse_vmcore(fd, &size, &ec, err, vmcore2))
		goto out;
	if (pd_rearm_held(js, &held)) {
		pd_fail(err, "out of memory");
		goto out;
	}
	/* What dump 2 holds in place, by crashed address. */
	for (k = 0; k < layout2->ndump; k++)
		if (layout2->dump[k].src == layout2->dump[k].addr &&
		    pd_rangeset_add(&inplace2, layout2->dump[k].src, layout2->dump[k].src + layout2->dump[k].len)) {
			pd_fail(err, "out of memory");
			goto out;
		}
	for (i = 0; i < held.n; i++) {
		uint64_t pa = held.iv[i].start;

		/* Relocated ranges of dump 1 are released before any re-arm. */
		for (k = 0; k < js->layout.ndump; k++) {
			const struct pd_range *a = &js->layout.dump[k];

			if (a->src != a->addr && held.iv[i].start < a->src + a->len && a->src < held.iv[i].end) {
				rc = disagree(err, held.iv[i].start > a->src ? held.iv[i].start : a->src,
					      "lies in its relocated boot-memory copy, which the journal does not "
					      "show released: it was re-armed over unsaved memory");
				goto done;
			}
		}
		if (!pd_rangeset_covers(&inplace2, held.iv[i].start, held.iv[i].end)) {
			size_t j = pd_rangeset_lower(&inplace2, pa);

			if (j < inplace2.n && inplace2.iv[j].start <= pa)
				pa = inplace2.iv[j].end;
			rc = disagree(err, pa, "is not held in place by the second dump (its layout "
				      "relocates it or does not hold it)");
			goto done;
		}
		while (pa < held.iv[i].end) {
			uint64_t n = held.iv[i].end - pa, off;

			if (pd_rearm_paddr_offset(&ec, pa, &n, &off)) {
				rc = disagree(err, pa, "is outside the second dump's PT_LOADs");
				goto done;
			}
			pa += n;
		}
	}
	for (i = 0; i < js->nsamples; i++) {
		const struct pd_journal_saved *sm = &js->samples[i];
		uint32_t crc;
		int r2;

		if (!pd_rangeset_covers(&held, sm->off, sm->off + sm->len))
			continue;	/* released after re-arming: saved, not in dump 2 */
		r2 = crc_paddr(fd, &ec, sm->off, sm->len, &crc);
		if (r2 < 0) {
			pd_fail_errno(err, errno ? errno : EIO, "cannot read 0x%" PRIx64 " in %s", sm->off, vmcore2);
			goto out;
		}
		if (r2 > 0 || crc != sm->crc) {
			char what[160];

			snprintf(what, sizeof(what), "differs in the second dump (CRC-32 of 0x%" PRIx64
				 " bytes: 0x%08" PRIx32 ", the journal says 0x%08" PRIx32 ")", sm->len, crc, sm->crc);
			rc = disagree(err, sm->off, what);
			goto done;
		}
	}
	rc = 0;
	goto out;
done:
	rc = -1;
out:
	elfcore_free(&ec);
	close(fd);
	pd_rangeset_free(&held);
	pd_rangeset_free(&inplace2);
	return rc;
}
