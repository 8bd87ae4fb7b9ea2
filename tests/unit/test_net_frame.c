/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ssh target frames: any chunking gives the same frames; every malformed
 * form is refused with the position, and the parser stays failed. */
#include "net_frame.h"
#include "unit.h"

struct got {
	unsigned n;
	unsigned char types[32];
	uint64_t off[32], len[32];
	uint32_t crc[32];
	int fail_at;
};

static int on_frame(void *arg, const struct pd_net_frame *f)
{
	struct got *g = arg;

	if (g->fail_at && (int)g->n + 1 == g->fail_at)
		return -1;
	if (g->n < 32) {
		g->types[g->n] = f->type;
		g->off[g->n] = f->off;
		g->len[g->n] = f->type == 'D' ? f->data_len : f->n;
		g->crc[g->n] = f->crc;
	}
	g->n++;
	return 0;
}

static size_t put(unsigned char *out, unsigned char type, const void *p, size_t len)
{
	pd_net_frame(out, type, (uint32_t)len);
	memcpy(out + PD_NET_HEADER, p, len);
	return PD_NET_HEADER + len;
}

static size_t make_stream(unsigned char *st)
{
	unsigned char p[64];
	size_t n = 0;

	pd_net_put32(p, 1);
	memcpy(p + 4, "/var/crash/x\0vmcore-incomplete", 30);
	n += put(st + n, 'O', p, 34);
	pd_net_put64(p, 4096);
	memcpy(p + 8, "abc", 3);
	n += put(st + n, 'D', p, 11);
	n += put(st + n, 'S', p, 0);
	pd_net_put64(p, 7);
	n += put(st + n, 'A', p, 8);
	pd_net_put64(p, 0);
	pd_net_put64(p + 8, 4099);
	pd_net_put32(p + 16, 0xdeadbeef);
	n += put(st + n, 'K', p, 20);
	n += put(st + n, 'X', "no space", 8);
	return n;
}

static int feed_in(const unsigned char *st, size_t n, size_t piece, struct pd_net_parser *p)
{
	size_t i;

	for (i = 0; i < n; i += piece)
		if (pd_net_feed(p, st + i, n - i < piece ? n - i : piece))
			return -1;
	return 0;
}

static void test_chunking(void)
{
	unsigned char st[512];
	size_t n = make_stream(st), piece;

	for (piece = 1; piece <= n; piece++) {
		struct pd_net_parser p;
		struct got g = { 0 };

		CHECK(pd_net_init(&p, on_frame, &g) == 0);
		CHECK(feed_in(st, n, piece, &p) == 0);
		CHECK(pd_net_idle(&p));
		CHECK_EQ_U64(g.n, 6);
		CHECK(!memcmp(g.types, "ODSAKX", 6));
		CHECK_EQ_U64(g.off[1], 4096);
		CHECK_EQ_U64(g.len[1], 3);
		CHECK_EQ_U64(g.off[3], 7);
		CHECK_EQ_U64(g.len[4], 4099);
		CHECK_EQ_U64(g.crc[4], 0xdeadbeef);
		pd_net_free(&p);
	}
}

/* One malformed frame: refused, with @why in the message; nothing after it
 * is delivered. */
static void refused(const unsigned char *fr, size_t len, const char *why)
{
	struct pd_net_parser p;
	struct got g = { 0 };
	unsigned char ok[PD_NET_HEADER];

	CHECK(pd_net_init(&p, on_frame, &g) == 0);
	CHECK(pd_net_feed(&p, fr, len) == -1);
	CHECK_STR_CONTAINS(p.error.msg, why);
	CHECK_STR_CONTAINS(p.error.msg, "at byte");
	pd_net_frame(ok, 'S', 0);
	CHECK(pd_net_feed(&p, ok, sizeof(ok)) == -1);
	CHECK_EQ_U64(g.n, 0);
	pd_net_free(&p);
}

