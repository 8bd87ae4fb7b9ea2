/* SPDX-License-Identifier: GPL-2.0-or-later */
/* reserve: release_region state and rules; see reserve.h. */
#include "reserve.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rdown(uint64_t v, uint64_t a)
{
	return v & ~(a - 1);
}

static uint64_t rup(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

int reserve_init(struct reserve *r, const struct layout *l, enum reserve_at_style style)
{
	size_t i;

	memset(r, 0, sizeof(*r));
	pd_rangeset_init(&r->areas);
	pd_rangeset_init(&r->requested);
	pd_rangeset_init(&r->freed);
	r->page_size = l->page_size;
	r->at_style = style;
	r->cpu = l->cpu;
	r->hpte = l->hpte;
	r->ndump = l->ndump;
	r->dump = calloc(l->ndump ? l->ndump : 1, sizeof(*r->dump));
	if (!r->dump)
		return -1;
	memcpy(r->dump, l->dump, l->ndump * sizeof(*r->dump));
	if (pd_rangeset_add(&r->areas, r->cpu.addr, r->cpu.addr + r->cpu.len) ||
	    pd_rangeset_add(&r->areas, r->hpte.addr, r->hpte.addr + r->hpte.len))
		goto nomem;
	for (i = 0; i < r->ndump; i++)
		if (pd_rangeset_add(&r->areas, r->dump[i].addr, r->dump[i].addr + r->dump[i].len))
			goto nomem;
	r->area_bytes = pd_rangeset_total(&r->areas);
	return 0;
nomem:
	reserve_free(r);
	return -1;
}

void reserve_free(struct reserve *r)
{
	pd_rangeset_free(&r->areas);
	pd_rangeset_free(&r->requested);
	pd_rangeset_free(&r->freed);
	free(r->dump);
	r->dump = NULL;
}

uint64_t reserve_remaining(const struct reserve *r)
{
	return r->ended ? 0 : r->area_bytes - r->freed_area_bytes;
}

/* Area bytes of [lo, hi) that are in the freed set. Cost: the freed intervals
 * met, which the following add merges away (amortized O(1) per release). */
static uint64_t freed_area_in(const struct reserve *r, uint64_t lo, uint64_t hi)
{
	uint64_t sum = 0;
	size_t i;

	for (i = pd_rangeset_lower(&r->freed, lo); i < r->freed.n && r->freed.iv[i].start < hi; i++) {
		uint64_t a = r->freed.iv[i].start > lo ? r->freed.iv[i].start : lo;
		uint64_t b = r->freed.iv[i].end < hi ? r->freed.iv[i].end : hi;

		sum += pd_rangeset_overlap(&r->areas, a, b);
	}
	return sum;
}

/* Free the pages [lo, hi), keeping the count of freed area bytes. */
static int add_freed(struct reserve *r, uint64_t lo, uint64_t hi)
{
	uint64_t fresh;

	if (lo >= hi)
		return 0;
	fresh = pd_rangeset_overlap(&r->areas, lo, hi) - freed_area_in(r, lo, hi);
	if (pd_rangeset_add(&r->freed, lo, hi))
		return -ENOMEM;
	r->freed_area_bytes += fresh;
	return 0;
}

int reserve_is_freed(const struct reserve *r, uint64_t start, uint64_t end)
{
	return r->ended || pd_rangeset_intersects(&r->freed, start, end);
}

int reserve_holds(const struct reserve *r, uint64_t start, uint64_t end)
{
	size_t i;

	if (r->ended)
		return 0;
	for (i = pd_rangeset_lower(&r->areas, start); i < r->areas.n && r->areas.iv[i].start < end; i++) {
		uint64_t a = r->areas.iv[i].start > start ? r->areas.iv[i].start : start;
		uint64_t b = r->areas.iv[i].end < end ? r->areas.iv[i].end : end;

		if (!pd_rangeset_covers(&r->requested, a, b))
			return 1;
	}
	return 0;
}

/* The page at @page may go back once its reserved bytes all lie in released
 * ranges, this write's or earlier ones' (contract: "A page goes back once none
 * of its dump bytes is left").  Cost: the area pieces inside one page. */
static int page_released(const struct reserve *r, uint64_t page)
{
	return !reserve_holds(r, page, page + r->page_size);
}

static int all_requested(const struct reserve *r)
{
	size_t i;

	for (i = 0; i < r->areas.n; i++)
		if (!pd_rangeset_covers(&r->requested, r->areas.iv[i].start, r->areas.iv[i].end))
			return 0;
	return 1;
}

static int free_everything(struct reserve *r)
{
	size_t i;

	for (i = 0; i < r->areas.n; i++)
		if (add_freed(r, rdown(r->areas.iv[i].start, r->page_size),
			      rup(r->areas.iv[i].end, r->page_size)))
			return -ENOMEM;
	r->ended = 1;
	return 0;
}

int reserve_release(struct reserve *r, uint64_t addr, uint64_t len, uint64_t *freed_now)
{
	uint64_t end = addr + len, before, first, last, lo, hi;
	const uint64_t ps = r->page_size;

	*freed_now = 0;
	if (len == 0 || end < addr)
		return -EINVAL;
	/* areas never reach the top of the address space (layout keeps them below
	 * 2^61), so page arithmetic below cannot overflow once this check passes */
	if (!pd_rangeset_covers(&r->areas, addr, end))
		return -EINVAL;
	if (r->ended)
		return 0;
	before = reserve_remaining(r);
	if (pd_rangeset_add(&r->requested, addr, end))
		return -ENOMEM;
	first = rdown(addr, ps);
	last = rdown(end - 1, ps);
	/* pages inside the write go; the two at its ends when the rest of their
	 * reserved bytes went earlier */
	lo = page_released(r, first) ? first : first + ps;
	hi = page_released(r, last) ? last + ps : last;
	if (add_freed(r, lo, hi))
		return -ENOMEM;
	if (all_requested(r) && free_everything(r))
		return -ENOMEM;
	*freed_now = before - reserve_remaining(r);
	return 0;
}

void reserve_release_all(struct reserve *r, uint64_t *freed_now)
{
	uint64_t before = reserve_remaining(r);

	if (free_everything(r))
		r->ended = 1; /* out of memory: the state still ends, nothing is read again */
	*freed_now = before;
}

/* growable string */
struct sbuf {
	char *p;
	size_t len, cap;
	int oom;
};

static void sb_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->oom)
		return;
	for (;;) {
		size_t room = b->cap - b->len;

		va_start(ap, fmt);
		n = vsnprintf(b->p ? b->p + b->len : NULL, room, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->oom = 1;
			return;
		}
		if ((size_t)n < room) {
			b->len += (size_t)n;
			return;
		}
		{
			size_t ncap = (b->cap + (size_t)n + 1) * 2;
			char *np = realloc(b->p, ncap);

			if (!np) {
				b->oom = 1;
				return;
			}
			b->p = np;
			b->cap = ncap;
		}
	}
}

