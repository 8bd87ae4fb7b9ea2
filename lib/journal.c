/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "journal.h"

#include "crc32.h"

#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct pd_journal {
	int fd;
	char *path;
};

void pd_journal_state_init(struct pd_journal_state *st)
{
	memset(st, 0, sizeof(*st));
	pd_rangeset_init(&st->released);
	pd_rangeset_init(&st->released_sure);
}

/* The releases so far were all issued (a rearm or final record follows them). */
static int releases_sure(struct pd_journal_state *st, struct pd_error *err)
{
	size_t i;

	pd_rangeset_clear(&st->released_sure);
	for (i = 0; i < st->released.n; i++)
		if (pd_rangeset_add(&st->released_sure, st->released.iv[i].start, st->released.iv[i].end))
			return pd_fail(err, "journal: out of memory");
	return 0;
}

void pd_journal_state_free(struct pd_journal_state *st)
{
	size_t i;

	pd_rr_free(&st->layout);
	pd_rangeset_free(&st->released);
	pd_rangeset_free(&st->released_sure);
	for (i = 0; i < st->ntargets; i++) {
		free(st->targets[i].path);
		free(st->targets[i].saved);
	}
	free(st->targets);
	free(st->samples);
	pd_journal_state_init(st);
}

static int parse_u64(const char *s, const char *end, int base, uint64_t *v)
{
	uint64_t x = 0;
	const char *p = s;

	if (base == 16) {
		if (end - p < 3 || p[0] != '0' || p[1] != 'x')
			return -1;
		p += 2;
	}
	if (p == end)
		return -1;
	for (; p < end; p++) {
		int d;

		if (*p >= '0' && *p <= '9')
			d = *p - '0';
		else if (base == 16 && *p >= 'a' && *p <= 'f')
			d = *p - 'a' + 10;
		else
			return -1;
		if (x > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
			return -1;
		x = x * (uint64_t)base + (uint64_t)d;
	}
	*v = x;
	return 0;
}

static bool inside_layout(const struct pd_rr *rr, uint64_t addr, uint64_t len)
{
	size_t i;

	if (addr >= rr->cpu.addr && addr + len <= rr->cpu.addr + rr->cpu.len)
		return true;
	if (addr >= rr->hpte.addr && addr + len <= rr->hpte.addr + rr->hpte.len)
		return true;
	for (i = 0; i < rr->ndump; i++)
		if (addr >= rr->dump[i].addr &&
		    addr + len <= rr->dump[i].addr + rr->dump[i].len)
			return true;
	return false;
}

/* Append @x to a growing array of ranges. */
static int push_saved(struct pd_journal_saved **v, size_t *n, size_t *capn, struct pd_journal_saved x,
		      struct pd_error *err)
{
	if (*n == *capn) {
		size_t cap = *capn ? *capn * 2 : 16;
		struct pd_journal_saved *nv = realloc(*v, cap * sizeof(*nv));

		if (!nv)
			return pd_fail(err, "journal: out of memory");
		*v = nv;
		*capn = cap;
	}
	(*v)[(*n)++] = x;
	return 0;
}

/* Whether [addr, addr+len) is crashed memory one DUMP area holds. */
static bool inside_crashed(const struct pd_rr *rr, uint64_t addr, uint64_t len)
{
	size_t i;

	for (i = 0; i < rr->ndump; i++)
		if (addr >= rr->dump[i].src && addr + len <= rr->dump[i].src + rr->dump[i].len)
			return true;
	return false;
}

/* "0x<a> 0x<b> 0x<c>" then the rest after one blank (@rest may be NULL:
 * then nothing may follow). */
static int three_hex(const char *s, const char *end, uint64_t v[3], const char **rest)
{
	const char *p = s;
	int k;

	for (k = 0; k < 3; k++) {
		const char *sp = memchr(p, ' ', (size_t)(end - p));
		const char *stop = sp ? sp : end;

		if (k < 2 && !sp)
			return -1;
		if (k == 2 && rest) {
			if (!sp || sp + 1 >= end)
				return -1;
			*rest = sp + 1;
		} else if (k == 2 && sp) {
			return -1;
		}
		if (parse_u64(p, stop, 16, &v[k]))
			return -1;
		p = stop + 1;
	}
	return 0;
}

/* The re-arming records: 1 when @s is none of them. */
static int parse_rearm_record(struct pd_journal_state *st, const char *s, size_t n,
			      unsigned lineno, struct pd_error *err)
{
	const char *end = s + n, *rest;
	uint64_t v[3];

	if (n > 8 && !memcmp(s, "headers ", 8)) {
		if (three_hex(s + 8, end, v, &rest) || !v[1] || v[1] > v[0] || v[2] > UINT32_MAX ||
		    (size_t)(end - rest) >= sizeof(st->headers_path) || memchr(rest, 0, (size_t)(end - rest)))
			return pd_fail(err, "journal line %u: bad headers record", lineno);
		st->have_headers = true;
		st->headers_vmcore_size = v[0];
		st->headers_len = v[1];
		st->headers_crc = (uint32_t)v[2];
		memcpy(st->headers_path, rest, (size_t)(end - rest));
		st->headers_path[end - rest] = 0;
		return 0;
	}
	if (n > 7 && !memcmp(s, "sample ", 7)) {
		if (three_hex(s + 7, end, v, NULL) || !v[1] || v[1] > ((uint64_t)1 << 20) ||
		    v[0] + v[1] < v[0] || v[2] > UINT32_MAX)
			return pd_fail(err, "journal line %u: bad sample record", lineno);
		if (!inside_crashed(&st->layout, v[0], v[1]))
			return pd_fail(err, "journal line %u: sample 0x%" PRIx64 "+0x%" PRIx64
				       " lies outside the dump's memory", lineno, v[0], v[1]);
		if (push_saved(&st->samples, &st->nsamples, &st->capsamples,
			       (struct pd_journal_saved){ v[0], v[1], (uint32_t)v[2] }, err))
			return -1;
		st->samples_since_rearm++;
		return 0;
	}
	if (n > 6 && !memcmp(s, "rearm ", 6)) {
		static const char b[] = "boot_id=", k[] = " samples=";
		const char *p = s + 6, *q;
		uint64_t ns;

		q = p + sizeof(b) - 1 <= end && !memcmp(p, b, sizeof(b) - 1) ?
		    memchr(p, ' ', (size_t)(end - p)) : NULL;
		p += sizeof(b) - 1;
		if (!q || q == p || q - p > PD_JOURNAL_BOOT_ID_MAX ||
		    (size_t)(end - q) < sizeof(k) || memcmp(q, k, sizeof(k) - 1) ||
		    parse_u64(q + sizeof(k) - 1, end, 10, &ns))
			return pd_fail(err, "journal line %u: bad rearm record", lineno);
		if (!st->have_headers)
			return pd_fail(err, "journal line %u: rearm record before any headers record "
				       "(nothing would let a later boot finish this dump)", lineno);
		if (ns != st->samples_since_rearm)
			return pd_fail(err, "journal line %u: the rearm record counts %" PRIu64
				       " samples, %zu precede it", lineno, ns, st->samples_since_rearm);
		memcpy(st->rearm_boot_id, p, (size_t)(q - p));
		st->rearm_boot_id[q - p] = 0;
		st->samples_since_rearm = 0;
		st->rearmed = true;
		return releases_sure(st, err);
	}
	if (n > 9 && !memcmp(s, "finished ", 9)) {
		if (n - 9 >= sizeof(st->finished_how) || memchr(s + 9, 0, n - 9))
			return pd_fail(err, "journal line %u: bad finished record", lineno);
		memcpy(st->finished_how, s + 9, n - 9);
		st->finished_how[n - 9] = 0;
		st->finished = true;
		return 0;
	}
	return 1;
}

/* One record (without " *crc" and newline) at line @lineno. */
static int parse_record(struct pd_journal_state *st, const char *s, size_t n,
			unsigned lineno, struct pd_error *err)
{
	const char *end = s + n;
	struct pd_error sub;

	if (lineno == 1) {
		const char *p = s, *q;
		static const char head[] = "phypdump-journal 1 boot_id=";

		if (n < sizeof(head) - 1 || memcmp(s, head, sizeof(head) - 1))
			return pd_fail(err, "journal line 1: not a phypdump journal, version 1");
		p += sizeof(head) - 1;
		q = memchr(p, ' ', (size_t)(end - p));
		if (!q || q == p || q - p > PD_JOURNAL_BOOT_ID_MAX)
			return pd_fail(err, "journal line 1: bad boot_id");
		memcpy(st->boot_id, p, (size_t)(q - p));
		st->boot_id[q - p] = 0;
		for (p = st->boot_id; *p; p++)
			if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') ||
			      (*p >= 'A' && *p <= 'Z') || *p == '-'))
				return pd_fail(err, "journal line 1: bad boot_id");
		q++;
		if (end - q < 11 || memcmp(q, "page_size=", 10) ||
		    parse_u64(q + 10, end, 10, &st->page_size) || !st->page_size ||
		    (st->page_size & (st->page_size - 1)))
			return pd_fail(err, "journal line 1: bad page_size");
		return 0;
	}
	if (lineno == 2) {
		if (n < 7 || memcmp(s, "layout ", 7))
			return pd_fail(err, "journal line 2: expected the layout record");
		if (pd_rr_parse(s + 7, n - 7, &st->layout, &sub))
			return pd_fail(err, "journal line 2: bad layout: %s", sub.msg);
		return 0;
	}
	if (st->finished)
		return pd_fail(err, "journal line %u: record after the finished record", lineno);
	if (n > 9 && !memcmp(s, "finished ", 9))
		return parse_rearm_record(st, s, n, lineno, err);
	if (st->final)
		return pd_fail(err, "journal line %u: record after the final record", lineno);
	{
		int rc = parse_rearm_record(st, s, n, lineno, err);

		if (rc <= 0)
			return rc;
	}
	if (n > 8 && !memcmp(s, "release ", 8)) {
		const char *a = s + 8, *sp = memchr(a, ' ', (size_t)(end - a));
		uint64_t addr, len;

		if (!sp || parse_u64(a, sp, 16, &addr) || parse_u64(sp + 1, end, 16, &len) ||
		    !len || addr + len < addr)
			return pd_fail(err, "journal line %u: bad release record", lineno);
		if (!inside_layout(&st->layout, addr, len))
			return pd_fail(err,
				       "journal line %u: release 0x%" PRIx64 "+0x%" PRIx64 " lies outside the dump's areas",
				       lineno, addr, len);
		if (pd_rangeset_add(&st->released, addr, addr + len))
			return pd_fail(err, "journal: out of memory");
		st->releases++;
		return 0;
	}
	if (n > 8 && !memcmp(s, "refused ", 8)) {
		const char *a = s + 8, *sp = memchr(a, ' ', (size_t)(end - a));
		uint64_t addr, len;

		if (!sp || parse_u64(a, sp, 16, &addr) || parse_u64(sp + 1, end, 16, &len) ||
		    !len || addr + len < addr || !inside_layout(&st->layout, addr, len))
			return pd_fail(err, "journal line %u: bad refused record", lineno);
		if (pd_rangeset_remove(&st->released, addr, addr + len))
			return pd_fail(err, "journal: out of memory");
		st->refused++;
		return 0;
	}
	if (n > 6 && !memcmp(s, "saved ", 6)) {
		const char *a = s + 6, *sp = memchr(a, ' ', (size_t)(end - a)), *sp2;
		struct pd_journal_target *t;
		uint64_t off, len, crc;

		sp2 = sp ? memchr(sp + 1, ' ', (size_t)(end - sp - 1)) : NULL;
		if (!sp2 || parse_u64(a, sp, 16, &off) || parse_u64(sp + 1, sp2, 16, &len) ||
		    parse_u64(sp2 + 1, end, 16, &crc) || !len || off + len < off || crc > UINT32_MAX)
			return pd_fail(err, "journal line %u: bad saved record", lineno);
		if (!st->ntargets)
			return pd_fail(err, "journal line %u: saved record before any target", lineno);
		t = &st->targets[st->ntargets - 1];
		return push_saved(&t->saved, &t->nsaved, &t->capsaved,
				  (struct pd_journal_saved){ off, len, (uint32_t)crc }, err);
	}
	if (n > 10 && !memcmp(s, "collector ", 10)) {
		if (n - 10 >= sizeof(st->collector) || memchr(s + 10, 0, n - 10))
			return pd_fail(err, "journal line %u: bad collector record", lineno);
		memcpy(st->collector, s + 10, n - 10);
		st->collector[n - 10] = 0;
		return 0;
	}
	if (n > 7 && !memcmp(s, "target ", 7)) {
		struct pd_journal_target *t;

		if (n - 7 >= sizeof(st->target) || memchr(s + 7, 0, n - 7))
			return pd_fail(err, "journal line %u: bad target record", lineno);
		memcpy(st->target, s + 7, n - 7);
		st->target[n - 7] = 0;
		t = realloc(st->targets, (st->ntargets + 1) * sizeof(*t));
		if (!t)
			return pd_fail(err, "journal: out of memory");
		st->targets = t;
		t = &st->targets[st->ntargets];
		memset(t, 0, sizeof(*t));
		t->path = strdup(st->target);
		if (!t->path)
			return pd_fail(err, "journal: out of memory");
		st->ntargets++;
		return 0;
	}
	if (n > 6 && !memcmp(s, "final ", 6)) {
		size_t hn = n - 6;

		if (hn >= sizeof(st->final_how))
			return pd_fail(err, "journal line %u: bad final record", lineno);
		memcpy(st->final_how, s + 6, hn);
		st->final_how[hn] = 0;
		st->final = true;
		return releases_sure(st, err);
	}
	return pd_fail(err, "journal line %u: unknown record", lineno);
}

