/* SPDX-License-Identifier: GPL-2.0-or-later */
/* flattened stream parser: any chunking gives the same records; every
 * malformed form is refused with the stream position. */
#include <stdlib.h>

#include "flat_stream.h"
#include "kdump_synth.h"
#include "unit.h"

struct sink {
	unsigned char file[65536];
	uint64_t max;
	unsigned calls;
	int fail_at;
};

static int put(void *arg, uint64_t off, const unsigned char *d, size_t len)
{
	struct sink *s = arg;

	s->calls++;
	if (s->fail_at && (int)s->calls == s->fail_at)
		return -1;
	if (off + len > sizeof(s->file))
		return -1;
	memcpy(s->file + off, d, len);
	if (off + len > s->max)
		s->max = off + len;
	return 0;
}

static size_t make_stream(unsigned char *st)
{
	static const char a[] = "hello", b[] = "world!";
	size_t n = syn_flat_header(st);

	n += syn_flat_rec(st + n, 100, a, 5);
	n += syn_flat_rec(st + n, 0, b, 6);
	n += syn_flat_rec(st + n, 50000, "", 0);	/* empty record */
	n += syn_flat_rec(st + n, 3, "XY", 2);
	n += syn_flat_end(st + n);
	return n;
}

int main(void)
{
	static unsigned char st[8192], bad[8192];
	static struct sink s;
	struct pd_flat_parser p;
	size_t n = make_stream(st), step, i;

	/* Whole, then byte by byte, then odd chunks: same file. */
	for (step = 1; step <= n; step = step < 8 ? step + 1 : step * 3) {
		memset(&s, 0, sizeof(s));
		pd_flat_init(&p, put, &s);
		for (i = 0; i < n; i += step)
			if (pd_flat_feed(&p, st + i, i + step > n ? n - i : step))
				break;
		CHECK(i >= n);
		CHECK(pd_flat_finish(&p) == 0);
		CHECK(memcmp(s.file, "worXY!", 6) == 0);
		CHECK(memcmp(s.file + 100, "hello", 5) == 0);
		CHECK_EQ_U64(p.records, 4);
		CHECK_EQ_U64(s.max, 105);
	}

	/* Truncated anywhere before the end marker: finish fails. */
	for (i = 0; i < n; i += 37) {
		memset(&s, 0, sizeof(s));
		pd_flat_init(&p, put, &s);
		pd_flat_feed(&p, st, i);
		CHECK(pd_flat_finish(&p) == -1);
	}
	CHECK_STR_CONTAINS(p.error.msg, "truncated");

	/* Bad signature, type, version. */
	memcpy(bad, st, n);
	bad[0] = 'M';
	pd_flat_init(&p, put, &s);
	CHECK(pd_flat_feed(&p, bad, n) == -1);
	CHECK_STR_CONTAINS(p.error.msg, "signature");
	CHECK_STR_CONTAINS(p.error.msg, "-F");
	memcpy(bad, st, n);
	bad[23] = 2;
	pd_flat_init(&p, put, &s);
	CHECK(pd_flat_feed(&p, bad, n) == -1);
	CHECK_STR_CONTAINS(p.error.msg, "type or version");
	/* Negative size, huge offset, data after the end marker. */
	memcpy(bad, st, n);
	bad[4096 + 8] = 0x80;
	pd_flat_init(&p, put, &s);
	CHECK(pd_flat_feed(&p, bad, n) == -1);
	CHECK_STR_CONTAINS(p.error.msg, "byte 4112: negative");
	memcpy(bad, st, n);
	bad[4096] = 0x02;	/* offset 2^57 */
	pd_flat_init(&p, put, &s);
	CHECK(pd_flat_feed(&p, bad, n) == -1);
	CHECK_STR_CONTAINS(p.error.msg, "out of range");
	memcpy(bad, st, n);
	bad[n] = 0;
	pd_flat_init(&p, put, &s);
	CHECK(pd_flat_feed(&p, bad, n + 1) == -1);
	CHECK_STR_CONTAINS(p.error.msg, "after the end marker");
	CHECK(pd_flat_feed(&p, st, 1) == -1);	/* stays failed */
	/* The consumer's refusal stops the parser. */
	memset(&s, 0, sizeof(s));
	s.fail_at = 2;
	pd_flat_init(&p, put, &s);
	CHECK(pd_flat_feed(&p, st, n) == -1);
	CHECK_STR_CONTAINS(p.error.msg, "consumer stopped");
	CHECK(pd_flat_finish(&p) == -1);
	return unit_report("flat_stream");
}
