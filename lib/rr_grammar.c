/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "rr_grammar.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct cursor {
	const char *s;
	size_t len, pos;
	struct pd_error *err;
};

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static void skip_space(struct cursor *c)
{
	while (c->pos < c->len && is_space(c->s[c->pos]))
		c->pos++;
}

static int fail(struct cursor *c, const char *what)
{
	if (c->pos >= c->len)
		return pd_fail_at(c->err, c->pos + 1,
				  "release_region: line ends at column %zu, expected %s",
				  c->pos + 1, what);
	return pd_fail_at(c->err, c->pos + 1,
			  "release_region: unexpected character 0x%02x at column %zu, expected %s",
			  (unsigned char)c->s[c->pos], c->pos + 1, what);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Hex digits at the cursor, no prefix; at least one. */
static int hex_digits(struct cursor *c, uint64_t *v, const char *what)
{
	size_t start = c->pos;
	uint64_t x = 0;

	while (c->pos < c->len && hexval(c->s[c->pos]) >= 0) {
		if (x >> 60) {
			c->pos = start;
			return pd_fail_at(c->err, start + 1,
					  "release_region: number at column %zu does not fit in 64 bits",
					  start + 1);
		}
		x = x << 4 | (uint64_t)hexval(c->s[c->pos]);
		c->pos++;
	}
	if (c->pos == start)
		return fail(c, what);
	*v = x;
	return 0;
}

static int hex_number(struct cursor *c, uint64_t *v, const char *what)
{
	skip_space(c);
	if (c->pos + 1 >= c->len || c->s[c->pos] != '0' ||
	    (c->s[c->pos + 1] != 'x' && c->s[c->pos + 1] != 'X'))
		return fail(c, what);
	c->pos += 2;
	return hex_digits(c, v, what);
}

static int expect_char(struct cursor *c, char ch, const char *what)
{
	skip_space(c);
	if (c->pos >= c->len || c->s[c->pos] != ch)
		return fail(c, what);
	c->pos++;
	return 0;
}

static int expect_word(struct cursor *c, const char *word)
{
	size_t n = strlen(word);

	skip_space(c);
	if (c->len - c->pos < n || memcmp(c->s + c->pos, word, n) != 0)
		return fail(c, word);
	c->pos += n;
	return expect_char(c, ':', "':'");
}

/* <addr>-<len>[@<src>]; *has_src tells whether '@' was present. */
static int parse_range(struct cursor *c, struct pd_range *r, int allow_src, int *has_src)
{
	size_t at = c->pos;

	if (hex_number(c, &r->addr, "a hexadecimal address (0x...)"))
		return -1;
	if (c->pos >= c->len || c->s[c->pos] != '-')
		return fail(c, "'-' between address and length");
	c->pos++;
	if (c->pos + 1 >= c->len || c->s[c->pos] != '0' ||
	    (c->s[c->pos + 1] != 'x' && c->s[c->pos + 1] != 'X'))
		return fail(c, "a hexadecimal length (0x...)");
	c->pos += 2;
	if (hex_digits(c, &r->len, "a hexadecimal length (0x...)"))
		return -1;
	r->src = r->addr;
	*has_src = 0;
	if (c->pos < c->len && c->s[c->pos] == '@') {
		if (!allow_src)
			return fail(c, "':' (only DUMP ranges take @src)");
		c->pos++;
		if (c->pos + 1 >= c->len || c->s[c->pos] != '0' ||
		    (c->s[c->pos + 1] != 'x' && c->s[c->pos + 1] != 'X'))
			return fail(c, "a hexadecimal source address (0x...)");
		c->pos += 2;
		if (hex_digits(c, &r->src, "a hexadecimal source address (0x...)"))
			return -1;
		*has_src = 1;
	}
	if (r->addr + r->len < r->addr)
		return pd_fail_at(c->err, at + 1,
				  "release_region: range at column %zu runs past the end of the address space",
				  at + 1);
	if (r->src + r->len < r->src)
		return pd_fail_at(c->err, at + 1,
				  "release_region: source of the range at column %zu runs past the end of the address space",
				  at + 1);
	return 0;
}

static int overlaps(const struct pd_range *a, const struct pd_range *b)
{
	if (!a->len || !b->len)
		return 0;
	return a->addr < b->addr + b->len && b->addr < a->addr + a->len;
}

static int cmp_addr(const void *pa, const void *pb)
{
	const struct pd_range *a = pa, *b = pb;

	return a->addr < b->addr ? -1 : a->addr > b->addr;
}

/* Semantic checks after a syntactically valid line. */
static int validate(struct pd_rr *rr, struct pd_error *err)
{
	struct pd_range *all;
	size_t i, n = 0;
	int rc = 0;

	for (i = 1; i < rr->ndump; i++) {
		const struct pd_range *p = &rr->dump[i - 1], *q = &rr->dump[i];

		if (q->src < p->src + p->len || q->src == p->src)
			return pd_fail(err,
				       "release_region: DUMP range %zu (0x%" PRIx64 ") is not above range %zu in the crashed kernel's memory; ranges must ascend without overlap",
				       i + 1, q->src, i);
	}
	all = malloc((rr->ndump + 2) * sizeof(*all));
	if (!all)
		return pd_fail(err, "release_region: out of memory");
	all[n++] = rr->cpu;
	all[n++] = rr->hpte;
	for (i = 0; i < rr->ndump; i++)
		all[n++] = rr->dump[i];
	qsort(all, n, sizeof(*all), cmp_addr);
	/* Overlap is recorded, not rejected: the seed's own example overlaps
	 * (its in-place range, read as address and length, runs over its CPU
	 * area), and the spec requires that example to parse.  Nothing is ever
	 * released from such a layout (pd_map_init refuses it). */
	for (i = 1; i < n; i++)
		if (overlaps(&all[i - 1], &all[i]))
			rr->overlapping = true;
	free(all);
	return rc;
}

int pd_rr_parse(const char *text, size_t len, struct pd_rr *out, struct pd_error *err)
{
	struct cursor c = { text, len, 0, err };
	size_t cap = 0;
	int has_src, any_src = 0;

	memset(out, 0, sizeof(*out));
	if (expect_word(&c, "CPU") || parse_range(&c, &out->cpu, 0, &has_src) ||
	    expect_char(&c, ':', "':' after the CPU range") ||
	    expect_word(&c, "HPTE") || parse_range(&c, &out->hpte, 0, &has_src) ||
	    expect_char(&c, ':', "':' after the HPTE range"))
		goto bad;
	skip_space(&c);
	if (c.pos < c.len && c.s[c.pos] == '/')
		c.pos++;
	if (expect_word(&c, "DUMP"))
		goto bad;
	skip_space(&c);
	if (c.pos < c.len && c.s[c.pos] == ':') {
		c.pos++;	/* "DUMP::" — nothing left in DUMP */
		goto tail;
	}
	for (;;) {
		if (out->ndump == PD_RR_MAX_RANGES) {
			pd_fail_at(err, c.pos + 1,
				   "release_region: more than %d DUMP ranges at column %zu",
				   PD_RR_MAX_RANGES, c.pos + 1);
			goto bad;
		}
		if (out->ndump == cap) {
			size_t ncap = cap ? cap * 2 : 8;
			struct pd_range *d = realloc(out->dump, ncap * sizeof(*d));

			if (!d) {
				pd_fail(err, "release_region: out of memory");
				goto bad;
			}
			out->dump = d;
			cap = ncap;
		}
		if (parse_range(&c, &out->dump[out->ndump], 1, &has_src))
			goto bad;
		any_src |= has_src;
		out->ndump++;
		skip_space(&c);
		if (c.pos < c.len && c.s[c.pos] == ',') {
			c.pos++;
			continue;
		}
		if (c.pos < c.len && c.s[c.pos] == ':')
			c.pos++;
		break;
	}
tail:
	skip_space(&c);
	if (c.pos != c.len) {
		fail(&c, "the end of the line");
		goto bad;
	}
	if (!any_src && out->ndump >= 2 && out->dump[0].addr > out->dump[1].addr) {
		out->dump[0].src = 0;
		out->seed_form = true;
	}
	if (validate(out, err))
		goto bad;
	return 0;
bad:
	pd_rr_free(out);
	return -1;
}

void pd_rr_free(struct pd_rr *rr)
{
	free(rr->dump);
	memset(rr, 0, sizeof(*rr));
}

int pd_rr_copy(struct pd_rr *dst, const struct pd_rr *src)
{
	*dst = *src;
	dst->dump = NULL;
	if (src->ndump) {
		dst->dump = malloc(src->ndump * sizeof(*dst->dump));
		if (!dst->dump)
			return -1;
		memcpy(dst->dump, src->dump, src->ndump * sizeof(*dst->dump));
	}
	return 0;
}

char *pd_rr_format(const struct pd_rr *rr)
{
	size_t cap = 96 + rr->ndump * 60, n;
	char *s = malloc(cap);
	size_t i;

	if (!s)
		return NULL;
	n = (size_t)snprintf(s, cap, "CPU:0x%" PRIx64 "-0x%" PRIx64 ": HPTE:0x%" PRIx64 "-0x%" PRIx64 ": DUMP:",
			     rr->cpu.addr, rr->cpu.len, rr->hpte.addr, rr->hpte.len);
	for (i = 0; i < rr->ndump; i++) {
		const struct pd_range *r = &rr->dump[i];

		n += (size_t)snprintf(s + n, cap - n, "%s0x%" PRIx64 "-0x%" PRIx64,
				      i ? ", " : "", r->addr, r->len);
		if (r->src != r->addr)
			n += (size_t)snprintf(s + n, cap - n, "@0x%" PRIx64, r->src);
	}
	snprintf(s + n, cap - n, ":\n");
	return s;
}

uint64_t pd_rr_dump_bytes(const struct pd_rr *rr)
{
	uint64_t t = 0;
	size_t i;

	for (i = 0; i < rr->ndump; i++)
		t += rr->dump[i].len;
	return t;
}

uint64_t pd_rr_reserved_bytes(const struct pd_rr *rr)
{
	return rr->cpu.len + rr->hpte.len + pd_rr_dump_bytes(rr);
}

static int release_number(struct cursor *c, uint64_t *v, const char *what)
{
	if (c->pos + 1 < c->len && c->s[c->pos] == '0' &&
	    (c->s[c->pos + 1] == 'x' || c->s[c->pos + 1] == 'X'))
		c->pos += 2;
	return hex_digits(c, v, what);
}

int pd_rr_parse_release(const char *text, size_t len, uint64_t *addr, uint64_t *rlen,
			struct pd_error *err)
{
	struct cursor c = { text, len, 0, err };
	size_t blanks;

	while (c.pos < c.len && (c.s[c.pos] == ' ' || c.s[c.pos] == '\t'))
		c.pos++;
	if (release_number(&c, addr, "a hexadecimal address"))
		return -1;
	blanks = c.pos;
	while (c.pos < c.len && (c.s[c.pos] == ' ' || c.s[c.pos] == '\t'))
		c.pos++;
	if (c.pos == blanks)
		return fail(&c, "a blank between address and length");
	if (release_number(&c, rlen, "a hexadecimal length"))
		return -1;
	if (c.pos < c.len && c.s[c.pos] == '\n')
		c.pos++;
	if (c.pos != c.len)
		return fail(&c, "the end of the release command");
	if (*rlen == 0)
		return pd_fail_at(err, 1, "release: length is 0");
	if (*addr + *rlen < *addr)
		return pd_fail_at(err, 1, "release: range runs past the end of the address space");
	return 0;
}

size_t pd_rr_format_release(char *buf, uint64_t addr, uint64_t len)
{
	return (size_t)snprintf(buf, PD_RR_RELEASE_MAX, "0x%" PRIx64 " 0x%" PRIx64 "\n", addr, len);
}