static bool crc_field(const char *line, size_t n, size_t *body)
{
	uint32_t crc = 0;
	size_t i;

	if (n < 10 || line[n - 10] != ' ' || line[n - 9] != '*')
		return false;
	for (i = n - 8; i < n; i++) {
		char c = line[i];

		if (c >= '0' && c <= '9')
			crc = crc << 4 | (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			crc = crc << 4 | (uint32_t)(c - 'a' + 10);
		else
			return false;
	}
	*body = n - 10;
	return crc == pd_crc32(line, n - 10);
}

int pd_journal_parse(const char *buf, size_t len, struct pd_journal_state *st,
		     struct pd_error *err)
{
	size_t pos = 0;
	unsigned lineno = 0;

	pd_journal_state_init(st);
	while (pos < len) {
		const char *line = buf + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - line) : len - pos, body;

		lineno++;
		if (nl && crc_field(line, n, &body)) {
			if (parse_record(st, line, body, lineno, err))
				goto bad;
			pos += n + 1;
			st->good_len = pos;
			continue;
		}
		/* Header and layout are written atomically (rename), so only a
		 * later record can be torn, and only the last one. */
		if (lineno > 2 && (!nl || pos + n + 1 == len)) {
			st->torn_tail = true;
			break;
		}
		pd_fail(err, "journal line %u: damaged record (bad checksum or format)", lineno);
		goto bad;
	}
	if (lineno < 2) {
		pd_fail(err, "journal: %s", lineno ? "missing layout record" : "empty file");
		goto bad;
	}
	return 0;
bad:
	pd_journal_state_free(st);
	return -1;
}

