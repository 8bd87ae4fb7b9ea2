/* SPDX-License-Identifier: GPL-2.0-or-later */
/* release ledger: fixed scenarios, then random operations against a model
 * that knows, pfn by pfn, what may be released. */
#include "ledger.h"
#include "unit.h"

#define N 2048

enum { EXCL = 1, WRIT = 2, DUR = 4, PIN = 8, REL = 16 };

struct model {
	unsigned char st[N];
	int violations;
	int small_emits;	/* emissions under min outside a flush */
	int in_flush;
	uint64_t min;
	int fail_after;		/* callback fails on this call (0: never) */
	int calls;
	uint64_t last_s, last_e;
};

static int on_release(void *arg, uint64_t s, uint64_t e)
{
	struct model *m = arg;
	uint64_t p;

	m->calls++;
	if (m->fail_after && m->calls == m->fail_after)
		return -1;
	if (!m->in_flush && e - s < m->min)
		m->small_emits++;
	for (p = s; p < e; p++) {
		unsigned char st = m->st[p];

		if ((st & REL) || (st & PIN) || !((st & EXCL) || (st & DUR)))
			m->violations++;
		m->st[p] |= REL;
	}
	m->last_s = s;
	m->last_e = e;
	return 0;
}

static void fixed(void)
{
	struct pd_ledger l;
	struct model m;

	memset(&m, 0, sizeof(m));
	m.min = 16;
	pd_ledger_init(&l, 16, on_release, &m);
	/* Small excluded runs wait; they go when the run reaches 16. */
	for (uint64_t p = 0; p < 8; p++)
		m.st[p] |= EXCL;
	CHECK(pd_ledger_excluded(&l, 0, 8) == 0);
	CHECK_EQ_U64(m.calls, 0);
	for (uint64_t p = 8; p < 16; p++)
		m.st[p] |= WRIT;
	CHECK(pd_ledger_written(&l, 8, 16) == 0);
	CHECK_EQ_U64(m.calls, 0);	/* written is not durable */
	for (uint64_t p = 8; p < 16; p++)
		m.st[p] |= DUR;
	CHECK(pd_ledger_durable(&l) == 0);
	CHECK_EQ_U64(m.calls, 1);
	CHECK_EQ_U64(m.last_s, 0);
	CHECK_EQ_U64(m.last_e, 16);
	/* A pin splits a ready run; unpin lets the rest go. */
	m.st[40] |= PIN;
	CHECK(pd_ledger_pin(&l, 40, 41) == 0);
	for (uint64_t p = 20; p < 60; p++)
		m.st[p] |= EXCL;
	CHECK(pd_ledger_excluded(&l, 20, 60) == 0);
	CHECK_EQ_U64(m.calls, 3);	/* [20,40) and [41,60) */
	m.st[40] &= (unsigned char)~PIN;
	CHECK(pd_ledger_unpin(&l, 40, 41) == 0);
	CHECK_EQ_U64(m.calls, 3);	/* one pfn: below min */
	CHECK(pd_ledger_flush(&l) == 0);
	CHECK_EQ_U64(m.calls, 4);
	CHECK_EQ_U64(m.last_s, 40);
	CHECK_EQ_U64(m.last_e, 41);
	/* Excluding released pfns again emits nothing twice. */
	for (uint64_t p = 16; p < 20; p++)
		m.st[p] |= EXCL;
	CHECK(pd_ledger_excluded(&l, 0, 60) == 0);
	CHECK(pd_ledger_flush(&l) == 0);
	CHECK_EQ_U64(m.calls, 5);	/* only [16,20) was new */
	CHECK_EQ_U64(m.last_s, 16);
	CHECK_EQ_U64(m.last_e, 20);
	CHECK_EQ_U64(m.violations, 0);
	/* Writing released memory is a safety violation. */
	CHECK(pd_ledger_written(&l, 10, 11) == -1);
	CHECK(l.failed);
	CHECK_STR_CONTAINS(l.error.msg, "after their memory was released");
	CHECK(pd_ledger_excluded(&l, 100, 200) == -1);
	CHECK_EQ_U64(m.calls, 5);	/* failed: never again */
	pd_ledger_free(&l);

	/* Pinning released memory is refused. */
	memset(&m, 0, sizeof(m));
	m.min = 1;
	for (uint64_t p = 0; p < 4; p++)
		m.st[p] |= EXCL;
	pd_ledger_init(&l, 1, on_release, &m);
	CHECK(pd_ledger_excluded(&l, 0, 4) == 0);
	CHECK(pd_ledger_pin(&l, 2, 3) == -1);
	CHECK_STR_CONTAINS(l.error.msg, "already released");
	pd_ledger_free(&l);

	/* A failing callback stops the ledger and keeps the range ready. */
	memset(&m, 0, sizeof(m));
	m.min = 1;
	m.fail_after = 1;
	for (uint64_t p = 0; p < 4; p++)
		m.st[p] |= EXCL;
	pd_ledger_init(&l, 1, on_release, &m);
	CHECK(pd_ledger_excluded(&l, 0, 4) == -1);
	CHECK(l.failed);
	CHECK_EQ_U64(l.stats.released_pfns, 0);
	CHECK(pd_ledger_flush(&l) == -1);
	CHECK_EQ_U64(m.calls, 1);
	pd_ledger_free(&l);
}