/* Next piece of [*pos, end) not in the set gone; 0 when none is left. */
static int next_outside(const struct pd_rangeset *gone, uint64_t *pos, uint64_t end,
			uint64_t *ps, uint64_t *pe)
{
	uint64_t p = *pos;
	size_t i = pd_rangeset_lower(gone, p);

	if (i < gone->n && gone->iv[i].start <= p) {
		p = gone->iv[i].end;
		i++;
	}
	if (p >= end)
		return 0;
	*ps = p;
	*pe = (i < gone->n && gone->iv[i].start < end) ? gone->iv[i].start : end;
	*pos = *pe;
	return 1;
}

/* Next piece of [*pos, end) not released; 0 when none is left.  Released
 * bytes leave the line at once, whether or not their page went back yet
 * (a page partly released stays reserved, its released bytes unlisted). */
static int next_piece(const struct reserve *r, uint64_t *pos, uint64_t end,
		      uint64_t *ps, uint64_t *pe)
{
	return next_outside(&r->requested, pos, end, ps, pe);
}

/* First and last byte still reserved in area a; 0 if none. */
static int span(const struct reserve *r, const struct sim_area *a, uint64_t *s, uint64_t *e)
{
	uint64_t pos = a->addr, ps, pe;
	int any = 0;

	if (r->ended)
		return 0;
	while (next_piece(r, &pos, a->addr + a->len, &ps, &pe)) {
		if (!any)
			*s = ps;
		*e = pe;
		any = 1;
	}
	return any;
}