int pd_journal_load(const char *path, struct pd_journal_state *st, struct pd_error *err)
{
	char *buf;
	size_t len;
	struct pd_error sub;
	int rc = pd_read_file(path, (size_t)1 << 32, &buf, &len);

	pd_journal_state_init(st);
	if (rc > 0)
		return 1;
	if (rc < 0)
		return pd_fail_errno(err, errno, "cannot read journal %s", path);
	rc = pd_journal_parse(buf, len, st, &sub);
	free(buf);
	if (rc)
		return pd_fail(err, "%s: %s", path, sub.msg);
	return 0;
}

/* Append "<body> *<crc>\n" in one write(), so that a crash tears at most
 * the last line. */
static int put_record(int fd, const char *body)
{
	char *line;
	int n, rc;

	n = asprintf(&line, "%s *%08" PRIx32 "\n", body, pd_crc32(body, strlen(body)));
	if (n < 0)
		return -1;
	rc = pd_write_all(fd, line, (size_t)n);
	free(line);
	return rc;
}

static int mkdir_parent(const char *path, struct pd_error *err)
{
	char *copy = strdup(path), *dir;
	int rc = 0;

	if (!copy)
		return pd_fail(err, "journal: out of memory");
	dir = dirname(copy);
	if (pd_mkdir_p(dir, 0700, NULL))
		rc = pd_fail_errno(err, errno, "cannot create journal directory %s", dir);
	free(copy);
	return rc;
}