static void random_ops(unsigned seed, uint64_t min)
{
	struct pd_ledger l;
	struct model m;
	int i;

	memset(&m, 0, sizeof(m));
	m.min = min;
	pd_ledger_init(&l, min, on_release, &m);
	for (i = 0; i < 4000; i++) {
		uint64_t a, b, p;
		unsigned op;

		seed = seed * 1103515245u + 12345u;
		a = (seed >> 8) % N;
		seed = seed * 1103515245u + 12345u;
		b = a + 1 + (seed >> 8) % 64;
		if (b > N)
			b = N;
		op = (seed >> 20) % 6;
		switch (op) {
		case 0:		/* excluded: only pfns never written */
			for (p = a; p < b; p++)
				if (m.st[p] & (WRIT | DUR))
					break;
			if (p < b)
				break;
			for (p = a; p < b; p++)
				m.st[p] |= EXCL;
			pd_ledger_excluded(&l, a, b);
			break;
		case 1:		/* written: only pfns neither excluded nor written */
			for (p = a; p < b; p++)
				if (m.st[p] & (EXCL | WRIT | DUR | REL))
					break;
			if (p < b)
				break;
			for (p = a; p < b; p++)
				m.st[p] |= WRIT;
			pd_ledger_written(&l, a, b);
			break;
		case 2:
			if (seed & (1u << 28)) {
				/* what one sync made durable: written pfns in
				 * [a, b) only (the durability worker's snapshot) */
				struct pd_rangeset set;

				pd_rangeset_init(&set);
				if (pd_rangeset_add(&set, a, b))
					CHECK(!"out of memory");
				for (p = a; p < b; p++)
					if (m.st[p] & WRIT)
						m.st[p] |= DUR;
				pd_ledger_durable_in(&l, &set);
				pd_rangeset_free(&set);
				break;
			}
			for (p = 0; p < N; p++)
				if (m.st[p] & WRIT)
					m.st[p] |= DUR;
			pd_ledger_durable(&l);
			break;
		case 3:		/* pin: only unreleased */
			for (p = a; p < b; p++)
				if (m.st[p] & REL)
					break;
			if (p < b)
				break;
			for (p = a; p < b; p++)
				m.st[p] |= PIN;
			pd_ledger_pin(&l, a, b);
			break;
		case 4:
			for (p = a; p < b; p++)
				m.st[p] &= (unsigned char)~PIN;
			pd_ledger_unpin(&l, a, b);
			break;
		case 5:
			if ((seed >> 24) % 8 == 0) {
				m.in_flush = 1;
				pd_ledger_flush(&l);
				m.in_flush = 0;
			}
			break;
		}
		if (l.failed)
			break;
	}
	CHECK(!l.failed);
	/* Everything releasable is released after a flush, nothing else. */
	m.in_flush = 1;
	CHECK(pd_ledger_flush(&l) == 0);
	{
		uint64_t p, missed = 0, released = 0;

		for (p = 0; p < N; p++) {
			unsigned char st = m.st[p];
			int may = ((st & EXCL) || (st & DUR)) && !(st & PIN);

			if (may && !(st & REL))
				missed++;
			if (st & REL)
				released++;
		}
		CHECK_EQ_U64(missed, 0);
		CHECK_EQ_U64(released, l.stats.released_pfns);
	}
	CHECK_EQ_U64(m.violations, 0);
	CHECK_EQ_U64(m.small_emits, 0);
	pd_ledger_free(&l);
}

int main(void)
{
	unsigned s;

	fixed();
	for (s = 1; s <= 40; s++)
		random_ops(s * 7919u, 1 + s % 24);
	/* Memory stays bounded by pending runs: one run for a huge range. */
	{
		struct pd_ledger l;
		struct model m;

		memset(&m, 0, sizeof(m));
		pd_ledger_init(&l, UINT64_MAX, on_release, &m);
		CHECK(pd_ledger_written(&l, 0, 1ULL << 40) == 0);	/* 64 PiB of 64 KiB pages */
		CHECK(pd_ledger_written(&l, 1ULL << 40, 1ULL << 41) == 0);
		CHECK_EQ_U64(l.written.n, 1);
		CHECK(l.written.cap <= 16);
		pd_ledger_free(&l);
	}
	return unit_report("ledger");
}
