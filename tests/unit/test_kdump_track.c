/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kdump tracker on synthetic dumps: excluded and written pfns are exact,
 * each reported once; one and several cycles; wrong order confuses it. */
#include <sys/mman.h>
#include <unistd.h>

#include "kdump_synth.h"
#include "fileio.h"
#include "kdump_track.h"
#include "unit.h"

struct seen {
	unsigned char excl[SYN_PFNS], writ[SYN_PFNS];
	int twice;
	unsigned events;
	int fail;
};

static int on_excl(void *arg, uint64_t s, uint64_t e)
{
	struct seen *x = arg;

	x->events++;
	for (; s < e; s++) {
		if (x->excl[s] || x->writ[s])
			x->twice++;
		x->excl[s] = 1;
	}
	return x->fail;
}

static int on_writ(void *arg, uint64_t s, uint64_t e)
{
	struct seen *x = arg;

	x->events++;
	for (; s < e; s++) {
		if (x->excl[s] || x->writ[s])
			x->twice++;
		x->writ[s] = 1;
	}
	return x->fail;
}

/* Write then track, as phypdump save does. */
static int feed(struct pd_kdump_track *t, int fd, uint64_t off, const void *d, size_t len)
{
	if (pwrite(fd, d, len, (off_t)off) != (ssize_t)len)
		return -2;
	return pd_kdump_track_chunk(t, off, d, len);
}

static unsigned char dumpable[SYN_PFNS];
static struct syn_dump dump;

static void run_one(int split_bitmap, int data_first, int pd_bytewise)
{
	struct pd_kdump_events ev = { on_excl, on_writ, NULL };
	struct pd_kdump_track t;
	struct seen x;
	int fd = memfd_create("kdump", 0);
	unsigned i;

	memset(&x, 0, sizeof(x));
	ev.arg = &x;
	pd_kdump_track_init(&t, pd_fd_read, &fd, &ev);
	CHECK(feed(&t, fd, 0, dump.head, 464) == 0);
	CHECK(t.have_header);
	CHECK(feed(&t, fd, SYN_BS, dump.sub, 104) == 0);
	CHECK(t.have_sub && t.max_mapnr == SYN_PFNS && t.dump_level == 31);
	CHECK(feed(&t, fd, 2 * SYN_BS, dump.bm1, SYN_BS) == 0);
	if (split_bitmap) {
		/* cycle 1: pfns 0..31 */
		CHECK(feed(&t, fd, SYN_OFF_BM2, dump.bm2, 4) == 0);
		/* excluded of cycle 1 known now, nothing of cycle 2 */
		for (i = 0; i < 32; i++)
			CHECK(x.excl[i] == !dumpable[i]);
		CHECK(x.excl[40] == 0);
	} else {
		CHECK(feed(&t, fd, SYN_OFF_BM2, dump.bm2, SYN_BS) == 0);
	}
	/* The first cycle's descriptors and data. */
	{
		unsigned n1 = 0;

		for (i = 0; i < (split_bitmap ? 32u : SYN_PFNS); i++)
			n1 += dumpable[i];
		if (data_first)
			CHECK(feed(&t, fd, dump.off_data, dump.data, (size_t)n1 * SYN_BS) == 0);
		if (pd_bytewise) {
			for (i = 0; i < n1 * 24; i++)
				CHECK(feed(&t, fd, SYN_OFF_PD + i, dump.pd + i, 1) == 0);
		} else {
			CHECK(feed(&t, fd, SYN_OFF_PD, dump.pd, (size_t)n1 * 24) == 0);
		}
		CHECK(t.cycles_known);
		CHECK(t.single_cycle == !split_bitmap);
		if (!data_first) {
			/* nothing written before its data is in */
			for (i = 0; i < SYN_PFNS; i++)
				CHECK(!x.writ[i]);
			CHECK(feed(&t, fd, dump.off_data, dump.data, (size_t)n1 * SYN_BS) == 0);
		}
		if (split_bitmap) {
			CHECK(feed(&t, fd, SYN_OFF_BM2 + 4, dump.bm2 + 4, 4) == 0);
			CHECK(feed(&t, fd, SYN_OFF_PD + n1 * 24, dump.pd + n1 * 24,
				   (size_t)(dump.ndump - n1) * 24) == 0);
			CHECK(feed(&t, fd, dump.off_data + (uint64_t)n1 * SYN_BS,
				   dump.data + (size_t)n1 * SYN_BS,
				   (size_t)(dump.ndump - n1) * SYN_BS) == 0);
		}
	}
	CHECK(!t.confused);
	if (t.confused)
		fprintf(stderr, "confused (split %d, data first %d, bytewise %d): %s\n",
			split_bitmap, data_first, pd_bytewise, t.why.msg);
	for (i = 0; i < SYN_PFNS; i++) {
		CHECK(x.writ[i] == dumpable[i]);
		CHECK(x.excl[i] == !dumpable[i]);
	}
	CHECK_EQ_U64(x.twice, 0);
	CHECK_EQ_U64(t.descriptors, dump.ndump);
	CHECK_EQ_U64(pd_kdump_track_num_dumpable(&t), dump.ndump);
	/* The sub-header rewritten at the end (eraseinfo) is harmless. */
	CHECK(feed(&t, fd, SYN_BS, dump.sub, 104) == 0);
	CHECK(!t.confused);
	pd_kdump_track_free(&t);
	close(fd);
}