static int sync_parent(const char *path)
{
	char *copy = strdup(path);
	int fd, rc = -1;

	if (!copy)
		return -1;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		rc = fsync(fd);
		close(fd);
	}
	free(copy);
	return rc;
}

static struct pd_journal *wrap(int fd, const char *path, struct pd_error *err)
{
	struct pd_journal *j = malloc(sizeof(*j));

	if (j)
		j->path = strdup(path);
	if (!j || !j->path) {
		free(j);
		close(fd);
		pd_fail(err, "journal: out of memory");
		return NULL;
	}
	j->fd = fd;
	return j;
}

struct pd_journal *pd_journal_create(const char *path, const char *boot_id,
				     uint64_t page_size, const struct pd_rr *layout,
				     struct pd_error *err)
{
	char head[160], *tmp = NULL, *line = NULL, *rec = NULL;
	struct stat sb;
	int fd = -1;
	size_t n;

	if (!lstat(path, &sb)) {
		pd_fail(err, "journal %s already exists", path);
		return NULL;
	}
	if (strlen(boot_id) > PD_JOURNAL_BOOT_ID_MAX || mkdir_parent(path, err))
		goto fail_msg;
	line = pd_rr_format(layout);
	if (!line || asprintf(&tmp, "%s.new", path) < 0) {
		tmp = NULL;
		pd_fail(err, "journal: out of memory");
		goto fail;
	}
	n = strlen(line);
	if (n && line[n - 1] == '\n')
		line[n - 1] = 0;
	if (asprintf(&rec, "layout %s", line) < 0) {
		rec = NULL;
		pd_fail(err, "journal: out of memory");
		goto fail;
	}
	snprintf(head, sizeof(head), "phypdump-journal 1 boot_id=%s page_size=%" PRIu64,
		 boot_id, page_size);
	/* Header and layout land atomically: a journal is whole or absent. */
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || put_record(fd, head) || put_record(fd, rec) || fsync(fd) ||
	    rename(tmp, path) || sync_parent(path)) {
		pd_fail_errno(err, errno, "cannot write journal %s", path);
		if (fd >= 0) {
			close(fd);
			unlink(tmp);
		}
		goto fail;
	}
	close(fd);
	fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd < 0) {
		pd_fail_errno(err, errno, "cannot reopen journal %s", path);
		goto fail;
	}
	free(tmp);
	free(line);
	free(rec);
	return wrap(fd, path, err);
