/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "net_frame.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "units.h"

static uint32_t get32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

void pd_net_put64(unsigned char *p, uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--, v >>= 8)
		p[i] = (unsigned char)v;
}

void pd_net_put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

void pd_net_frame(unsigned char out[PD_NET_HEADER], unsigned char type, uint32_t len)
{
	out[0] = type;
	pd_net_put32(out + 1, len);
}

int pd_net_init(struct pd_net_parser *p, pd_net_frame_fn fn, void *arg)
{
	memset(p, 0, sizeof(*p));
	p->fn = fn;
	p->arg = arg;
	return 0;
}

/* The payload buffer grows to the largest frame seen (at most
 * PD_NET_MAX_PAYLOAD): answers are small, data frames up to 1 MiB. */
static int reserve(struct pd_net_parser *p, size_t len)
{
	size_t cap = p->cap ? p->cap : 4096;
	unsigned char *b;

	if (len <= p->cap)
		return 0;
	while (cap < len)
		cap *= 2;
	if (cap > PD_NET_MAX_PAYLOAD)
		cap = PD_NET_MAX_PAYLOAD;
	b = realloc(p->buf, cap);
	if (!b) {
		p->failed = true;
		return pd_fail(&p->error, "out of memory for a frame of %zu bytes", len);
	}
	p->buf = b;
	p->cap = cap;
	return 0;
}

void pd_net_free(struct pd_net_parser *p)
{
	free(p->buf);
	p->buf = NULL;
	p->cap = 0;
	p->failed = true;	/* freed: feeding it again is refused */
}

bool pd_net_idle(const struct pd_net_parser *p)
{
	return !p->failed && !p->in_payload && !p->have;
}

static int bad(struct pd_net_parser *p, const char *what)
{
	p->failed = true;
	return pd_fail(&p->error, "malformed frame '%c' (0x%02x) of %zu bytes at byte %" PRIu64
		       " of the connection: %s", p->type >= 0x20 && p->type < 0x7f ? p->type : '?',
		       p->type, p->len, p->pos, what);
}

/* The payload sizes each type allows. */
static int check_len(struct pd_net_parser *p)
{
	switch (p->type) {
	case 'O': return p->len >= 4 + 3 ? 0 : bad(p, "open needs a version, a directory and a name");
	case 'D': return p->len > 8 ? 0 : bad(p, "data needs an offset and at least one byte");
	case 'S': case 'F': return p->len == 0 ? 0 : bad(p, "takes no payload");
	case 'C': return p->len == 16 ? 0 : bad(p, "checksum takes an offset and a length");
	case 'A': return p->len == 8 ? 0 : bad(p, "durable takes one offset");
	case 'K': return p->len == 20 ? 0 : bad(p, "crc takes an offset, a length and a crc");
	case 'G': case 'U': case 'R': case 'E': case 'X':
		return p->len >= 1 ? 0 : bad(p, "needs a text");
	default: return bad(p, "unknown frame type");
	}
}

static int decode(struct pd_net_parser *p, struct pd_net_frame *f)
{
	memset(f, 0, sizeof(*f));
	f->type = p->type;
	f->payload = p->buf;
	f->len = p->len;
	switch (p->type) {
	case 'O':
		f->version = get32(p->buf);
		break;
	case 'D':
		f->off = pd_get_be64(p->buf);
		f->data = p->buf + 8;
		f->data_len = p->len - 8;
		if (f->off > UINT64_MAX - f->data_len || f->off + f->data_len > ((uint64_t)1 << 56))
			return bad(p, "offset out of range");
		break;
	case 'C': case 'K':
		f->off = pd_get_be64(p->buf);
		f->n = pd_get_be64(p->buf + 8);
		if (f->off > ((uint64_t)1 << 56) || f->n > ((uint64_t)1 << 56))
			return bad(p, "range out of bounds");
		if (p->type == 'K')
			f->crc = get32(p->buf + 16);
		break;
	case 'A':
		f->off = pd_get_be64(p->buf);
		break;
	default:
		break;
	}
	/* Texts are never NUL-terminated on the wire and carry no NUL, but
	 * open's directory and name are separated by exactly one. */
	if (p->type == 'G' || p->type == 'U' || p->type == 'R' || p->type == 'E' || p->type == 'X') {
		if (memchr(p->buf, 0, p->len))
			return bad(p, "a NUL inside a text");
	}
	if (p->type == 'O') {
		const unsigned char *t = p->buf + 4, *nul;
		size_t tl = p->len - 4;

		nul = memchr(t, 0, tl);
		if (!nul || nul == t || (size_t)(nul - t) == tl - 1 || memchr(nul + 1, 0, tl - (size_t)(nul - t) - 1))
			return bad(p, "open needs DIR, one NUL and NAME");
	}
	return 0;
}

/* Copy up to @want - *have bytes of the input into @dst; advance. */
static void take(struct pd_net_parser *p, unsigned char *dst, size_t want,
		 const unsigned char **buf, size_t *len)
{
	size_t n = want - p->have;

	if (n > *len)
		n = *len;
	if (!n)
		return;	/* an empty payload has no buffer yet */
	memcpy(dst + p->have, *buf, n);
	p->have += n;
	*buf += n;
	*len -= n;
	p->pos += n;
}

int pd_net_feed(struct pd_net_parser *p, const unsigned char *buf, size_t len)
{
	struct pd_net_frame f;

	if (p->failed)
		return -1;
	while (len) {
		if (!p->in_payload) {
			take(p, p->head, PD_NET_HEADER, &buf, &len);
			if (p->have < PD_NET_HEADER)
				break;
			p->type = p->head[0];
			p->len = get32(p->head + 1);
			p->have = 0;
			if (p->len > PD_NET_MAX_PAYLOAD)
				return bad(p, "payload too long");
			if (check_len(p) || reserve(p, p->len))
				return -1;
			p->in_payload = true;
		}
		take(p, p->buf, p->len, &buf, &len);
		if (p->have < p->len)
			break;
		p->in_payload = false;
		p->have = 0;
		if (decode(p, &f))
			return -1;
		p->frames++;
		if (p->fn(p->arg, &f)) {
			p->failed = true;
			return -1;
		}
	}
	return 0;
}