static void fmt_pair(struct sbuf *b, const char *tag, const struct reserve *r,
		     const struct sim_area *a)
{
	uint64_t s, e;

	if (span(r, a, &s, &e))
		sb_printf(b, "%s:0x%llx-0x%llx:", tag, (unsigned long long)s,
			  (unsigned long long)(e - s));
	else
		sb_printf(b, "%s:0x%llx-0x0:", tag, (unsigned long long)a->addr);
}

char *reserve_format(const struct reserve *r)
{
	struct sbuf b = { NULL, 0, 0, 0 };
	int use_at = 1, any = 0;
	size_t d;

	if (r->at_style == RESERVE_AT_SEED && r->ndump > 1 && !r->ended &&
	    !pd_rangeset_intersects(&r->requested, r->dump[0].addr, r->dump[0].addr + r->dump[0].len)) {
		/* the seed's form only while another range follows the copy: a lone
		 * '@'-less range is read as in-place memory by some parsers */
		for (d = 1; d < r->ndump && use_at; d++) {
			uint64_t pos = r->dump[d].addr, ps, pe;

			if (next_piece(r, &pos, r->dump[d].addr + r->dump[d].len, &ps, &pe))
				use_at = 0;
		}
	}
	fmt_pair(&b, "CPU", r, &r->cpu);
	sb_printf(&b, " ");
	fmt_pair(&b, "HPTE", r, &r->hpte);
	sb_printf(&b, " DUMP:");
	for (d = 0; d < r->ndump && !r->ended; d++) {
		const struct sim_area *a = &r->dump[d];
		uint64_t pos = a->addr, ps, pe;

		while (next_piece(r, &pos, a->addr + a->len, &ps, &pe)) {
			sb_printf(&b, "%s0x%llx-0x%llx", any ? ", " : "",
				  (unsigned long long)ps, (unsigned long long)(pe - ps));
			if (a->relocated && use_at)
				sb_printf(&b, "@0x%llx", (unsigned long long)(a->src + (ps - a->addr)));
			any = 1;
		}
	}
	if (!any && r->ndump > 0) {
		sb_printf(&b, "0x%llx-0x0", (unsigned long long)r->dump[0].addr);
		if (r->dump[0].relocated && use_at)
			sb_printf(&b, "@0x%llx", (unsigned long long)r->dump[0].src);
	}
	sb_printf(&b, ":\n");
	if (b.oom) {
		free(b.p);
		return NULL;
	}
	return b.p;
}

/* ---- rearm ---- */

struct piece {
	uint64_t addr, len;
};