fail_msg:
	if (strlen(boot_id) > PD_JOURNAL_BOOT_ID_MAX)
		pd_fail(err, "journal: boot id too long");
fail:
	free(tmp);
	free(line);
	free(rec);
	return NULL;
}

struct pd_journal *pd_journal_append(const char *path, const struct pd_journal_state *st,
				     struct pd_error *err)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);

	if (fd < 0) {
		pd_fail_errno(err, errno, "cannot open journal %s", path);
		return NULL;
	}
	if (st->torn_tail && (ftruncate(fd, (off_t)st->good_len) || fdatasync(fd))) {
		pd_fail_errno(err, errno, "cannot drop the torn last record of journal %s", path);
		close(fd);
		return NULL;
	}
	return wrap(fd, path, err);
}

/* "<what> 0x<a> 0x<b>[ 0x<crc>]" — buffered, not synced. */
static int add_range(struct pd_journal *j, const char *what, uint64_t a, uint64_t b,
		     const uint32_t *crc, struct pd_error *err)
{
	char body[96];

	if (crc)
		snprintf(body, sizeof(body), "%s 0x%" PRIx64 " 0x%" PRIx64 " 0x%08" PRIx32, what, a, b,
			 *crc);
	else
		snprintf(body, sizeof(body), "%s 0x%" PRIx64 " 0x%" PRIx64, what, a, b);
	if (put_record(j->fd, body))
		return pd_fail_errno(err, errno, "cannot append to journal %s", j->path);
	return 0;
}

