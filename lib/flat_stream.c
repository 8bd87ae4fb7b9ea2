/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "flat_stream.h"

#include <inttypes.h>
#include <string.h>

#include "units.h"

static const char signature[] = "makedumpfile";


void pd_flat_init(struct pd_flat_parser *p, pd_flat_data_fn fn, void *arg)
{
	memset(p, 0, sizeof(*p));
	p->state = PD_FLAT_HEADER;
	p->fn = fn;
	p->arg = arg;
}

static int fail(struct pd_flat_parser *p, const char *what)
{
	p->state = PD_FLAT_FAILED;
	return pd_fail(&p->error, "flattened stream, byte %" PRIu64 ": %s", p->pos, what);
}

static int check_header(struct pd_flat_parser *p)
{
	if (memcmp(p->head, signature, sizeof(signature) - 1) ||
	    memchr(p->head + sizeof(signature) - 1, 0, 16 - (sizeof(signature) - 1)) == NULL)
		return fail(p, "not a makedumpfile flattened stream (no \"makedumpfile\" signature); "
			       "was the collector run with -F?");
	if (pd_get_be64(p->head + 16) != 1 || pd_get_be64(p->head + 24) != 1)
		return fail(p, "unsupported flattened format type or version");
	return 0;
}

static int start_record(struct pd_flat_parser *p)
{
	uint64_t off = pd_get_be64(p->head), size = pd_get_be64(p->head + 8);

	if (off == UINT64_MAX && size == UINT64_MAX) {
		p->state = PD_FLAT_END;
		return 0;
	}
	if ((int64_t)off < 0 || (int64_t)size < 0)
		return fail(p, "negative record offset or size");
	if ((int64_t)off > PD_FLAT_MAX_OFFSET || (int64_t)size > PD_FLAT_MAX_RECORD)
		return fail(p, "record offset or size out of range");
	p->rec_offset = off;
	p->rec_left = size;
	p->records++;
	p->state = PD_FLAT_DATA;
	return 0;
}

/* Copy up to @want - p->have bytes into p->head; true when it is full. */
static bool take_head(struct pd_flat_parser *p, const unsigned char **buf, size_t *len,
		      size_t want)
{
	size_t n = want - p->have;

	if (n > *len)
		n = *len;
	memcpy(p->head + p->have, *buf, n);
	p->have += n;
	p->pos += n;
	*buf += n;
	*len -= n;
	if (p->have < want)
		return false;
	p->have = 0;
	return true;
}

int pd_flat_feed(struct pd_flat_parser *p, const unsigned char *buf, size_t len)
{
	while (len) {
		size_t n;

		switch (p->state) {
		case PD_FLAT_HEADER:
			if (take_head(p, &buf, &len, PD_FLAT_HEADER_SIZE)) {
				if (check_header(p))
					return -1;
				p->state = PD_FLAT_RECHEAD;
			}
			break;
		case PD_FLAT_RECHEAD:
			if (take_head(p, &buf, &len, 16) && start_record(p))
				return -1;
			break;
		case PD_FLAT_DATA:
			n = p->rec_left < len ? (size_t)p->rec_left : len;
			if (n && p->fn(p->arg, p->rec_offset, buf, n)) {
				p->state = PD_FLAT_FAILED;
				return pd_fail(&p->error, "flattened stream, byte %" PRIu64
					       ": the consumer stopped", p->pos);
			}
			p->rec_offset += n;
			p->rec_left -= n;
			p->pos += n;
			buf += n;
			len -= n;
			if (!p->rec_left)
				p->state = PD_FLAT_RECHEAD;
			break;
		case PD_FLAT_END:
			return fail(p, "data after the end marker");
		case PD_FLAT_FAILED:
			return -1;
		}
	}
	/* A zero-length record is complete as soon as its header is. */
	if (p->state == PD_FLAT_DATA && !p->rec_left)
		p->state = PD_FLAT_RECHEAD;
	return 0;
}

int pd_flat_finish(struct pd_flat_parser *p)
{
	if (p->state == PD_FLAT_END)
		return 0;
	if (p->state == PD_FLAT_FAILED)
		return -1;
	return fail(p, p->state == PD_FLAT_HEADER ? "the stream ended inside its header"
			: "the stream ended before its end marker (truncated)");
}