static int piece_cmp(const void *a, const void *b)
{
	const struct piece *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static int add_unreleased(const struct reserve *r, const struct sim_area *a,
			  struct piece **v, size_t *n, size_t *cap)
{
	uint64_t pos = a->addr, ps, pe;

	while (next_outside(&r->requested, &pos, a->addr + a->len, &ps, &pe)) {
		if (*n == *cap) {
			size_t ncap = *cap ? *cap * 2 : 8;
			struct piece *nv = realloc(*v, ncap * sizeof(**v));

			if (!nv)
				return -ENOMEM;
			*v = nv;
			*cap = ncap;
		}
		(*v)[(*n)++] = (struct piece){ ps, pe - ps };
	}
	return 0;
}

/* The unreleased bytes of the areas a re-armed registration lets the firmware
 * overwrite, sorted by address. *n == 0: nothing blocks. */
static int rearm_blockers(const struct reserve *r, struct piece **v, size_t *n)
{
	size_t cap = 0, d;

	*v = NULL;
	*n = 0;
	if (add_unreleased(r, &r->cpu, v, n, &cap) || add_unreleased(r, &r->hpte, v, n, &cap))
		goto nomem;
	for (d = 0; d < r->ndump; d++)
		if (r->dump[d].relocated && add_unreleased(r, &r->dump[d], v, n, &cap))
			goto nomem;
	if (*n > 1)
		qsort(*v, *n, sizeof(**v), piece_cmp);
	return 0;
nomem:
	free(*v);
	*v = NULL;
	return -ENOMEM;
}

enum reserve_rearm_state reserve_rearm_state(const struct reserve *r)
{
	struct piece *v;
	size_t n;

	if (r->armed)
		return REARM_ARMED;
	if (rearm_blockers(r, &v, &n))
		return REARM_BLOCKED; /* out of memory: never claim ready */
	free(v);
	return n ? REARM_BLOCKED : REARM_READY;
}

char *reserve_rearm_format(const struct reserve *r)
{
	struct sbuf b = { NULL, 0, 0, 0 };
	struct piece *v;
	size_t n, i;

	if (r->armed) {
		sb_printf(&b, "armed\n");
	} else {
		if (rearm_blockers(r, &v, &n))
			return NULL;
		if (n == 0)
			sb_printf(&b, "ready\n");
		for (i = 0; i < n; i++)
			sb_printf(&b, "%s0x%llx-0x%llx", i ? ", " : "blocked ",
				  (unsigned long long)v[i].addr, (unsigned long long)v[i].len);
		if (n)
			sb_printf(&b, "\n");
		free(v);
	}
	if (b.oom) {
		free(b.p);
		return NULL;
	}
	return b.p;
}

int reserve_rearm(struct reserve *r)
{
	enum reserve_rearm_state st = reserve_rearm_state(r);

	if (st == REARM_BLOCKED)
		return -EBUSY;
	r->armed = 1;
	return 0;
}

int reserve_parse_rearm(const char *buf, size_t n)
{
	if (n == 2 && buf[1] != '\n')
		return -EINVAL;
	return (n == 1 || n == 2) && buf[0] == '1' ? 0 : -EINVAL;
}

static int parse_hex(const char **pp, const char *end, uint64_t *out)
{
	const char *p = *pp;
	uint64_t v = 0;
	int digits = 0;

	if (end - p >= 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		p += 2;
	while (p < end) {
		int d;

		if (*p >= '0' && *p <= '9')
			d = *p - '0';
		else if (*p >= 'a' && *p <= 'f')
			d = *p - 'a' + 10;
		else if (*p >= 'A' && *p <= 'F')
			d = *p - 'A' + 10;
		else
			break;
		if (v >> 60)
			return -EINVAL; /* would overflow 64 bits */
		v = v << 4 | (uint64_t)d;
		digits++;
		p++;
	}
	if (!digits)
		return -EINVAL;
	*pp = p;
	*out = v;
	return 0;
}

int reserve_parse_write(const char *buf, size_t n, uint64_t *addr, uint64_t *len)
{
	const char *p = buf, *end = buf + n;

	if (n > 0 && end[-1] == '\n')
		end--;
	if (parse_hex(&p, end, addr))
		return -EINVAL;
	if (p >= end || (*p != ' ' && *p != '\t'))
		return -EINVAL;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (parse_hex(&p, end, len))
		return -EINVAL;
	return p == end ? 0 : -EINVAL;
}