int pd_journal_add_release(struct pd_journal *j, uint64_t addr, uint64_t len,
			   struct pd_error *err)
{
	return add_range(j, "release", addr, len, NULL, err);
}

static int add_body(struct pd_journal *j, const char *prefix, const char *text,
		    struct pd_error *err)
{
	char *body;
	int rc;

	if (strchr(text, '\n'))
		return pd_fail(err, "journal: a %s with a newline cannot be recorded", prefix);
	if (asprintf(&body, "%s %s", prefix, text) < 0)
		return pd_fail(err, "journal: out of memory");
	rc = put_record(j->fd, body);
	free(body);
	if (rc)
		return pd_fail_errno(err, errno, "cannot append to journal %s", j->path);
	return pd_journal_sync(j, err);
}

/* "<prefix> <a> <b>", synced. */
static int add_body2(struct pd_journal *j, const char *prefix, const char *a, const char *b,
		     struct pd_error *err)
{
	char *text;
	int rc;

	if (asprintf(&text, "%s %s", a, b) < 0)
		return pd_fail(err, "journal: out of memory");
	rc = add_body(j, prefix, text, err);
	free(text);
	return rc;
}

int pd_journal_add_target(struct pd_journal *j, const char *path, struct pd_error *err)
{
	return add_body(j, "target", path, err);
}

int pd_journal_add_collector(struct pd_journal *j, const char *line, struct pd_error *err)
{
	return add_body(j, "collector", line, err);
}

int pd_journal_add_saved(struct pd_journal *j, uint64_t off, uint64_t len, uint32_t crc,
			 struct pd_error *err)
{
	return add_range(j, "saved", off, len, &crc, err);
}

int pd_journal_add_refused(struct pd_journal *j, uint64_t addr, uint64_t len,
			   struct pd_error *err)
{
	if (add_range(j, "refused", addr, len, NULL, err))
		return -1;
	return pd_journal_sync(j, err);
}

int pd_journal_add_final(struct pd_journal *j, const char *how, struct pd_error *err)
{
	char body[64];

	snprintf(body, sizeof(body), "final %.24s", how);
	if (put_record(j->fd, body))
		return pd_fail_errno(err, errno, "cannot append to journal %s", j->path);
	return pd_journal_sync(j, err);
}

int pd_journal_add_headers(struct pd_journal *j, uint64_t vmcore_size, uint64_t len, uint32_t crc,
			   const char *path, struct pd_error *err)
{
	char head[96];

	snprintf(head, sizeof(head), "0x%" PRIx64 " 0x%" PRIx64 " 0x%08" PRIx32, vmcore_size, len, crc);
	return add_body2(j, "headers", head, path, err);
}

int pd_journal_add_sample(struct pd_journal *j, uint64_t paddr, uint64_t len, uint32_t crc,
			  struct pd_error *err)
{
	return add_range(j, "sample", paddr, len, &crc, err);
}

int pd_journal_add_rearm(struct pd_journal *j, const char *boot_id, size_t samples,
			 struct pd_error *err)
{
	char body[160];

	if (strlen(boot_id) > PD_JOURNAL_BOOT_ID_MAX)
		return pd_fail(err, "journal: boot id too long");
	snprintf(body, sizeof(body), "boot_id=%s samples=%zu", boot_id, samples);
	return add_body(j, "rearm", body, err);
}

int pd_journal_add_finished(struct pd_journal *j, const char *how, struct pd_error *err)
{
	if (strlen(how) >= sizeof(((struct pd_journal_state *)0)->finished_how))
		return pd_fail(err, "journal: finished record too long");
	return add_body(j, "finished", how, err);
}

int pd_journal_sync(struct pd_journal *j, struct pd_error *err)
{
	if (fdatasync(j->fd))
		return pd_fail_errno(err, errno, "cannot sync journal %s", j->path);
	return 0;
}

void pd_journal_close(struct pd_journal *j)
{
	if (!j)
		return;
	close(j->fd);
	free(j->path);
	free(j);
}