static void test_malformed(void)
{
	/* Payloads of the wrong size or form for their type. */
	static const struct {
		unsigned char type;
		const char *p;
		size_t len;
		const char *why;
	} bad[] = {
		{ 'D', "12345678", 8, "at least one byte" },
		{ 'S', "x", 1, "takes no payload" },
		{ 'C', "0123456789", 10, "checksum takes" },
		{ 'A', "0123", 4, "durable takes" },
		{ 'K', "0123", 4, "crc takes" },
		{ 'R', "", 0, "needs a text" },
		{ 'U', "", 0, "needs a text" },
		{ 'U', "/a\0b", 4, "NUL inside" },
		{ 'X', "a\0b", 3, "NUL inside" },
		{ 'O', "\0\0\0\1/dirname", 12, "DIR, one NUL" },
		{ 'O', "\0\0\0\1\0name", 9, "DIR, one NUL" },
		{ 'O', "\0\0\0\1/d\0", 7, "DIR, one NUL" },
		{ 'O', "\0\0\0\1/d\0a\0b", 11, "DIR, one NUL" },
	};
	unsigned char b[64], big[PD_NET_HEADER];
	size_t i;

	put(b, 'Z', "", 0);
	refused(b, PD_NET_HEADER, "unknown frame type");
	pd_net_frame(big, 'D', (uint32_t)PD_NET_MAX_PAYLOAD + 1);
	refused(big, sizeof(big), "payload too long");
	pd_net_frame(big, 'D', 0xffffffffu);
	refused(big, sizeof(big), "payload too long");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		refused(b, put(b, bad[i].type, bad[i].p, bad[i].len), bad[i].why);
	/* an offset past 2^56 */
	memcpy(b + PD_NET_HEADER, "\xff\xff\xff\xff\xff\xff\xff\xf0" "abc", 11);
	pd_net_frame(b, 'D', 11);
	refused(b, PD_NET_HEADER + 11, "offset out of range");
	memset(b + PD_NET_HEADER, 0xff, 16);
	pd_net_frame(b, 'C', 16);
	refused(b, PD_NET_HEADER + 16, "out of bounds");
}

static void test_callback_stops(void)
{
	unsigned char st[512];
	size_t n = make_stream(st);
	struct pd_net_parser p;
	struct got g = { 0 };

	g.fail_at = 3;
	CHECK(pd_net_init(&p, on_frame, &g) == 0);
	CHECK(pd_net_feed(&p, st, n) == -1);
	CHECK_EQ_U64(g.n, 2);
	CHECK(!pd_net_idle(&p));
	pd_net_free(&p);
}

static void test_cut_short(void)
{
	unsigned char st[512];
	size_t n = make_stream(st);
	struct pd_net_parser p;
	struct got g = { 0 };

	CHECK(pd_net_init(&p, on_frame, &g) == 0);
	CHECK(pd_net_feed(&p, st, n - 3) == 0);
	CHECK(!pd_net_idle(&p));	/* the receiver tells "closed mid-frame" */
	CHECK_EQ_U64(g.n, 5);
	pd_net_free(&p);
}

/* Empty payloads before any other frame: no buffer is needed yet. */
static void test_empty_first(void)
{
	unsigned char st[2 * PD_NET_HEADER];
	struct pd_net_parser p;
	struct got g = { 0 };

	pd_net_frame(st, 'S', 0);
	pd_net_frame(st + PD_NET_HEADER, 'F', 0);
	CHECK(pd_net_init(&p, on_frame, &g) == 0);
	CHECK(pd_net_feed(&p, st, sizeof(st)) == 0);
	CHECK_EQ_U64(g.n, 2);
	CHECK(!memcmp(g.types, "SF", 2));
	CHECK(pd_net_idle(&p));
	pd_net_free(&p);
}

int main(void)
{
	test_empty_first();
	test_chunking();
	test_malformed();
	test_callback_stops();
	test_cut_short();
	return unit_report("net_frame");
}