static void confused_by(const char *what, int variant)
{
	struct pd_kdump_events ev = { on_excl, on_writ, NULL };
	struct pd_kdump_track t;
	struct seen x;
	int fd = memfd_create("kdump", 0);
	unsigned char junk[464];

	memset(&x, 0, sizeof(x));
	ev.arg = &x;
	pd_kdump_track_init(&t, pd_fd_read, &fd, &ev);
	switch (variant) {
	case 0:	/* no header first */
		feed(&t, fd, SYN_BS, dump.sub, 104);
		break;
	case 1:	/* -E: an ELF file */
		memset(junk, 0, sizeof(junk));
		memcpy(junk, "\177ELF", 4);
		feed(&t, fd, 0, junk, 464);
		break;
	case 2:	/* descriptors before their bitmap */
		feed(&t, fd, 0, dump.head, 464);
		feed(&t, fd, SYN_BS, dump.sub, 104);
		feed(&t, fd, SYN_OFF_PD, dump.pd, 24);
		break;
	case 3:	/* bitmap2 twice */
		feed(&t, fd, 0, dump.head, 464);
		feed(&t, fd, SYN_BS, dump.sub, 104);
		feed(&t, fd, SYN_OFF_BM2, dump.bm2, 8);
		feed(&t, fd, SYN_OFF_BM2 + 4, dump.bm2 + 4, 4);
		break;
	case 4: /* bad block size */
		memcpy(junk, dump.head, 464);
		junk[428] = 7;
		feed(&t, fd, 0, junk, 464);
		break;
	}
	CHECK(t.confused);
	CHECK_STR_CONTAINS(t.why.msg, what);
	/* Once confused, nothing more is reported. */
	{
		unsigned before = x.events;

		feed(&t, fd, SYN_OFF_BM2, dump.bm2, SYN_BS);
		CHECK_EQ_U64(x.events, before);
	}
	pd_kdump_track_free(&t);
	close(fd);
}

int main(void)
{
	unsigned i;

	for (i = 0; i < SYN_PFNS; i++)
		dumpable[i] = (i % 3 == 0) || (i >= 20 && i < 26) || i == 63;
	syn_build(&dump, dumpable);
	run_one(0, 0, 0);
	run_one(0, 1, 0);
	run_one(0, 0, 1);
	run_one(1, 0, 0);
	run_one(1, 1, 1);
	confused_by("before the kdump header", 0);
	confused_by("not a kdump-compressed header", 1);
	confused_by("before its bitmap", 2);
	confused_by("bitmap2 written twice", 3);
	confused_by("implausible block size", 4);

	/* A failing event callback stops the tracker and is reported. */
	{
		struct pd_kdump_events ev = { on_excl, on_writ, NULL };
		struct pd_kdump_track t;
		struct seen x;
		int fd = memfd_create("kdump", 0);

		memset(&x, 0, sizeof(x));
		x.fail = 1;
		ev.arg = &x;
		pd_kdump_track_init(&t, pd_fd_read, &fd, &ev);
		feed(&t, fd, 0, dump.head, 464);
		feed(&t, fd, SYN_BS, dump.sub, 104);
		CHECK(feed(&t, fd, SYN_OFF_BM2, dump.bm2, SYN_BS) == -1);
		CHECK(t.events_failed);
		CHECK(feed(&t, fd, SYN_OFF_PD, dump.pd, 24) == -1);
		pd_kdump_track_free(&t);
		close(fd);
	}
	return unit_report("kdump_track");
}
